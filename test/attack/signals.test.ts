/**
 * `clean` stopped by SIGTERM/SIGINT (issue 16, defect 8): exit 143/130, a manifest with `stopped_by` in the staging
 * folder, nothing published, the lock released, and the rerun resumes to exactly an uninterrupted run's bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, blankStartTimes, CORE_ONLY, fakeText, jsonl, readTree, runCli, tmp } from '../helpers.js';
import { runClean } from '../../src/stage/clean.js';
import { resolveConfig } from '../../src/config/index.js';

/** Everything a run leaves in its output and state folders (wall-clock fields blanked), as one object. */
function snapshotOf(out: string, state: string): Record<string, string> {
  const read = (p: string, name: string): string =>
    name.endsWith('.json') || name.endsWith('.html')
      ? blankStartTimes(readFileSync(p, 'utf8'))
          // checksums of files holding a start time (runs.json's footer, and its entry in STATE.json) vary with it
          .replace(/crc32=[0-9a-f]{8}/g, 'crc32=-').replace(/"runs\.json":"[0-9a-f]{8}"/g, '"runs.json":"-"')
      : readFileSync(p).toString('base64');
  return readTree(state, 'state', read, readTree(out, 'out', read));
}

/** `files` input files of `rows` records, with near and exact duplicates across them and a malformed line. */
function corpus(d: string, files: number, rows: number): string {
  const inp = join(d, 'in');
  mkdirSync(inp);
  for (let f = 0; f < files; f++) {
    const recs = Array.from({ length: rows }, (_, i) => {
      const k = f * rows + i;
      return { id: `f${f}-${i}`, text: fakeText((k * 7) % Math.floor(files * rows * 0.8) + 1, 60) + (k % 3 === 0 ? ' x' : '') };
    });
    writeFileSync(join(inp, `part-${f}.jsonl`), jsonl(recs) + (f === 1 ? 'not json\n' : ''));
  }
  return inp;
}

function assertStopped(out: string, state: string, runId: string, signal: string): void {
  assert.ok(!existsSync(join(out, runId)), 'nothing published');
  const m = JSON.parse(readFileSync(join(out, `.${runId}.tmp`, 'manifest.json'), 'utf8'));
  assert.equal(m.stopped_by, signal);
  assert.equal(m.complete, false);
  assert.equal(m.run_id, runId);
  assert.ok(!existsSync(join(state, 'lock')), 'lock released');
  assert.ok(existsSync(join(state, 'pending.json')), 'the run stays pending, to be resumed');
  assert.deepEqual(readdirSync(join(out, `.${runId}.tmp`)).filter((f) => f.includes('.tmp-')), [], 'no temp file of an open output');
}

test('signals (library): a stop at every phase publishes nothing; the resumed run equals an uninterrupted one', async () => {
  const d = tmp('sf-sig-lib-');
  const inp = corpus(d, 3, 400);
  const cfg = resolveConfig(CORE_ONLY);
  const ref = await runClean({ inDir: inp, outDir: join(d, 'ref-out'), stateDir: join(d, 'ref-state'), cfg, workers: 1, runId: 'n' });
  assert.equal(ref.summary?.inputs, 1201);
  const want = snapshotOf(join(d, 'ref-out'), join(d, 'ref-state'));
  for (const at of ['planned', 'scored:0', 'deduped', 'settled', 'written']) {
    const out = join(d, `out-${at}`);
    const state = join(d, `state-${at}`);
    const stop = new AbortController();
    const r = await runClean({ inDir: inp, outDir: out, stateDir: state, cfg, workers: 1, runId: 'n', signal: stop.signal, onPhase: (p) => p === at && stop.abort('SIGTERM') });
    assert.equal(r.stoppedBy, 'SIGTERM', at);
    assert.equal(r.summary, null);
    assertStopped(out, state, 'n', 'SIGTERM');
    const again = await runClean({ inDir: inp, outDir: out, stateDir: state, cfg, workers: 1, runId: 'n' });
    assert.equal(again.resumed, true, at);
    const got = snapshotOf(out, state);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), at);
    for (const k of Object.keys(want)) assert.equal(got[k], want[k], `${at}: ${k}`);
  }
});

/** Start `clean`, send `signal` when its first "scored" log line arrives, and wait for the exit. */
function stopMidRun(args: string[], signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; sent: boolean }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    p.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
      if (!sent && /"message":"scored 1\//.test(stderr)) {
        sent = true;
        p.kill(signal);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stderr, sent }));
  });
}

test('signals (CLI): SIGTERM mid-run exits 143, SIGINT 130; lock released, stopped manifest; the rerun equals an uninterrupted run', async () => {
  const d = tmp('sf-sig-cli-');
  const inp = corpus(d, 4, 700);
  const base = (o: string, s: string, workers: string) => ['clean', '--in', inp, '--out', join(d, o), '--state', join(d, s), '--run-id', 'n', '--workers', workers];
  const ref = await runCli(base('ref-out', 'ref-state', '2'));
  assert.equal(ref.code, 0, ref.stderr);
  const want = snapshotOf(join(d, 'ref-out'), join(d, 'ref-state'));
  for (const [signal, code, workers] of [['SIGTERM', 143, '2'], ['SIGINT', 130, '1']] as const) {
    const [out, state] = [`out-${signal}`, `state-${signal}`];
    const r = await stopMidRun(base(out, state, workers), signal);
    assert.ok(r.sent, r.stderr);
    assert.equal(r.code, code, r.stderr);
    assert.match(r.stderr, new RegExp(`stopped by ${signal}`));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assertStopped(join(d, out), join(d, state), 'n', signal);
    const again = await runCli(base(out, state, workers));
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /resuming interrupted run n/);
    const got = snapshotOf(join(d, out), join(d, state));
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), signal);
    for (const k of Object.keys(want)) assert.equal(got[k], want[k], `${signal}: ${k}`);
  }
});
