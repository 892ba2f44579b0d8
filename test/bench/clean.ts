/**
 * Nightly-job benchmark (`npm run bench -- clean`):
 *  1. incremental: a full night over 10 files, then a night where 1 new file arrives (10% new): time ratio
 *     (target <= 0.15); on the default corpus (15k records) and on larger ones (--scales, default 4x and 16x: 60k and
 *     240k), since a run has a fixed cost;
 *  2. parallel: the same 10 files with --workers 1 and --workers 2 (target >= 1.7x on 2 cores, CPU-bound corpus:
 *     every scorer on), next to what bounds it: this machine's ceiling for two scoring threads that share nothing,
 *     the run's sequential part (from the runs' phase timings), and Amdahl's bound from the two;
 *  2b. the nightly report on the larger nights: page size and the collector's cost per record (report-cost.ts);
 *  3. state scale: 1M indexed records (dedup index + exact set + ids + ledger) saved and loaded through the file
 *     state store (targets <= 5 s each, <= 1 KB per record on disk).
 * Corpus: generated prose-like text (seeded), ~1 KB per record, with planted near-duplicates.
 * Rows 1-2 keep the best of --reps interleaved runs (default 3): this VM's speed varies from minute to minute.
 * Usage: node --import tsx test/bench/clean.ts [--per-file N] [--state-records N] [--reps N] [--scales 4,16]
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, rmSync, writeFileSync, statSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { report } from './report.js';
import { reportCost } from './report-cost.js';
import { resolveConfig, fingerprint } from '../../src/config/index.js';
import { buildScorers } from '../../src/score/build.js';
import { FileStateStore } from '../../src/state/file-store.js';
import { Ledger } from '../../src/state/ledger.js';
import type { Features } from '../../src/types.js';
import { generateProse } from './gen-prose.js';

const args = process.argv.slice(2);
// child mode: time loading a saved state in a fresh process (as a nightly run starts), print seconds
if (args[0] === '--load-child') {
  const cfg = resolveConfig();
  const t1 = process.hrtime.bigint();
  const snap = new FileStateStore(args[1]!).load(fingerprint(cfg))!;
  const scorer = buildScorers(cfg, { dedupSnapshot: snap.dedup, scoring: false }).dedup!;
  const secs = Number(process.hrtime.bigint() - t1) / 1e9;
  process.stdout.write(JSON.stringify({ seconds: secs, records: scorer.size }) + '\n');
  process.exit(0);
}
const opt = (k: string, d: number) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const PER_FILE = opt('--per-file', 1500);
const STATE_N = opt('--state-records', 1_000_000);
const base = join(ROOT, 'bench-out', 'clean');
rmSync(base, { recursive: true, force: true });
mkdirSync(base, { recursive: true });

/** the bench's configuration, as --set arguments and as the equivalent overrides object */
const OVERRIDES = { origin: { declared: { field: 'meta.source', synthetic: ['gpt-4'], human: [] as string[] } } };
const SETS = Object.entries(OVERRIDES.origin.declared).map(([k, v]) => `origin.declared.${k}=${JSON.stringify(v)}`);
/** phases of the last timed run of each kind (seconds since process start at each phase end, from the summary) */
const lastPhases: Record<string, Record<string, number>> = {};
function clean(inDir: string, out: string, state: string, workers: number, kind = `w${workers}`): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, 'clean', '--in', inDir, '--out', out, '--state', state, '--workers', String(workers), ...SETS.flatMap((x) => ['--set', x])], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`clean failed: ${r.stderr}`);
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const m = /"phases":(\{[^}]*\})/.exec(r.stderr);
  if (m) lastPhases[kind] = { ...(JSON.parse(m[1]!) as Record<string, number>), exit: secs };
  return secs;
}

/**
 * This machine's ceiling for the scoring phase: the throughput of two scoring threads that share nothing (each scores
 * its own copy of the files, exactly as clean's threads do) against one thread alone. On a VM the two vCPUs may be
 * hyperthreads of one core or have noisy neighbours, so this is often well below 2.
 */
async function ceiling(files: string[], reps: number): Promise<{ one: number; two: number; speedup: number }> {
  const { Worker } = await import('node:worker_threads');
  const spoolDir = join(base, 'ceiling');
  mkdirSync(spoolDir, { recursive: true });
  const url = new URL('./ceiling-worker.mjs', import.meta.url);
  const round = async (n: number): Promise<number> => {
    const ws = Array.from({ length: n }, (_, k) => new Worker(url, { workerData: { overrides: OVERRIDES, warm: files[0], files: files.slice(1), spoolDir, tag: `t${k}` } }));
    await Promise.all(ws.map((w) => new Promise<void>((res, rej) => { w.once('message', () => res()); w.once('error', rej); })));
    const times = await Promise.all(ws.map((w) => new Promise<number>((res, rej) => { w.once('message', res); w.once('error', rej); w.postMessage('go'); })));
    await Promise.all(ws.map((w) => w.terminate()));
    return Math.max(...times);
  };
  let one = Infinity;
  let two = Infinity;
  for (let r = 0; r < reps; r++) {
    one = Math.min(one, await round(1));
    two = Math.min(two, await round(2));
  }
  rmSync(spoolDir, { recursive: true, force: true });
  return { one, two, speedup: (2 * one) / two };
}

