/**
 * Parameters and row layouts of the batch dedup (map -> reduce -> cluster, src/scale/bands).
 *
 * Refs: a record of tonight is its seq (input order over the night's files, < 2^31); a record of an earlier night
 * is HISTORY | its history id (ids given in commit order, history.ts). So a sorted run lists tonight's records
 * first, each side in input / commit order, which is the order "earliest first" means everywhere.
 *
 * Row layouts (u32 words, little-endian):
 *   band entry      [band, band key, ref]                      sorted on all three; one file per band group
 *   exact entry     [hash hi, hash lo, ref]                    sorted on all three
 *   signature row   [ref, count | TRUNCATED, v0 .. v(W-1)]     in ref order; W = sketchSize (verify 'exact':
 *                   the bottom-K shingle hashes, zero padded) or numPerm (verify 'estimate': the MinHash lanes)
 *   candidate pair  [a, b]                                     a < b, sorted, unique
 *   verified pair   [a, b, similarity as f64 (2 words)]        sorted on a, b
 */
import { resolveBandsRows, type DedupConfig } from '../../score/dedup/scorer.js';

export const HISTORY = 0x80000000;
export const TRUNCATED = 0x10000;

export const BAND_WIDTH = 3;
export const EXACT_WIDTH = 3;
export const PAIR_WIDTH = 2;
export const VERIFIED_WIDTH = 4;

export interface BandParams {
  bands: number;
  rows: number;
  /** band groups: one reduce task each (bands b with b % groups === g) */
  groups: number;
  seed: number;
  numPerm: number;
  /** MinHash lanes the band keys read (bands * rows) */
  lanes: number;
  threshold: number;
  verify: 'exact' | 'estimate';
  sketchSize: number;
  /** a bucket's record pairs with at most this many records before it (bounds pathological buckets) */
  maxCandidates: number;
  exact: boolean;
  near: boolean;
}

export function bandParamsOf(c: DedupConfig, groups = 4): BandParams {
  const { bands, rows } = resolveBandsRows(c);
  if (!Number.isInteger(groups) || groups < 1 || groups > bands) throw new RangeError(`bands: groups must be 1..${bands}, got ${groups}`);
  return { bands, rows, groups, seed: c.seed, numPerm: c.numPerm, lanes: bands * rows, threshold: c.threshold, verify: c.verify, sketchSize: c.sketchSize, maxCandidates: c.maxCandidates, exact: c.exact, near: c.near };
}

/** Words of a signature row. */
export const sigWidth = (p: BandParams): number => 2 + (p.verify === 'exact' ? p.sketchSize : p.numPerm);

/** Band group of band b. */
export const groupOf = (p: BandParams, band: number): number => band % p.groups;

/** f64 <-> two u32 words (hi, lo), so a similarity survives a row file bit for bit. */
const f64 = new Float64Array(1);
const f64w = new Uint32Array(f64.buffer);
export function simWords(s: number, out: Uint32Array, at: number): void {
  f64[0] = s;
  out[at] = f64w[1]!;
  out[at + 1] = f64w[0]!;
}
export function wordsSim(w: ArrayLike<number>, at: number): number {
  f64w[1] = w[at]!;
  f64w[0] = w[at + 1]!;
  return f64[0]!;
}
