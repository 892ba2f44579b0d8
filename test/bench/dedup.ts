/**
 * Near-duplicate benchmark: quality (precision/recall/F1 of "drop" decisions against exact ground truth),
 * throughput (kernel + index alone, and end to end against the text-layer floor measured in the same run), retained
 * bytes per record, peak RSS at 1M records (child process), and the `minhash` npm package as a baseline.
 * --sweep adds the variants table used to choose the defaults (numPerm, bands x rows weighting, verify, sketch).
 *
 *   node --import tsx test/bench/dedup.ts [--docs 100000] [--seed 42] [--baseline 5000] [--mem 1000000]
 *                                         [--sweep] [--reps 2] [--check-truth 5000] [--threshold 0.8]
 *
 * Corpus: test/bench/gen-dedup-corpus.ts (seeded, cached under bench-out/). Ground truth: keep-first over the
 * stream; a document is a drop when its normalised text equals an earlier kept document's, or (>= 1 shingle)
 * when some earlier kept document has shingle-set Jaccard >= threshold. Every Jaccard is exact (merge of the two
 * shingle sets). Candidates are enumerated with prefix filtering (provably complete for J >= 0.6, see
 * `groundTruth`), and each run checks it against a plain all-pairs enumeration (inverted index over every shingle
 * of every kept document, all documents sharing any shingle) on the first --check-truth docs (default 5000).
 * Scope: single thread, in-memory input lines (JSON.parse per line is part of the timed work; disk I/O is not).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { createFeaturizer, type Featurizer } from '../../src/text/features.js';
import type { Features } from '../../src/types.js';
import { DEDUP_DEFAULTS, createDedupScorer, dedupTextOptions, type DedupConfig } from '../../src/score/dedup/index.js';
import { GEN_VERSION, generateCorpus, Rng } from './gen-dedup-corpus.js';

const args = process.argv.slice(2);
const flag = (k: string) => args.includes(k);
const opt = (k: string, d: number) => {
  const i = args.indexOf(k);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : d;
};

const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

// ---------------------------------------------------------------------------------------------------------------
// 1M-record memory probe (runs in a child process so its RSS is its own)
// ---------------------------------------------------------------------------------------------------------------
function memChild(n: number, avgShingles: number): void {
  const scorer = createDedupScorer(DEDUP_DEFAULTS);
  const rng = new Rng(7);
  const buf = new Uint32Array(avgShingles * 2 + 8);
  let peak = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    // a synthetic document: ~avgShingles distinct sorted shingle hashes (cumulative random gaps)
    const k = Math.max(5, Math.round(avgShingles * (0.6 + 0.8 * rng.float())));
    const mean = 2 ** 32 / (k + 1);
    let x = 0;
    for (let j = 0; j < k; j++) {
      x += 1 + Math.floor(rng.float() * 2 * mean);
      buf[j] = Math.min(x, 2 ** 32 - 1);
    }
    const f = { shingles: buf.subarray(0, k), exactHash: new Uint32Array([rng.u32(), rng.u32()]) } as unknown as Features;
    scorer.commit(`doc-${String(i).padStart(7, '0')}`, f);
    if ((i & 0xffff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const secs = (performance.now() - t0) / 1000;
  (globalThis as { gc?: () => void }).gc?.();
  const m = process.memoryUsage();
  // the kernel's high-water mark (includes the moments when a growing array and its copy coexist)
  peak = Math.max(peak, m.rss, process.resourceUsage().maxRSS * 1024);
  process.stdout.write(
    JSON.stringify({ n, secs, rss: m.rss, peakRss: peak, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, bytesPerRecord: scorer.bytesPerRecord(), stats: scorer.stats() }) + '\n',
  );
}

function runMemChild(n: number, avgShingles: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const self = fileURLToPath(import.meta.url);
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', self, '--mem-child', String(n), '--mem-shingles', String(avgShingles)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`memory probe exited with ${code}`));
      resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, unknown>);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Ground truth: exhaustive keep-first over an inverted index of every shingle of every kept document
// ---------------------------------------------------------------------------------------------------------------
interface Truth {
  drop: Uint8Array;
  kind: Uint8Array; // 0 none, 1 exact, 2 near
  of: Int32Array;
  /** max Jaccard against any earlier kept document (-1 for short texts) */
  maxJ: Float64Array;
}

