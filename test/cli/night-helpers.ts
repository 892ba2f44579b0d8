/**
 * Shared by the scale-out tests (scale.test.ts, batch-engine.test.ts): ranks as real local processes stopped by
 * their pid, the published output as one comparable object, and the kill -9 / restart fault.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { BIN, blankStartTimes, readTree, type RunOut } from '../helpers.js';

/** The published output, shards decompressed and start times blanked, as one comparable object. */
export function published(out: string): Record<string, string> {
  return readTree(out, '', (p, name) => (name.endsWith('.gz') ? gunzipSync(readFileSync(p)).toString('utf8') : blankStartTimes(readFileSync(p, 'utf8'))));
}

export function assertSame(got: Record<string, string>, want: Record<string, string>, what: string): void {
  assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), what);
  for (const k of Object.keys(want)) assert.equal(got[k], want[k], `${what}: ${k}`);
}

/** Start one rank; resolves with its result when it ends. */
export function startRank(args: string[], env: NodeJS.ProcessEnv = {}): { p: ChildProcess; done: Promise<RunOut> } {
  const p = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  p.stdout!.setEncoding('utf8').on('data', (x) => (stdout += x));
  p.stderr!.setEncoding('utf8').on('data', (x) => (stderr += x));
  return { p, done: new Promise((r) => p.on('close', (code, signal) => r({ code, signal, stdout, stderr }))) };
}

/** `n` ranks of one job array started together; resolves with their results. */
export function ranks(n: number, base: string[], env: NodeJS.ProcessEnv = {}): Promise<RunOut[]> {
  return Promise.all(Array.from({ length: n }, (_, r) => startRank([...base, '--world-size', String(n), '--rank', String(r)], env).done));
}

/** The task claims of night g0 under `state` (empty before the first claim). */
export function claimsOf(state: string): string[] {
  const g = join(state, 'tasks', 'g0', 'claims');
  return existsSync(g) ? readdirSync(g) : [];
}

/**
 * Two ranks (`base` with `--world-size 2`) on `state`: rank 1 is killed with -9 once `ready()` holds (or after
 * `waitMs`), then restarted; both must end 0 and publish `want` into `out`. Returns whether `ready()` held at the
 * kill.
 */
export async function killRankAndRestart(base: string[], out: string, want: Record<string, string>, ready: () => boolean, waitMs: number): Promise<boolean> {
  const r0 = startRank([...base, '--rank', '0']);
  const r1 = startRank([...base, '--rank', '1']);
  const t0 = Date.now();
  while (!ready() && Date.now() - t0 < waitMs) await new Promise((r) => setTimeout(r, 10));
  const during = ready();
  r1.p.kill('SIGKILL');
  const killed = await r1.done;
  assert.equal(killed.signal, 'SIGKILL');
  const again = await startRank([...base, '--rank', '1']).done;
  const first = await r0.done;
  assert.equal(first.code, 0, first.stderr);
  assert.equal(again.code, 0, again.stderr);
  assertSame(published(out), want, 'after kill -9 and restart');
  return during;
}
