/**
 * Keep-best benchmark (`npm run bench -- keepbest`, issue 19): does `clean` leave one record per near-duplicate
 * cluster for every `dedup.keep`?
 *
 * Corpus: a held-out sample of test/bench/gen-dedup-corpus.ts (30k documents, seed 7; the dedup benchmark tunes on
 * seed 42) with its planted exact and near duplicates, in 10 files; every document gets a declared origin
 * (meta.source: 30% "gpt-4", declared synthetic, the rest "human"), so human-first has labels to act on. The diversity
 * rules and the detector are off (the generator's vocabulary is synthetic; this measures dedup only), and the
 * synthetic cap is lifted (route.maxSyntheticShare=1) so that routing removes nothing.
 *
 * For each dedup.keep, one `clean` run through the built CLI; the kept records are read back from the published
 * shards. Residual near-duplicate pairs = pairs of kept records whose shingle sets (the dedup featurizer's, with the
 * default config) have Jaccard >= dedup.threshold, found exactly (near-pairs.ts). The denominator is every such pair
 * in the input ("near-duplicate pairs in the input"). Target: residual <= 0.5% of the input pairs for every mode,
 * kept count within 3% of today's.
 * Usage: node --import tsx test/bench/keepbest.ts [--docs 30000] [--seed 7] [--modes first,longest,human-first]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { report } from './report.js';
import { generateCorpus, Rng } from './gen-dedup-corpus.js';
import { jaccardSorted, nearPairs } from './near-pairs.js';
import { resolveConfig } from '../../src/config/index.js';
import { createFeaturizer } from '../../src/text/features.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const DOCS = Number(opt('--docs', '30000'));
const SEED = Number(opt('--seed', '7'));
const MODES = opt('--modes', 'first,longest,human-first').split(',');
const FILES = 10;

const base = join(ROOT, 'bench-out', 'keepbest');
rmSync(base, { recursive: true, force: true });
const inDir = join(base, 'in');
mkdirSync(inDir, { recursive: true });

// ---- corpus: held-out seed, declared origin on every record, 10 files in input order
const { records, meta } = generateCorpus({ docs: DOCS, seed: SEED });
const rng = new Rng(SEED ^ 0x51ed);
const rows = records.map((r) => JSON.stringify({ id: r.id, text: r.text, meta: { source: rng.chance(0.3) ? 'gpt-4' : 'human' } }));
const per = Math.ceil(rows.length / FILES);
for (let f = 0; f < FILES; f++) writeFileSync(join(inDir, `part-${String(f).padStart(2, '0')}.jsonl`), rows.slice(f * per, (f + 1) * per).join('\n') + '\n');
const planted = meta.filter((m) => m.src >= 0).length;

// ---- the dedup view of every record: shingle sets as the scorer computes them
const cfg = resolveConfig();
const d = cfg.dedup as unknown as { threshold: number; seed: number; shingle: { unit: 'word' | 'char'; size: number }; normalize: Record<string, unknown> };
const featurize = createFeaturizer({ ...(d.normalize as object), shingleUnit: d.shingle.unit, shingleSize: d.shingle.size, seed: d.seed } as Parameters<typeof createFeaturizer>[0]);
const shinglesOf = new Map<string, Uint32Array>();
for (const r of records) shinglesOf.set(r.id, featurize(r.text).shingles);
const inputPairs = nearPairs(records.map((r) => shinglesOf.get(r.id)!), d.threshold).length;

const SETS = [
  'diversity.enabled=false',
  'origin.enabled=false',
  'origin.declared.field="meta.source"',
  'origin.declared.synthetic=["gpt-4"]',
  'origin.declared.human=["human"]',
  'route.maxSyntheticShare=1',
];

/** ids of the records a published run kept (every shard-*.jsonl[.gz] of the run directory) */
function keptIds(outDir: string): string[] {
  const runDir = join(outDir, readdirSync(outDir).find((x) => x.startsWith('run-'))!);
  const ids: string[] = [];
  for (const f of readdirSync(runDir).filter((x) => /^shard-.*\.jsonl(\.gz)?$/.test(x)).sort()) {
    const buf = readFileSync(join(runDir, f));
    const text = (f.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
    for (const line of text.split('\n')) if (line) ids.push((JSON.parse(line) as { id: string }).id);
  }
  return ids;
}

/** id -> dup.of of the records a run rejected as duplicates (its rejects files, listed in the manifest) */
function dupOfRejected(outDir: string): Map<string, string> {
  const runDir = join(outDir, readdirSync(outDir).find((x) => x.startsWith('run-'))!);
  const m = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as { rejects: Array<{ file: string }> };
  const of = new Map<string, string>();
  for (const r of m.rejects) {
    const buf = readFileSync(join(runDir, r.file));
    for (const line of (r.file.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8').split('\n')) {
      if (!line) continue;
      const rec = JSON.parse(line) as { id: string; synthfilter?: { dup?: { of?: string | null } } };
      const o = rec.synthfilter?.dup?.of;
      if (o) of.set(rec.id, o);
    }
  }
  return of;
}
const jac = (a: string, b: string) => jaccardSorted(shinglesOf.get(a)!, shinglesOf.get(b)!);

const out: Array<Record<string, unknown>> = [];
// a record kept by keep-best but dropped by keep-first was promoted over its cluster's first member: counting the
// residual pairs that involve one tells whether the promotions cause them
let keptFirst: Set<string> | null = null;
let rootOf: Map<string, string> | null = null; // keep-first: a dropped record -> the kept record it duplicates
for (const keep of MODES) {
  const o = join(base, `out-${keep}`);
  const st = join(base, `state-${keep}`);
  const r = spawnSync(process.execPath, [BIN, 'clean', '--quiet', '--in', inDir, '--out', o, '--state', st, '--set', `dedup.keep=${keep}`, ...SETS.flatMap((x) => ['--set', x])], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`clean (keep ${keep}) failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const kept = keptIds(o);
  const pairs = nearPairs(kept.map((id) => shinglesOf.get(id)!), d.threshold);
  const residual = pairs.length;
  if (keep === 'first') {
    keptFirst = new Set(kept);
    rootOf = dupOfRejected(o);
  }
  // why a residual pair survives keep-best: a promoted record p (dropped by keep-first as a duplicate of the root r
  // it matched) against a record x that was only ever compared with r (J(x, r) < t) but duplicates p; or two
  // promoted records whose roots are not near duplicates of each other
  let promoted = 0;
  let vsRootOnly = 0;
  let twoPromoted = 0;
  if (keptFirst && rootOf && keep !== 'first') {
    for (const [i, j] of pairs) {
      const [a, b] = [kept[i]!, kept[j]!];
      const pa = !keptFirst.has(a);
      const pb = !keptFirst.has(b);
      if (!pa && !pb) continue;
      promoted++;
      if (pa && pb) twoPromoted++;
      else {
        const [p, x] = pa ? [a, b] : [b, a];
        const r = rootOf.get(p);
        if (r !== undefined && jac(x, r) < d.threshold) vsRootOnly++;
      }
    }
  }
  out.push({
    keep,
    kept: kept.length,
    residual_pairs: residual,
    pct_of_input_pairs: +((100 * residual) / Math.max(1, inputPairs)).toFixed(2),
    with_a_promoted_record: keep === 'first' ? '-' : promoted,
    'promoted vs a record below t with its root': keep === 'first' ? '-' : vsRootOnly,
    'both promoted': keep === 'first' ? '-' : twoPromoted,
  });
  console.error(`keepbest: ${keep}: kept ${kept.length}, residual ${residual}`);
}
report('keepbest', {
  scope: `${DOCS.toLocaleString()} generated documents (seed ${SEED}, held out), ${planted.toLocaleString()} planted exact/near copies, ${inputPairs.toLocaleString()} near-duplicate pairs (Jaccard >= ${d.threshold} on the dedup shingles) in the input; one clean run per dedup.keep, diversity and detector off, declared origin (30% synthetic), no synthetic cap`,
  target: 'residual near-duplicate pairs among kept records <= 0.5% of the input pairs for every dedup.keep; kept count within 3% of today',
  rows: out,
});