// 1 + 2: incremental and parallel. The machine may be shared (a VM with noisy neighbours): runs are interleaved
// and the best of --reps is kept for each row, the same rule for both sides of every ratio.
const REPS = opt('--reps', 3);
const bestOf = (n: number, f: (rep: number) => number): number => {
  let b = Infinity;
  for (let r = 0; r < n; r++) b = Math.min(b, f(r));
  return b;
};
const inc = join(base, 'in');
generateProse(inc, 10, 0, PER_FILE);
const records = 10 * PER_FILE;
let tFull1 = Infinity;
let tFull2 = Infinity;
const bestPhases: Record<string, Record<string, number>> = {};
for (let r = 0; r < REPS; r++) {
  for (const d of ['out-w1', 'state-w1', 'out-w2', 'state-w2']) rmSync(join(base, d), { recursive: true, force: true });
  const t1 = clean(inc, join(base, 'out-w1'), join(base, 'state-w1'), 1);
  if (t1 < tFull1) [tFull1, bestPhases['w1']] = [t1, lastPhases['w1']!];
  const t2 = clean(inc, join(base, 'out-w2'), join(base, 'state-w2'), 2);
  if (t2 < tFull2) [tFull2, bestPhases['w2']] = [t2, lastPhases['w2']!];
}
// what limits the two-worker ratio: the scoring phase by this machine's two-thread ceiling, and the whole run by the
// parts that stay sequential (process start to the plan; the routing tail after dedup: route, write, report, state
// commit, exit). Amdahl's law with one worker's own split gives an estimate, not a hard bound: one worker's
// scoring phase also overlaps some work on the second core (GC, output compression)
const ceil = await ceiling(readdirSync(inc).filter((f) => f.endsWith('.jsonl')).sort().slice(0, 4).map((f) => join(inc, f)), REPS);
const seqOf = (ph: Record<string, number> | undefined) => (ph ? (ph['planned'] ?? 0) + (ph['exit']! - (ph['deduped'] ?? ph['exit']!)) : NaN);
const seq1 = seqOf(bestPhases['w1']);
const seq2 = seqOf(bestPhases['w2']);
const amdahl = tFull1 / (seq1 + (tFull1 - seq1) / ceil.speedup);
/** a night with one new file on top of `state` (copied per repetition, so every repetition starts alike) */
const nextNight = (dir: string, state: string, tag: string, reps: number): number =>
  bestOf(reps, (r) => {
    const st = join(base, `${tag}-state-r${r}`);
    cpSync(state, st, { recursive: true });
    const t = clean(dir, join(base, `${tag}-out-r${r}`), st, 2);
    rmSync(st, { recursive: true, force: true });
    rmSync(join(base, `${tag}-out-r${r}`), { recursive: true, force: true });
    return t;
  });
generateProse(inc, 1, 10, PER_FILE); // one new file: 10% of the corpus
const tInc = nextNight(inc, join(base, 'state-w2'), 'inc', REPS);
// the same night shape on larger corpora (--scales, default 4x and 16x): a run's fixed cost (process start, scoring
// threads loading the detector and warming up, state load and commit: ~0.6 s) weighs less against the incremental work
const SCALES = (args.includes('--scales') ? args[args.indexOf('--scales') + 1]! : '4,16').split(',').map(Number).filter((x) => x > 0);
const scaleRows: Array<Record<string, unknown>> = [];
const reportRows: Array<Record<string, unknown>> = [];
for (const k of SCALES) {
  const big = join(base, `in-x${k}`);
  generateProse(big, 10, 100 * k, PER_FILE * k);
  const n = records * k;
  const full = bestOf(Math.min(REPS, 2), () => {
    rmSync(join(base, `out-x${k}`), { recursive: true, force: true });
    rmSync(join(base, `state-x${k}`), { recursive: true, force: true });
    return clean(big, join(base, `out-x${k}`), join(base, `state-x${k}`), 2);
  });
  reportRows.push(await reportCost({ overrides: OVERRIDES, inDir: big, outDir: join(base, `out-x${k}`), stateDir: join(base, `state-x${k}`), records: n, nightSeconds: full }));
  generateProse(big, 1, 100 * k + 10, PER_FILE * k);
  const next = nextNight(big, join(base, `state-x${k}`), `x${k}`, REPS);
  for (const d of [big, join(base, `out-x${k}`), join(base, `state-x${k}`)]) rmSync(d, { recursive: true, force: true });
  scaleRows.push(
    { run: `full night, ${n.toLocaleString()} records, --workers 2`, seconds: +full.toFixed(2), records_per_s: Math.round(n / full) },
    { run: `next night, 1 new file (10%), ${n.toLocaleString()} records, --workers 2`, seconds: +next.toFixed(2), ratio_to_full: +(next / full).toFixed(3) },
  );
}
report('clean', {
  scope:
    `${records.toLocaleString()} records in 10 files (~1 KB each), all scorers on (origin declared for 25%), then 1 new file; ` +
    `the same on ${SCALES.map((k) => (records * k).toLocaleString()).join(' and ')} records; best of ${REPS} interleaved runs per row (full nights of the larger corpora: best of ${Math.min(REPS, 2)})`,
  target: 'incremental night <= 0.15 of the full run; 2 workers >= 1.7x one worker',
  rows: [
    { run: 'full night, --workers 1', seconds: +tFull1.toFixed(2), records_per_s: Math.round(records / tFull1) },
    { run: 'full night, --workers 2', seconds: +tFull2.toFixed(2), records_per_s: Math.round(records / tFull2), speedup_vs_1: +(tFull1 / tFull2).toFixed(2) },
    { run: 'sequential part of the run (start to plan + routing tail), --workers 1 / 2', seconds: `${seq1.toFixed(2)} / ${seq2.toFixed(2)}` },
    { run: 'ceiling: 2 scoring threads sharing nothing vs 1 (3 files each, after a warm-up file)', seconds: `${ceil.one.toFixed(2)} / ${ceil.two.toFixed(2)}`, speedup_vs_1: +ceil.speedup.toFixed(2) },
    { run: 'estimate for 2 workers: Amdahl with the sequential part of --workers 1 and that ceiling', speedup_vs_1: +amdahl.toFixed(2) },
    { run: 'next night, 1 new file (10%), --workers 2', seconds: +tInc.toFixed(2), ratio_to_full: +(tInc / tFull2).toFixed(3) },
    ...scaleRows,
  ],
});
report('report', {
  scope: 'the nightly report on the full nights above: page size, and the collector (NightStats.observe) per record, timed in-process over outcomes of the bench corpus',
  target: 'report.html <= 1 MB for a 1M-record night (bounded data); collector overhead small against the night',
  rows: reportRows,
});

