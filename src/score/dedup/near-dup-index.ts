/**
 * The near-duplicate index contract: what every near-duplicate index answers (memory-index.ts implements it in
 * memory), its parameters and their valid ranges.
 */

export interface NearDupMatch {
  /** the caller's id of the matched record */
  id: number;
  /** verified similarity (Jaccard: exact on the sketch, or the signature estimate) */
  similarity: number;
}

/**
 * The contract every near-duplicate backend implements (memory now; file and Redis later).
 * Ids are non-negative integers < 2^32 chosen by the caller; "earliest" means first inserted.
 */
export interface NearDupIndex {
  /** live (not removed) records */
  readonly size: number;
  /** Earliest inserted live record whose verified similarity >= threshold, or null. Never throws. */
  query(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null;
  /** Index a record. `shingles` (sorted unique hashes) is required when verify = 'exact'. */
  insert(id: number, sig: Uint32Array, shingles?: Uint32Array): void;
  /** Forget a record; returns whether it was present. */
  remove?(id: number): boolean;
  /** Bytes retained (allocated typed arrays) per live record. */
  bytesPerRecord(): number;
  /** Plain little-endian byte layout, readable by `deserializeNearDupIndex`. */
  serialize(): Uint8Array;
}

export type VerifyMode = 'estimate' | 'exact';

export interface NearDupIndexParams {
  numPerm: number;
  bands: number;
  rows: number;
  threshold: number;
  verify: VerifyMode;
  /** seed of the band-key hash */
  seed: number;
  /** K of the bottom-K shingle sketch (exact verification) */
  sketchSize: number;
  /** cap on the candidates gathered per query (bounds the work on pathological chains) */
  maxCandidates: number;
}

/** Throws RangeError naming the first parameter out of its range. */
export function checkNearDupParams(p: NearDupIndexParams): void {
  if (!Number.isInteger(p.numPerm) || p.numPerm < 1 || p.numPerm > 4096) throw new RangeError(`near index: bad numPerm ${p.numPerm}`);
  if (!Number.isInteger(p.bands) || !Number.isInteger(p.rows) || p.bands < 1 || p.rows < 1 || p.bands * p.rows > p.numPerm) {
    throw new RangeError(`near index: bands x rows (${p.bands} x ${p.rows}) must be positive and fit numPerm ${p.numPerm}`);
  }
  if (!(p.threshold > 0 && p.threshold <= 1)) throw new RangeError(`near index: bad threshold ${p.threshold}`);
  if (p.verify !== 'estimate' && p.verify !== 'exact') throw new RangeError(`near index: bad verify ${String(p.verify)}`);
  if (!Number.isInteger(p.sketchSize) || p.sketchSize < 1 || p.sketchSize > 65535) throw new RangeError('near index: bad sketchSize');
  if (!Number.isInteger(p.maxCandidates) || p.maxCandidates < 1) throw new RangeError('near index: bad maxCandidates');
}
