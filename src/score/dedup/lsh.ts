/**
 * Banded LSH maths: the S-curve, its FP/FN error integrals, the (bands, rows) choice for a threshold, and band keys.
 *
 * With b bands of r rows, two sets of Jaccard s become candidates with probability P(s) = 1 - (1 - s^r)^b.
 * For a threshold t, the false-positive mass is FP = ∫_0^t P(s) ds and the false-negative mass is
 * FN = ∫_t^1 (1 - P(s)) ds. `deriveBandsRows` picks b, r with b*r <= numPerm minimising
 * fpWeight*FP + fnWeight*FN (composite Simpson integration, written here).
 */
import { hashInts } from '../../text/hash.js';

/** Probability that two sets of Jaccard s share at least one band: 1 - (1 - s^r)^b. */
export function sCurve(s: number, bands: number, rows: number): number {
  return 1 - Math.pow(1 - Math.pow(s, rows), bands);
}

/** Composite Simpson's rule on [a, b] with `n` (rounded up to even) sub-intervals. */
export function integrate(f: (x: number) => number, a: number, b: number, n = 256): number {
  if (!(b > a)) return 0;
  const m = n % 2 === 0 ? n : n + 1;
  const h = (b - a) / m;
  let sum = f(a) + f(b);
  for (let i = 1; i < m; i++) sum += f(a + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

/** False-positive and false-negative probability mass of a (bands, rows) scheme at threshold t. */
export function lshErrors(threshold: number, bands: number, rows: number): { fp: number; fn: number } {
  const fp = integrate((s) => sCurve(s, bands, rows), 0, threshold);
  const fn = integrate((s) => 1 - sCurve(s, bands, rows), threshold, 1);
  return { fp, fn };
}

const deriveCache = new Map<string, { bands: number; rows: number }>();

/**
 * The (bands, rows) with bands*rows <= numPerm minimising fpWeight*FP + fnWeight*FN, fpWeight = 1 - fnWeight.
 * A high fnWeight moves the S-curve's knee left of the threshold: more candidates to verify, fewer misses.
 * Ties go to fewer lanes (less hashing and less index memory).
 */
export function deriveBandsRows(threshold: number, numPerm: number, fnWeight = 0.5): { bands: number; rows: number } {
  if (!(threshold > 0 && threshold < 1)) throw new RangeError(`lsh: threshold must be in (0, 1), got ${threshold}`);
  if (!Number.isInteger(numPerm) || numPerm < 1) throw new RangeError(`lsh: numPerm must be a positive integer`);
  if (!(fnWeight >= 0 && fnWeight <= 1)) throw new RangeError(`lsh: fnWeight must be in [0, 1], got ${fnWeight}`);
  const key = `${threshold}|${numPerm}|${fnWeight}`;
  const hit = deriveCache.get(key);
  if (hit) return { ...hit };
  const fpWeight = 1 - fnWeight;
  let best = { bands: 1, rows: 1 };
  let bestErr = Infinity;
  let bestLanes = Infinity;
  for (let b = 1; b <= numPerm; b++) {
    const maxR = Math.floor(numPerm / b);
    for (let r = 1; r <= maxR; r++) {
      const { fp, fn } = lshErrors(threshold, b, r);
      const err = fpWeight * fp + fnWeight * fn;
      const lanes = b * r;
      if (err < bestErr - 1e-12 || (Math.abs(err - bestErr) <= 1e-12 && lanes < bestLanes)) {
        bestErr = err;
        bestLanes = lanes;
        best = { bands: b, rows: r };
      }
    }
  }
  deriveCache.set(key, best);
  return { ...best };
}

/** Seed of band `band`'s key hash: distinct per band so equal lane values in different bands give different keys. */
function bandSeed(seed: number, band: number): number {
  return (seed ^ Math.imul(band + 1, 0x9e3779b1)) | 0;
}

/** 32-bit key of band `band` (lanes [band*rows, band*rows + rows)) of a signature. */
export function bandKey(sig: ArrayLike<number>, band: number, rows: number, seed: number): number {
  return hashInts(sig, band * rows, rows, bandSeed(seed, band));
}

/** All band keys of a signature into `out` (length >= bands). */
export function bandKeys(sig: ArrayLike<number>, bands: number, rows: number, seed: number, out: Uint32Array): Uint32Array {
  for (let b = 0; b < bands; b++) out[b] = bandKey(sig, b, rows, seed);
  return out;
}