/** Open-addressing token table: hash -> chain head over (doc, next) entries. */
class Postings {
  private keys: Uint32Array;
  private heads: Int32Array;
  private mask: number;
  readonly doc: Int32Array;
  readonly next: Int32Array;
  private n = 0;
  constructor(maxEntries: number) {
    let cap = 1024;
    while (cap < maxEntries * 2) cap *= 2;
    this.mask = cap - 1;
    this.keys = new Uint32Array(cap);
    this.heads = new Int32Array(cap);
    this.doc = new Int32Array(maxEntries);
    this.next = new Int32Array(maxEntries);
  }
  private find(h: number): number {
    const mask = this.mask;
    let i = (Math.imul(h, 0x9e3779b1) >>> 6) & mask;
    while (this.heads[i] !== 0 && this.keys[i] !== h) i = (i + 1) & mask;
    return i;
  }
  /** first entry (+1) of the chain of token h, 0 if none */
  head(h: number): number {
    return this.heads[this.find(h)]!;
  }
  add(h: number, doc: number): void {
    const i = this.find(h);
    this.keys[i] = h;
    this.doc[this.n] = doc;
    this.next[this.n] = this.heads[i]!;
    this.heads[i] = ++this.n;
  }
}

function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let c = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      c++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return c / (a.length + b.length - c);
}

/**
 * Exhaustive keep-first truth: every earlier kept document sharing any shingle is enumerated through an inverted
 * index over all shingles, and its exact Jaccard is computed. Quadratic on boilerplate-heavy corpora; used on a
 * prefix of the corpus to check `groundTruth`.
 */
function groundTruthAllPairs(norms: string[], shingles: Uint32Array[], t: number): Truth {
  const n = norms.length;
  let total = 0;
  for (const s of shingles) total += s.length;
  const post = new Postings(total);
  const counts = new Int32Array(n);
  const touched = new Int32Array(n);
  const exact = new Map<string, number>();
  const out: Truth = { drop: new Uint8Array(n), kind: new Uint8Array(n), of: new Int32Array(n).fill(-1), maxJ: new Float64Array(n) };
  for (let d = 0; d < n; d++) {
    const a = shingles[d]!;
    let nt = 0;
    for (let k = 0; k < a.length; k++) {
      for (let e = post.head(a[k]!) - 1; e >= 0; e = post.next[e]! - 1) {
        const doc = post.doc[e]!;
        if (counts[doc]++ === 0) touched[nt++] = doc;
      }
    }
    let best = -1;
    let maxJ = a.length === 0 ? -1 : 0;
    for (let q = 0; q < nt; q++) {
      const doc = touched[q]!;
      const c = counts[doc]!;
      counts[doc] = 0;
      const j = c / (a.length + shingles[doc]!.length - c);
      if (j > maxJ) maxJ = j;
      if (j >= t && (best < 0 || doc < best)) best = doc;
    }
    if (settle(out, d, norms[d]!, exact, best, maxJ)) for (let k = 0; k < a.length; k++) post.add(a[k]!, d);
  }
  return out;
}

/** Record document d's truth; returns true when d is kept (and must be indexed). */
function settle(out: Truth, d: number, norm: string, exact: Map<string, number>, best: number, maxJ: number): boolean {
  out.maxJ[d] = maxJ;
  const ex = exact.get(norm);
  if (ex !== undefined) {
    out.drop[d] = 1;
    out.kind[d] = 1;
    out.of[d] = ex;
    return false;
  }
  if (best >= 0) {
    out.drop[d] = 1;
    out.kind[d] = 2;
    out.of[d] = best;
    return false;
  }
  exact.set(norm, d);
  return true;
}

