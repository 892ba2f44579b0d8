import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const BIN = join(ROOT, 'dist', 'cli', 'bin.js');

export function tmp(prefix = 'sf-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export interface RunOut {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Spawn the built CLI. `input` is written to stdin (then closed) unless null. */
export function runCli(args: string[], input: string | Buffer | null = '', opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunOut> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [BIN, ...args], { cwd: opts.cwd ?? ROOT, env: { ...process.env, ...opts.env } });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (d) => (stdout += d));
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    if (input !== null) p.stdin.end(input);
  });
}

export const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';

/** Deterministic pseudo-random text of `words` words from a small vocabulary (seeded LCG). */
export function fakeText(seed: number, words = 60): string {
  const vocab = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up said what its about into than them can only other new some could time these two may then do first any my now such like our over man me even most made after also did many before must through back years where much your way well down should because each just those people'.split(' ');
  let s = seed >>> 0 || 1;
  const out: string[] = [];
  for (let i = 0; i < words; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(vocab[s % vocab.length]!);
  }
  return out.join(' ');
}

/** The pipeline core alone: the tests that feed filler text switch the text-quality scorers off. */
export const CORE_ONLY = { diversity: { enabled: false }, origin: { enabled: false } };
export const CORE_ONLY_FLAGS = ['--set', 'diversity.enabled=false', '--set', 'origin.enabled=false'];

/** Every file below `dir` by its path (prefixed with `rel`), read by `read`: for comparing whole output trees. */
export function readTree(dir: string, rel: string, read: (path: string, name: string) => string, into: Record<string, string> = {}): Record<string, string> {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    const r = `${rel}/${e.name}`;
    if (e.isDirectory()) readTree(p, r, read, into);
    else into[r] = read(p, e.name);
  }
  return into;
}

/** A run's published text with wall-clock start times blanked. */
export const blankStartTimes = (s: string): string => s.replace(/"started_?[aA]t":\s*"[^"]*"/g, '"startedAt":"-"').replace(/started [0-9T:.\-Z]+/g, 'started -');
