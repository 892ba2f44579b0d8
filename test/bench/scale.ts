/**
 * Scale-out benchmark (`npm run bench -- scale`): `clean` as a job array (`--world-size N --rank R`, all ranks started
 * together as local processes on one shared --state) against this machine's share-nothing ceiling measured in the
 * same run: two independent single `clean` runs, each on one half of the input files, started together. The ratio
 * is ceiling wall time / ranks wall time (1.0: the ranks lose nothing to coordination; target >= 0.9 for 2 ranks).
 * 4 ranks on the 2 cores are reported too, and a single `clean` (N = 1) for reference.
 *
 * Every run's published output (shards, rejects, quarantine, normalised as the golden test does) is hashed: the
 * bench fails if N = 1, 2 and 4 or any two repetitions differ.
 * Corpus: generated prose (gen-prose.ts), --files files of --per-file records (~1 KB each), every scorer on.
 * Rows keep the best of --reps interleaved repetitions (default 3), the same rule for both sides of every ratio.
 * `--engine batch` runs every side with `dedup.engine: "batch"` (the LSH band shuffle as tasks; the ceiling's two cleans
 * too, so the ratio compares like with like) and reports the result as `scale-batch`.
 * Usage: node --import tsx test/bench/scale.ts [--files 8] [--per-file 1500] [--reps 3] [--engine index|batch]
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { normalise } from '../golden/golden-runs.js';
import { generateProse } from './gen-prose.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => (args.includes(k) ? Number(args[args.indexOf(k) + 1]) : d);
const FILES = opt('--files', 8);
const PER_FILE = opt('--per-file', 1500);
const REPS = opt('--reps', 3);
const ENGINE = args.includes('--engine') ? args[args.indexOf('--engine') + 1] : 'index';
if (ENGINE !== 'index' && ENGINE !== 'batch') throw new Error(`scale: --engine must be index or batch, got ${ENGINE}`);
const SETS = ['--set', 'origin.declared.field="meta.source"', '--set', 'origin.declared.synthetic=["gpt-4"]', ...(ENGINE === 'batch' ? ['--set', 'dedup.engine=batch'] : [])];

const base = join(ROOT, 'bench-out', ENGINE === 'batch' ? 'scale-batch' : 'scale');
rmSync(base, { recursive: true, force: true });
const whole = join(base, 'in');
generateProse(whole, FILES, 0, PER_FILE);
const names = readdirSync(whole).filter((f) => f.endsWith('.jsonl')).sort();
const halves = [names.slice(0, names.length >> 1), names.slice(names.length >> 1)].map((part, k) => {
  const dir = join(base, `in-half${k}`);
  mkdirSync(dir, { recursive: true });
  for (const f of part) copyFileSync(join(whole, f), join(dir, f));
  return dir;
});
const bytes = names.reduce((a, f) => a + statSync(join(whole, f)).size, 0);

/** Runs the processes together; resolves with the wall seconds until the last one exits (any failure throws). */
async function together(runs: string[][]): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(
    runs.map(
      (argv) =>
        new Promise<void>((res, rej) => {
          const p = spawn(process.execPath, [BIN, 'clean', ...argv, ...SETS], { stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
          p.on('exit', (code) => (code === 0 ? res() : rej(new Error(`clean ${argv.join(' ')} exited ${code}: ${err}`))));
        }),
    ),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** sha256 over the normalised published data files (shards, rejects, quarantine) under `out`. */
function outputHash(out: string): string {
  const h = createHash('sha256');
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const data = walk(out).filter((f) => /\.jsonl(\.gz|\.zst)?$/.test(f)).sort();
  if (data.length === 0) throw new Error(`no published output under ${out}`);
  for (const f of data) h.update(relative(out, f).replace(/^[^/]+\//, '')).update('\0').update(normalise(f, base)).update('\0');
  return h.digest('hex');
}

const ranks = (n: number, out: string, state: string): string[][] =>
  Array.from({ length: n }, (_, r) => ['--in', whole, '--out', out, '--state', state, '--world-size', String(n), '--rank', String(r)]);

const best: Record<string, number> = { ceiling: Infinity, n1: Infinity, ranks2: Infinity, ranks4: Infinity };
const hashes = new Map<string, string>();
for (let rep = 0; rep < REPS; rep++) {
  const d = (k: string) => join(base, `${k}-r${rep}`);
  const runs: Array<[string, string[][], string | null]> = [
    ['ceiling', halves.map((h, k) => ['--in', h, '--out', d(`out-half${k}`), '--state', d(`state-half${k}`)]), null],
    ['n1', [['--in', whole, '--out', d('out-n1'), '--state', d('state-n1')]], d('out-n1')],
    ['ranks2', ranks(2, d('out-ranks2'), d('state-ranks2')), d('out-ranks2')],
    ['ranks4', ranks(4, d('out-ranks4'), d('state-ranks4')), d('out-ranks4')],
  ];
  for (const [kind, argv, out] of runs) {
    best[kind] = Math.min(best[kind]!, await together(argv));
    if (out) hashes.set(`${kind} rep ${rep}`, outputHash(out));
  }
  for (const e of readdirSync(base)) if (e.endsWith(`-r${rep}`)) rmSync(join(base, e), { recursive: true, force: true });
}
const distinct = new Set(hashes.values());
if (distinct.size !== 1) {
  console.error('scale: published outputs differ:', Object.fromEntries(hashes));
  process.exitCode = 1;
}
const mb = bytes / 2 ** 20;
report(ENGINE === 'batch' ? 'scale-batch' : 'scale', {
  scope: `${(FILES * PER_FILE).toLocaleString()} records in ${FILES} files (${mb.toFixed(1)} MB), every scorer on, dedup.engine ${ENGINE}; ranks are local processes on one --state; best of ${REPS} interleaved repetitions`,
  target: '2 ranks >= 0.9 of the share-nothing ceiling (two single cleans on the halves, started together); output identical for N = 1, 2, 4',
  rows: [
    { run: 'ceiling: 2 independent cleans on the halves, together', seconds: +best.ceiling!.toFixed(2), mb_per_s: +(mb / best.ceiling!).toFixed(2) },
    { run: 'single clean (N = 1)', seconds: +best.n1!.toFixed(2), mb_per_s: +(mb / best.n1!).toFixed(2) },
    { run: '2 ranks (--world-size 2)', seconds: +best.ranks2!.toFixed(2), mb_per_s: +(mb / best.ranks2!).toFixed(2), of_ceiling: +(best.ceiling! / best.ranks2!).toFixed(3) },
    { run: '4 ranks on 2 cores (--world-size 4)', seconds: +best.ranks4!.toFixed(2), mb_per_s: +(mb / best.ranks4!).toFixed(2), of_ceiling: +(best.ceiling! / best.ranks4!).toFixed(3) },
    { run: 'published outputs identical (N = 1, 2, 4 and every repetition)', identical: distinct.size === 1 },
  ],
});
