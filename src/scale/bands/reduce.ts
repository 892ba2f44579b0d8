/**
 * Reduce side of the batch dedup, one task per band group: k-way merge-join of the group's band runs (every part
 * of tonight, and the history run sets) -> candidate pairs (two refs sharing a band key; history-history pairs
 * are skipped, earlier nights settled them) -> unique (external sort) -> verified against the threshold on the
 * signature rows -> `<out>`: verified pairs [a, b, similarity f64], sorted. Written via `<out>.tmp` and renamed,
 * so a rerun of a finished or half-finished task gives the same file.
 *
 * Similarity: verify 'exact' is the Jaccard of the two records' bottom-K shingle sets (exact when neither text has
 * more than sketchSize shingles; else the bottom-k estimate over the hash range both sketches cover); 'estimate'
 * is the b-bit MinHash estimate over the low 16 bits of every lane, as the memory index computes it.
 */
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSorter } from './external-sort.js';
import { narrowRuns } from './narrow-runs.js';
import { MergeReader, RowReader, RowWriter } from './rows.js';
import { SigFiles } from './sig-files.js';
import { BAND_WIDTH, HISTORY, PAIR_WIDTH, TRUNCATED, VERIFIED_WIDTH, sigWidth, simWords, type BandParams } from './params.js';

const TWO16 = 1 / 65536;

/** Similarity of two signature rows (see the header). */
export function rowSimilarity(p: BandParams, x: Uint32Array, y: Uint32Array): number {
  if (p.verify === 'estimate') {
    const k = p.numPerm;
    let eq = 0;
    for (let i = 0; i < k; i++) if ((x[2 + i]! & 0xffff) === (y[2 + i]! & 0xffff)) eq++;
    const est = (eq / k - TWO16) / (1 - TWO16);
    return est < 0 ? 0 : est > 1 ? 1 : est;
  }
  const cx = x[1]! & 0xffff;
  const cy = y[1]! & 0xffff;
  if (cx === 0 || cy === 0) return 0;
  const tx = (x[1]! & TRUNCATED) !== 0;
  const ty = (y[1]! & TRUNCATED) !== 0;
  if (!tx && !ty && (cx < cy ? cx / cy : cy / cx) < p.threshold) return 0; // size filter: J <= min/max
  // both sets are fully known up to (and including) the smaller last hash of a truncated sketch
  const bound = Math.min(tx ? x[1 + cx]! : 0xffffffff, ty ? y[1 + cy]! : 0xffffffff);
  let i = 2;
  let j = 2;
  const ex = 2 + cx;
  const ey = 2 + cy;
  let inter = 0;
  let ax = 0;
  let ay = 0;
  while (i < ex && x[i]! <= bound) (ax++, i++);
  while (j < ey && y[j]! <= bound) (ay++, j++);
  i = 2;
  j = 2;
  const endX = 2 + ax;
  const endY = 2 + ay;
  while (i < endX && j < endY) {
    const a = x[i]!;
    const b = y[j]!;
    if (a === b) {
      inter++;
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  const union = ax + ay - inter;
  return union > 0 ? inter / union : 0;
}

export interface ReduceOptions {
  params: BandParams;
  /** this group's band runs: tonight's parts and the history run sets */
  runs: readonly string[];
  /** signature files of tonight's parts and of the history run sets */
  sigs: readonly string[];
  out: string;
  memoryBytes: number;
  tmpDir: string;
}

export interface ReduceResult {
  buckets: number;
  candidates: number;
  pairs: number;
  spills: number;
  /** runs the band merge read at once (fewer than the inputs past the merge fan-in: narrow-runs.ts) */
  mergedRuns: number;
}

export function reduceGroup(o: ReduceOptions): ReduceResult {
  const p = o.params;
  const sorter = new ExternalSorter({ width: PAIR_WIDTH, keyWords: PAIR_WIDTH, memoryBytes: o.memoryBytes, tmpDir: o.tmpDir, unique: true });
  const narrowed = join(o.tmpDir, 'narrowed');
  const runs = narrowRuns(o.runs, BAND_WIDTH, BAND_WIDTH, narrowed);
  const m = new MergeReader(runs, BAND_WIDTH, BAND_WIDTH);
  let bucket = new Uint32Array(64);
  let n = 0;
  let band = -1;
  let key = -1;
  let buckets = 0;
  const pair = new Uint32Array(2);
  const flush = () => {
    if (n > 1) buckets++;
    for (let i = 1; i < n; i++) {
      const b = bucket[i]!;
      const lim = Math.min(i, p.maxCandidates);
      for (let j = 0; j < lim; j++) {
        const a = bucket[j]!;
        if (a >= HISTORY) break; // both history (refs are sorted: history after tonight)
        pair[0] = a;
        pair[1] = b;
        sorter.push(pair);
      }
    }
    n = 0;
  };
  while (m.next()) {
    const r = m.row;
    if (r[0] !== band || r[1] !== key) {
      flush();
      band = r[0]!;
      key = r[1]!;
    }
    if (n > 0 && bucket[n - 1] === r[2]) continue; // the same record twice (it cannot pair with itself)
    if (n === bucket.length) {
      const b = new Uint32Array(n * 2);
      b.set(bucket);
      bucket = b;
    }
    bucket[n++] = r[2]!;
  }
  flush();
  m.close();
  rmSync(narrowed, { recursive: true, force: true });
  const spills = sorter.spilled;
  const candFile = `${o.out}.candidates`;
  const candidates = sorter.finish(candFile);
  // verify, in pair order
  const sigs = new SigFiles(o.sigs, sigWidth(p));
  const w = new RowWriter(`${o.out}.tmp`, VERIFIED_WIDTH);
  const row = new Uint32Array(VERIFIED_WIDTH);
  const x = new Uint32Array(sigWidth(p));
  const rd = new RowReader(candFile, PAIR_WIDTH);
  while (rd.next()) {
    const a = rd.row[0]!;
    const b = rd.row[1]!;
    const sa = sigs.get(a);
    if (!sa) throw new Error(`bands reduce: no signature for ref ${a}`);
    x.set(sa);
    const sb = sigs.get(b);
    if (!sb) throw new Error(`bands reduce: no signature for ref ${b}`);
    const s = rowSimilarity(p, x, sb);
    if (s >= p.threshold) {
      row[0] = a;
      row[1] = b;
      simWords(s, row, 2);
      w.write(row);
    }
  }
  rd.close();
  sigs.close();
  w.close();
  rmSync(candFile, { force: true });
  renameSync(`${o.out}.tmp`, o.out);
  return { buckets, candidates, pairs: w.rows, spills, mergedRuns: runs.length };
}