/**
 * The same truth, computed with prefix filtering so it scales to boilerplate-heavy corpora. Shingles are ordered
 * globally by (document frequency, hash); if J(A, B) >= tLow then A's first |A| - ceil(tLow|A|) + 1 shingles and
 * B's first |B| - ceil(tLow|B|) + 1 share at least one shingle, so indexing only those prefixes still enumerates
 * every pair with J >= tLow; each candidate's Jaccard is then computed exactly by a merge. With tLow below the
 * threshold, `maxJ` is exact wherever it is >= tLow. Checked against `groundTruthAllPairs` on a prefix.
 */
function groundTruth(norms: string[], shingles: Uint32Array[], t: number, tLow = Math.min(t, 0.6)): Truth {
  const n = norms.length;
  let total = 0;
  for (const s of shingles) total += s.length;
  // document frequencies: open-addressing counter over every shingle occurrence
  let cap = 1024;
  while (cap < total * 1.5) cap *= 2;
  const mask = cap - 1;
  const keys = new Uint32Array(cap);
  const counts = new Uint32Array(cap);
  const slot = (h: number): number => {
    let i = (Math.imul(h, 0x9e3779b1) >>> 5) & mask;
    while (counts[i] !== 0 && keys[i] !== h) i = (i + 1) & mask;
    return i;
  };
  for (const s of shingles) {
    for (let k = 0; k < s.length; k++) {
      const i = slot(s[k]!);
      keys[i] = s[k]!;
      counts[i]!++;
    }
  }
  const dfOf = (h: number): number => counts[slot(h)]!;
  const prefixLen = (len: number) => Math.min(len, len - Math.max(1, Math.floor(tLow * len)) + 1);
  const post = new Postings(total);
  const seen = new Int32Array(n).fill(-1);
  const exact = new Map<string, number>();
  const out: Truth = { drop: new Uint8Array(n), kind: new Uint8Array(n), of: new Int32Array(n).fill(-1), maxJ: new Float64Array(n) };
  const order = new Float64Array(4096);
  for (let d = 0; d < n; d++) {
    const a = shingles[d]!;
    const len = a.length;
    let ordered: Float64Array = order;
    if (len > order.length) ordered = new Float64Array(len);
    for (let k = 0; k < len; k++) ordered[k] = dfOf(a[k]!) * 4294967296 + a[k]!;
    const sorted = ordered.subarray(0, len).sort();
    const p = prefixLen(len);
    let best = -1;
    let maxJ = len === 0 ? -1 : 0;
    for (let k = 0; k < p; k++) {
      const h = sorted[k]! % 4294967296;
      for (let e = post.head(h) - 1; e >= 0; e = post.next[e]! - 1) {
        const doc = post.doc[e]!;
        if (seen[doc] === d) continue;
        seen[doc] = d;
        const b = shingles[doc]!;
        if (b.length < tLow * len || len < tLow * b.length) continue; // length filter (J <= min/max)
        const j = jaccardSorted(a, b);
        if (j > maxJ) maxJ = j;
        if (j >= t && (best < 0 || doc < best)) best = doc;
      }
    }
    if (settle(out, d, norms[d]!, exact, best, maxJ)) for (let k = 0; k < p; k++) post.add(sorted[k]! % 4294967296, d);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Runs
// ---------------------------------------------------------------------------------------------------------------
interface RunResult {
  drop: Uint8Array;
  kind: Uint8Array;
  ofId: string[];
  secs: number;
  bytesPerRecord: number;
  stats: Record<string, number | string>;
  bandsRows: string;
}

function runFloor(lines: string[], feat: Featurizer): number {
  const t0 = performance.now();
  let sink = 0;
  for (let i = 0; i < lines.length; i++) {
    const rec = JSON.parse(lines[i]!) as { text: string };
    // the text layer's fused scan normalises, tokenises and hashes in one pass; exactHash comes from the same scan
    sink += feat(rec.text).shingles.length;
  }
  if (sink === -1) console.log(sink);
  return (performance.now() - t0) / 1000;
}

function runScorer(lines: string[], feat: Featurizer, cfg: DedupConfig): RunResult {
  const n = lines.length;
  const scorer = createDedupScorer(cfg);
  const drop = new Uint8Array(n);
  const kind = new Uint8Array(n);
  const ofId: string[] = new Array(n).fill('');
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const rec = JSON.parse(lines[i]!) as { id: string; text: string };
    const f = feat(rec.text);
    const s = scorer.score(rec, f, { recordIndex: i });
    if (s.kind === null) scorer.commit(rec.id, f);
    else {
      drop[i] = 1;
      kind[i] = s.kind === 'exact' ? 1 : 2;
      ofId[i] = s.of ?? '';
    }
  }
  const secs = (performance.now() - t0) / 1000;
  const br = scorer.bandsRows;
  return { drop, kind, ofId, secs, bytesPerRecord: scorer.bytesPerRecord(), stats: scorer.stats(), bandsRows: `${br.bands}x${br.rows}` };
}

/** Kernel + index only: features are computed beforehand (untimed); times score() + commit() per document. */
function runIndexOnly(feats: Features[], ids: string[], cfg: DedupConfig, drop?: Uint8Array) {
  const scorer = createDedupScorer(cfg);
  const t0 = performance.now();
  for (let i = 0; i < feats.length; i++) {
    const f = feats[i]!;
    if (scorer.score({}, f, { recordIndex: i }).kind === null) scorer.commit(ids[i]!, f);
    else if (drop) drop[i] = 1;
  }
  const secs = (performance.now() - t0) / 1000;
  const br = scorer.bandsRows;
  return { secs, scorer, bandsRows: `${br.bands}x${br.rows}` };
}

function prf(pred: Uint8Array, truth: Uint8Array, n = pred.length) {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let i = 0; i < n; i++) {
    if (pred[i] && truth[i]) tp++;
    else if (pred[i]) fp++;
    else if (truth[i]) fn++;
  }
  const p = tp + fp === 0 ? 1 : tp / (tp + fp);
  const r = tp + fn === 0 ? 1 : tp / (tp + fn);
  return { tp, fp, fn, p, r, f1: p + r === 0 ? 0 : (2 * p * r) / (p + r) };
}