// 3: state scale
{
  const cfg = resolveConfig();
  const dedup = buildScorers(cfg).dedup!;
  const ledger = new Ledger();
  let s = 5;
  const buf = new Uint32Array(400);
  for (let i = 0; i < STATE_N; i++) {
    const k = 150 + (i % 100);
    let x = 0;
    for (let j = 0; j < k; j++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      x += 1 + (s % Math.floor(2 ** 32 / (k + 1)));
      buf[j] = Math.min(x, 2 ** 32 - 1);
    }
    const hi = (Math.imul(i, 2654435761) ^ 0x5bd1e995) >>> 0;
    const lo = (Math.imul(i + 7, 40503) ^ s) >>> 0;
    const f = { shingles: buf.subarray(0, k), exactHash: new Uint32Array([hi, lo]) } as unknown as Features;
    dedup.commit(`doc-${String(i).padStart(7, '0')}`, f);
    ledger.note(hi, lo, 'run-1', i % 5 === 0 ? 'synthetic' : 'human', (i % 100) / 100, true);
  }
  const dir = join(base, 'state-1m');
  const store = new FileStateStore(dir);
  const fp = fingerprint(cfg);
  const t0 = process.hrtime.bigint();
  store.save({ fingerprint: fp, generation: 0, dedup: dedup.serializeParts(), tail: { docs: STATE_N, df: new Uint32Array(2 << 20) }, ledger, registry: {}, runs: [] });
  const tSave = Number(process.hrtime.bigint() - t0) / 1e9;
  // loading is timed in a fresh process, as a nightly run would do it (this one still holds the built state)
  const child = spawnSync(process.execPath, ['--import', 'tsx', new URL(import.meta.url).pathname, '--load-child', dir], { encoding: 'utf8' });
  if (child.status !== 0) throw new Error(`load child failed: ${child.stderr}`);
  const loaded = JSON.parse(child.stdout.trim().split('\n').pop()!) as { seconds: number; records: number };
  if (loaded.records !== STATE_N) throw new Error(`loaded ${loaded.records} records, expected ${STATE_N}`);
  const tLoad = loaded.seconds;
  const gdir = join(dir, readdirSync(dir).find((d) => d.startsWith('gen-'))!);
  const bytes = readdirSync(gdir).reduce((a, f) => a + statSync(join(gdir, f)).size, 0);
  const tailBytes = statSync(join(gdir, 'tail.bin')).size;
  report('state', {
    scope: `${STATE_N.toLocaleString()} indexed records (dedup index + exact set + ids, ledger), file state store`,
    target: 'save and load <= 5 s each; <= 1 KB per record on disk',
    rows: [
      { what: 'save (write generation, fsync, switch pointer)', seconds: +tSave.toFixed(2) },
      { what: 'load in a fresh process (read + restore index)', seconds: +tLoad.toFixed(2) },
      { what: 'bytes on disk per record (excluding the fixed 8 MB tail sketch)', bytes: Math.round((bytes - tailBytes) / STATE_N) },
      { what: 'bytes on disk per record (all files)', bytes: Math.round(bytes / STATE_N) },
    ],
  });
}
