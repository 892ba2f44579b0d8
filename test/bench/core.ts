/**
 * Pipeline-core benchmark: ~200k generated records of ~1 KB through the built CLI, against the floor of reading
 * the same bytes and JSON.parse-ing every line in a tight loop (no gunzip). Scope: one process, one core, stdout
 * to /dev/null. Usage: node --import tsx test/bench/core.ts [--records N]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--records') + 1] || 200_000) || 200_000;
const dir = join(ROOT, 'bench-out');
mkdirSync(dir, { recursive: true });
const file = join(dir, `core-${N}.jsonl`);

function gen(): void {
  const vocab = 'time year people way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force education'.split(' ');
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < N; i++) {
    const words: string[] = [];
    while (words.join(' ').length < 950) words.push(vocab[Math.floor(rnd() ** 2 * vocab.length)]!);
    out.push(JSON.stringify({ id: `doc-${i}`, text: words.join(' ') + '.', meta: { source: i % 5 ? 'web' : 'forum' } }));
  }
  writeFileSync(file, out.join('\n') + '\n');
}

if (!existsSync(file)) gen();
const bytes = statSync(file).size;

function floor(): number {
  const t0 = process.hrtime.bigint();
  const buf = readFileSync(file);
  let start = 0;
  let n = 0;
  for (;;) {
    const nl = buf.indexOf(10, start);
    if (nl < 0) break;
    JSON.parse(buf.toString('utf8', start, nl));
    n++;
    start = nl + 1;
  }
  if (n !== N) throw new Error(`floor parsed ${n}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

function cli(extra: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, '--quiet', ...extra, file], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`cli failed: ${r.stderr}`);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const best = (f: () => number, k = 3) => Math.min(...Array.from({ length: k }, f));
const off = ['--set', 'dedup.enabled=false', '--set', 'diversity.enabled=false', '--set', 'origin.enabled=false'];
// the floor and the pass-through run are interleaved (best of 5 each) so that a load swing on a shared machine hits
// both sides of the ratio alike rather than one block of runs
const REPS = 5;
const floors: number[] = [];
const passes: number[] = [];
floor(); // warm the page cache
for (let i = 0; i < REPS; i++) {
  floors.push(floor());
  passes.push(cli(off));
}
const tFloor = Math.min(...floors);
const tPass = Math.min(...passes);
const tExact = best(() => cli(['--set', 'dedup.near=false', '--set', 'diversity.enabled=false', '--set', 'origin.enabled=false']));
const row = (name: string, t: number) => ({ name, seconds: +t.toFixed(3), records_per_s: Math.round(N / t), mb_per_s: +(bytes / t / 1e6).toFixed(1), ratio_to_floor: +(tFloor / t).toFixed(2) });
report('core', {
  scope: `${N} records, ${(bytes / 1e6).toFixed(0)} MB JSONL, one process, stdout to /dev/null; floor and pass-through interleaved, best of ${REPS} each (exact dedup: best of 3)`,
  target: 'pass-through >= 0.60 of the floor',
  rows: [row('floor: read + JSON.parse per line', tFloor), row('CLI, all scorers disabled', tPass), row('CLI, exact dedup only', tExact)],
});

// ---- near-duplicate detection end to end through the CLI (issue 3's throughput target), on the dedup corpus
{
  const { existsSync: ex } = await import('node:fs');
  const { createFeaturizer } = await import('../../src/text/features.js');
  const corpus = join(dir, 'dedup-corpus-v1-100000-s42.jsonl');
  if (!ex(corpus)) {
    console.error('bench core: generating the dedup corpus (test/bench/gen-dedup-corpus.ts) ...');
    const g = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test', 'bench', 'dedup.ts'), '--docs', '100000', '--mem', '0', '--baseline', '0', '--check-truth', '0', '--reps', '1'], { stdio: ['ignore', 'ignore', 'inherit'] });
    if (g.status !== 0) throw new Error('corpus generation failed');
  }
  const cbytes = statSync(corpus).size;
  const lines = readFileSync(corpus, 'utf8').split('\n').filter(Boolean);
  const n = lines.length;
  const feat = createFeaturizer();
  const floorShingle = () => {
    const t0 = process.hrtime.bigint();
    const buf = readFileSync(corpus);
    let start = 0;
    let sink = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const rec = JSON.parse(buf.toString('utf8', start, nl));
      sink += feat(rec.text).shingles.length;
      start = nl + 1;
    }
    if (sink === 0) throw new Error('no shingles');
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const cliDedup = () => {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [BIN, '--quiet', ...off.slice(2), corpus], { stdio: ['ignore', 'ignore', 'pipe'] });
    if (r.status !== 0) throw new Error(`cli failed: ${r.stderr}`);
    return Number(process.hrtime.bigint() - t0) / 1e9;
  };
  const tf = best(floorShingle);
  const tc = best(cliDedup);
  const r2 = (name: string, t: number) => ({ name, seconds: +t.toFixed(3), docs_per_s: Math.round(n / t), mb_per_s: +(cbytes / t / 1e6).toFixed(1), ratio_to_floor: +(tf / t).toFixed(2) });
  report('dedup-cli', {
    scope: `${n} docs of the dedup benchmark corpus (${(cbytes / 1e6).toFixed(0)} MB), one process, best of 3`,
    target: '>= 10,000 docs/s end to end through the CLI with exact + near dedup',
    rows: [r2('floor: read + JSON.parse + normalise + shingle-hash', tf), r2('CLI, exact + near dedup (diversity, origin off)', tc)],
  });
}