/** The `minhash` npm package (CommonJS), used as documented; its LshIndex.query throws on unseen bands. */
function runBaseline(lines: string[], feat: Featurizer, t: number) {
  const require = createRequire(import.meta.url);
  const { Minhash, LshIndex } = require('minhash') as {
    Minhash: new (o?: { numPerm?: number; seed?: number }) => { update(s: string): void; jaccard(o: unknown): number; hashvalues: number[] };
    LshIndex: new (o?: { bandSize?: number }) => {
      insert(k: string, m: unknown): void;
      query(m: unknown): string[];
      getHashbands(m: unknown): string[];
      index: Record<string, string[] | undefined>;
    };
  };
  const n = lines.length;
  const drop = new Uint8Array(n);
  const idx = new LshIndex({ bandSize: 4 });
  const kept = new Map<number, InstanceType<typeof Minhash>>();
  const exact = new Set<string>();
  let throws = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const rec = JSON.parse(lines[i]!) as { id: string; text: string };
    const f = feat(rec.text);
    if (exact.has(f.norm)) {
      drop[i] = 1;
      continue;
    }
    const w = f.words;
    if (w.length < 5) {
      exact.add(f.norm);
      continue;
    }
    const m = new Minhash({ numPerm: 128, seed: 1 });
    for (let k = 0; k + 5 <= w.length; k++) m.update(w.slice(k, k + 5).join(' '));
    try {
      idx.query(m);
    } catch {
      throws++;
    }
    // workaround for the throw: look the bands up ourselves and skip bands never inserted
    let best = -1;
    const cands = new Set<string>();
    for (const band of idx.getHashbands(m)) for (const key of idx.index[band] ?? []) cands.add(key);
    for (const key of cands) {
      const j = Number(key);
      if ((best < 0 || j < best) && m.jaccard(kept.get(j)!) >= t) best = j;
    }
    if (best >= 0) drop[i] = 1;
    else {
      exact.add(f.norm);
      kept.set(i, m);
      idx.insert(String(i), m);
    }
  }
  return { drop, secs: (performance.now() - t0) / 1000, throws };
}

