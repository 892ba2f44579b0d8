/**
 * Map side of the batch dedup: one part's records (seq, exact hash, shingles, MinHash lanes when computed ahead)
 * -> the part's run files in `dir`, named by `name`:
 *   <name>.band-<g>.run   band entries of the bands of group g, sorted (one per band group: a reduce task's input)
 *   <name>.exact.run      exact entries, sorted
 *   <name>.sig            signature rows in ref order (verification in reduce)
 * Band and exact entries go through an external sort under the memory budget (split evenly between the sorters),
 * so a part of any size maps in bounded memory. Every record gets band entries (none when it has no shingles), so
 * the rows reduce sees are the same whatever the split into parts. Refs must increase within a part.
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { bandKeys } from '../../score/dedup/lsh.js';
import { MinHasher } from '../../score/dedup/minhash.js';
import { ExternalSorter } from './external-sort.js';
import { RowWriter } from './rows.js';
import { BAND_WIDTH, EXACT_WIDTH, TRUNCATED, groupOf, sigWidth, type BandParams } from './params.js';

export interface MapRecord {
  /** tonight's seq, or HISTORY | id for a history run set */
  ref: number;
  exactHash: ArrayLike<number>;
  /** sorted distinct shingle hashes (empty: too short for near-duplicate detection) */
  shingles: Uint32Array;
  /** MinHash lanes computed ahead (same seed), at least `lanes` of them */
  signature?: Uint32Array;
}

export interface MapOptions {
  params: BandParams;
  dir: string;
  name: string;
  /** bytes for the sort buffers of this task */
  memoryBytes: number;
}

export interface PartFiles {
  bandRuns: string[];
  exact: string;
  sig: string;
  records: number;
  /** spilled sort runs (0 when the part fit the budget) */
  spills: number;
}

export const partFiles = (dir: string, name: string, groups: number): Omit<PartFiles, 'records' | 'spills'> => ({
  bandRuns: Array.from({ length: groups }, (_, g) => join(dir, `${name}.band-${g}.run`)),
  exact: join(dir, `${name}.exact.run`),
  sig: join(dir, `${name}.sig`),
});

/** Write a signature row for a record into `row` (verify 'exact': bottom-K shingles; 'estimate': the lanes). */
export function signatureRow(p: BandParams, ref: number, shingles: Uint32Array, lanes: Uint32Array | null, row: Uint32Array): void {
  row.fill(0);
  row[0] = ref;
  if (p.verify === 'exact') {
    const n = Math.min(shingles.length, p.sketchSize);
    row[1] = n | (shingles.length > p.sketchSize ? TRUNCATED : 0);
    row.set(shingles.subarray(0, n), 2);
  } else if (lanes) {
    row[1] = p.numPerm;
    row.set(lanes.subarray(0, p.numPerm), 2);
  }
}

export async function mapPart(records: AsyncIterable<MapRecord> | Iterable<MapRecord>, o: MapOptions): Promise<PartFiles> {
  const p = o.params;
  mkdirSync(o.dir, { recursive: true });
  const files = partFiles(o.dir, o.name, p.groups);
  const tmp = join(o.dir, `${o.name}.spill`);
  const share = Math.max(1, Math.floor(o.memoryBytes / (p.groups + 1)));
  const bandSorters = files.bandRuns.map((_, g) => new ExternalSorter({ width: BAND_WIDTH, keyWords: BAND_WIDTH, memoryBytes: share, tmpDir: join(tmp, `band-${g}`) }));
  const exactSorter = new ExternalSorter({ width: EXACT_WIDTH, keyWords: EXACT_WIDTH, memoryBytes: share, tmpDir: join(tmp, 'exact') });
  const sigOut = new RowWriter(`${files.sig}.tmp`, sigWidth(p));
  const hasher = new MinHasher(p.numPerm, p.seed);
  const sigRow = new Uint32Array(sigWidth(p));
  const keys = new Uint32Array(p.bands);
  const entry = new Uint32Array(3);
  let last = -1;
  let n = 0;
  for await (const r of records) {
    const ref = r.ref >>> 0;
    if (ref <= last && n > 0) throw new RangeError(`bands map: refs must increase within a part (${ref} after ${last})`);
    last = ref;
    n++;
    if (p.exact) exactSorter.push([r.exactHash[0]!, r.exactHash[1]!, ref]);
    const near = p.near && r.shingles.length > 0;
    const lanes = !near && p.verify === 'exact' ? null : lanesOf(p, hasher, r);
    if (near) {
      bandKeys(lanes!, p.bands, p.rows, p.seed, keys);
      for (let b = 0; b < p.bands; b++) {
        entry[0] = b;
        entry[1] = keys[b]!;
        entry[2] = ref;
        bandSorters[groupOf(p, b)]!.push(entry);
      }
    }
    signatureRow(p, ref, r.shingles, lanes, sigRow);
    sigOut.write(sigRow);
  }
  sigOut.close();
  renameSync(`${files.sig}.tmp`, files.sig);
  let spills = 0;
  bandSorters.forEach((s, g) => {
    spills += s.spilled;
    s.finish(files.bandRuns[g]!);
  });
  spills += exactSorter.spilled;
  exactSorter.finish(files.exact);
  rmSync(tmp, { recursive: true, force: true });
  return { ...files, records: n, spills };
}

function lanesOf(p: BandParams, hasher: MinHasher, r: MapRecord): Uint32Array {
  const want = p.verify === 'estimate' ? p.numPerm : p.lanes;
  const pre = r.signature;
  if (pre !== undefined && pre.length >= want) return pre;
  return hasher.signature(r.shingles, new Uint32Array(p.numPerm), want);
}