async function main(): Promise<void> {
  if (flag('--mem-child')) return memChild(opt('--mem-child', 1_000_000), opt('--mem-shingles', 200));
  const docs = opt('--docs', 100_000);
  const seed = opt('--seed', 42);
  const threshold = opt('--threshold', DEDUP_DEFAULTS.threshold);
  const baselineDocs = Math.min(docs, opt('--baseline', 5000));
  const memDocs = opt('--mem', 1_000_000);
  const base: DedupConfig = { ...DEDUP_DEFAULTS, threshold };

  // corpus (cached)
  mkdirSync('bench-out', { recursive: true });
  const file = `bench-out/dedup-corpus-v${GEN_VERSION}-${docs}-s${seed}.jsonl`;
  let tGen = performance.now();
  if (!existsSync(file)) {
    const { records, meta } = generateCorpus({ docs, seed });
    writeFileSync(file, records.map((r, i) => JSON.stringify({ ...r, plant: meta[i] })).join('\n') + '\n');
  }
  tGen = (performance.now() - tGen) / 1000;
  const raw = readFileSync(file, 'utf8');
  const lines = raw.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const feat = createFeaturizer(dedupTextOptions(base));
  console.log(`corpus: ${file} (${fmt(lines.length)} docs, ${fmt(raw.length / 1e6, 1)} MB${tGen > 0.5 ? `, generated in ${fmt(tGen, 1)} s` : ', cached'})`);

  // features for the ground truth (and the corpus profile)
  const norms: string[] = [];
  const shingles: Uint32Array[] = [];
  const plant: string[] = [];
  let nonShort = 0;
  let shingleSum = 0;
  for (const line of lines) {
    const rec = JSON.parse(line) as { text: string; plant?: { kind: string } };
    const f = feat(rec.text);
    norms.push(f.norm);
    shingles.push(f.shingles);
    plant.push(rec.plant?.kind ?? '?');
    if (f.shingles.length > 0) {
      nonShort++;
      shingleSum += f.shingles.length;
    }
  }
  const avgShingles = Math.round(shingleSum / Math.max(1, nonShort));
  const kinds: Record<string, number> = {};
  for (const k of plant) kinds[k] = (kinds[k] ?? 0) + 1;
  console.log(`planted: ${JSON.stringify(kinds)} (the plan; the truth below is computed, not taken from it)`);

  // the 1M memory probe runs in a child process while the (untimed) ground truth is computed
  const mem = memDocs > 0 ? runMemChild(memDocs, avgShingles) : null;
  let t = performance.now();
  const truth = groundTruth(norms, shingles, threshold);
  const tTruth = (performance.now() - t) / 1000;
  const checkN = Math.min(lines.length, opt('--check-truth', 5000));
  if (checkN > 0) {
    t = performance.now();
    const ref = groundTruthAllPairs(norms.slice(0, checkN), shingles.slice(0, checkN), threshold);
    let diff = 0;
    for (let i = 0; i < checkN; i++) {
      const mj = ref.maxJ[i]! >= 0.6 ? Math.abs(ref.maxJ[i]! - truth.maxJ[i]!) > 1e-12 : truth.maxJ[i]! >= 0.6;
      if (ref.drop[i] !== truth.drop[i] || ref.kind[i] !== truth.kind[i] || ref.of[i] !== truth.of[i] || mj) diff++;
    }
    console.log(`truth self-check: prefix-filtered truth == all-pairs truth on the first ${fmt(checkN)} docs: ${diff === 0 ? 'identical' : `${diff} DIFFERENCES`} (${fmt((performance.now() - t) / 1000, 1)} s)`);
    if (diff !== 0) process.exitCode = 1;
  }
  const nDrop = truth.drop.reduce((a, x) => a + x, 0);
  const nExact = truth.kind.reduce((a, x) => a + (x === 1 ? 1 : 0), 0);
  let band = 0;
  for (let i = 0; i < lines.length; i++) if (truth.maxJ[i]! >= threshold - 0.05 && truth.maxJ[i]! < threshold + 0.05) band++;
  console.log(
    `ground truth (exact Jaccard, prefix-filtered candidates, ${fmt(tTruth, 1)} s): ${fmt(nDrop)} drops = ${fmt(nExact)} exact + ${fmt(nDrop - nExact)} near; ` +
      `${fmt(band)} docs have their max Jaccard within ±0.05 of ${threshold}; avg ${avgShingles} shingles/doc`,
  );
  if (mem) await mem.then((m) => (memResult = m));

  // throughput: floor vs default scorer, interleaved, best of --reps (the machine may be shared)
  const warm = lines.slice(0, Math.min(5000, lines.length));
  runFloor(warm, createFeaturizer(dedupTextOptions(base)));
  runScorer(warm, createFeaturizer(dedupTextOptions(base)), base);
  let floorSecs = Infinity;
  let main: RunResult | null = null;
  for (let rep = 0; rep < Math.max(1, opt('--reps', 2)); rep++) {
    floorSecs = Math.min(floorSecs, runFloor(lines, createFeaturizer(dedupTextOptions(base))));
    const r = runScorer(lines, createFeaturizer(dedupTextOptions(base)), base);
    if (main === null || r.secs < main.secs) main = r;
  }
  main = main!;
  const floorRate = lines.length / floorSecs;
  const rate = lines.length / main.secs;
  // kernel + index alone, on precomputed features
  const pre = createFeaturizer(dedupTextOptions(base));
  const feats: Features[] = [];
  const ids: string[] = [];
  for (const line of lines) {
    const rec = JSON.parse(line) as { id: string; text: string };
    const f = pre(rec.text);
    void f.shingles;
    void f.exactHash;
    feats.push(f);
    ids.push(rec.id);
  }
  runIndexOnly(feats.slice(0, 5000), ids, base);
  let indexSecs = Infinity;
  for (let rep = 0; rep < Math.max(1, opt('--reps', 2)); rep++) indexSecs = Math.min(indexSecs, runIndexOnly(feats, ids, base).secs);
  const q = prf(main.drop, truth.drop);
  let ofAgree = 0;
  let ofBoth = 0;
  for (let i = 0; i < lines.length; i++) {
    if (main.drop[i] && truth.drop[i]) {
      ofBoth++;
      if (JSON.parse(lines[truth.of[i]!]!).id === main.ofId[i]) ofAgree++;
    }
  }
  console.log(`\nDEFAULT (numPerm ${base.numPerm}, bands x rows ${main.bandsRows} derived, verify '${base.verify}', threshold ${threshold})`);
  console.log(`  drops: precision ${fmt(q.p, 4)}  recall ${fmt(q.r, 4)}  F1 ${fmt(q.f1, 4)}   (tp ${q.tp}, fp ${q.fp}, fn ${q.fn}); 'of' = ground truth's earliest match for ${fmt((100 * ofAgree) / Math.max(1, ofBoth), 2)}% of true drops`);
  console.log(`  index:      ${fmt(lines.length / indexSecs)} docs/s (kernel + index only: MinHash + exact set + LSH query/verify + commit, features precomputed)`);
  console.log(`  end to end: ${fmt(rate)} docs/s (JSON.parse + features + the above)`);
  console.log(`  floor:      ${fmt(floorRate)} docs/s (JSON.parse + normalise + shingle hashes + exact hash, one fused scan)   end to end / floor = ${fmt(rate / floorRate, 2)}`);
  console.log(`  retained:   ${fmt(main.bytesPerRecord)} bytes per indexed record`, main.stats);
  // errors by Jaccard bucket and plant kind
  const errs: Record<string, number> = {};
  for (let i = 0; i < lines.length; i++) {
    if (main.drop[i] === truth.drop[i]) continue;
    const k = `${main.drop[i] ? 'fp' : 'fn'} ${plant[i]} J=${truth.maxJ[i]! < 0 ? 'short' : truth.maxJ[i]!.toFixed(2)}`;
    errs[k] = (errs[k] ?? 0) + 1;
  }
  if (Object.keys(errs).length) console.log('  errors:', errs);

  // variants, to choose the defaults by measurement (kernel + index rate on the precomputed features)
  if (flag('--sweep')) {
    console.log('\nVARIANTS (same corpus and ground truth; docs/s = kernel + index only, single run)');
    console.log('  variant                          b x r    P       R       F1      docs/s  verified/query  bytes/rec');
    const variants: Array<[string, Partial<DedupConfig>]> = [
      ['exact,    numPerm 32', { numPerm: 32 }],
      ['exact,    numPerm 40', { numPerm: 40 }],
      ['exact,    numPerm 48 (default)', { numPerm: 48 }],
      ['exact,    numPerm 64', { numPerm: 64 }],
      ['exact,    numPerm 128', { numPerm: 128 }],
      ['exact,    48, fnWeight 0.99', { fnWeight: 0.99 }],
      ['exact,    48, fnWeight 0.5', { fnWeight: 0.5 }],
      ['exact,    48, sketchSize 512', { sketchSize: 512 }],
      ['estimate, numPerm 128', { verify: 'estimate', numPerm: 128 }],
      ['estimate, numPerm 256', { verify: 'estimate', numPerm: 256 }],
    ];
    for (const [name, v] of variants) {
      const drop = new Uint8Array(lines.length);
      const r = runIndexOnly(feats, ids, { ...base, ...v }, drop);
      const m = prf(drop, truth.drop);
      const st = r.scorer.stats() as Record<string, number>;
      console.log(
        `  ${name.padEnd(32)} ${r.bandsRows.padEnd(7)}  ${fmt(m.p, 4)}  ${fmt(m.r, 4)}  ${fmt(m.f1, 4)}  ${fmt(lines.length / r.secs).padStart(7)}  ${fmt(st.verified! / Math.max(1, st.queries!), 2).padStart(14)}  ${fmt(r.scorer.bytesPerRecord()).padStart(9)}`,
      );
    }
  }
  feats.length = 0;

  // minhash npm baseline on a prefix (keep-first truth on a prefix equals the full truth restricted to it)
  if (baselineDocs > 0) {
    const sub = lines.slice(0, baselineDocs);
    const b = runBaseline(sub, createFeaturizer(dedupTextOptions(base)), threshold);
    runScorer(sub, createFeaturizer(dedupTextOptions(base)), base); // warm-up
    const ours = runScorer(sub, createFeaturizer(dedupTextOptions(base)), base);
    const mb = prf(b.drop, truth.drop, baselineDocs);
    const mo = prf(ours.drop, truth.drop, baselineDocs);
    console.log(`\nBASELINE minhash@0.0.9 (numPerm 128, bandSize 4, estimate >= ${threshold}; exact dups by a Set of normalised texts) on the first ${fmt(baselineDocs)} docs:`);
    console.log(`  minhash npm: ${fmt(baselineDocs / b.secs)} docs/s  P ${fmt(mb.p, 4)} R ${fmt(mb.r, 4)} F1 ${fmt(mb.f1, 4)}; LshIndex.query threw on ${fmt(b.throws)} of the queries (worked around)`);
    console.log(`  this index:  ${fmt(baselineDocs / ours.secs)} docs/s  P ${fmt(mo.p, 4)} R ${fmt(mo.r, 4)} F1 ${fmt(mo.f1, 4)}`);
  }

  if (memResult) {
    const m = memResult as { n: number; secs: number; rss: number; peakRss: number; heapUsed: number; arrayBuffers: number; bytesPerRecord: number };
    console.log(`\nMEMORY (${fmt(m.n)} committed synthetic records, ~${avgShingles} shingles each, default config; child process):`);
    console.log(
      `  peak RSS ${fmt(m.peakRss / 2 ** 20)} MiB, RSS after GC ${fmt(m.rss / 2 ** 20)} MiB, heapUsed ${fmt(m.heapUsed / 2 ** 20)} MiB, arrayBuffers ${fmt(m.arrayBuffers / 2 ** 20)} MiB; ` +
        `${fmt(m.bytesPerRecord)} bytes retained per record; ${fmt(m.n / m.secs)} commits/s`,
    );
  }
}

let memResult: Record<string, unknown> | null = null;
void main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
