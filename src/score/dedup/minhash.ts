/**
 * MinHash kernel over pre-hashed shingles.
 *
 * Input: the record's shingle set as `Features.shingles` (sorted unique 32-bit hashes, one hash per shingle,
 * computed once by the text layer). Nothing is re-hashed from text here.
 *
 * Lane i uses the permutation-like function h_i(x) = fmix32(x ^ s_i), where s_i is a per-lane 32-bit key drawn
 * from a seeded generator. fmix32 is a bijection on 32-bit words with full avalanche, so for a fixed set the
 * lanes behave as independent random orderings (checked statistically in test/unit/minhash.test.ts: the estimate's
 * variance matches the binomial J(1-J)/k of independent lanes). The signature keeps the minimum of each lane in a
 * Uint32Array. Cost: |shingles| x numPerm multiply-xorshift steps, no allocation when `out` is given.
 */
import { fmix32 } from '../../text/hash.js';

/** Empty-set lane value: larger than every real lane minimum except a (vanishingly rare) 0xffffffff. */
export const EMPTY_LANE = 0xffffffff;

/** Seeded stream of 32-bit keys (a Weyl sequence through fmix32). Deterministic for a given seed. */
export function laneKeys(count: number, seed: number): Uint32Array {
  const out = new Uint32Array(count);
  let state = fmix32((seed ^ 0x2545f491) >>> 0);
  const seen = new Set<number>();
  for (let i = 0; i < count; ) {
    state = (state + 0x9e3779b9) | 0;
    const k = fmix32(state ^ 0x6a09e667);
    if (seen.has(k)) continue; // keep lanes distinct (a collision would duplicate a lane)
    seen.add(k);
    out[i++] = k;
  }
  return out;
}

export class MinHasher {
  /** number of lanes (permutations) in a signature */
  readonly numPerm: number;
  readonly seed: number;
  /** per-lane xor keys */
  readonly keys: Uint32Array;

  constructor(numPerm: number, seed = 1) {
    if (!Number.isInteger(numPerm) || numPerm < 1 || numPerm > 4096) {
      throw new RangeError(`minhash: numPerm must be an integer in [1, 4096], got ${numPerm}`);
    }
    this.numPerm = numPerm;
    this.seed = seed;
    this.keys = laneKeys(numPerm, seed);
  }

  /**
   * Signature of a shingle set. Only the first `lanes` lanes are computed (default all): the LSH index needs only
   * bands*rows lanes when verification does not use the signature. Lanes past `lanes` are left untouched.
   * An empty set yields EMPTY_LANE in every lane (callers should not index empty sets).
   */
  signature(shingles: Uint32Array, out?: Uint32Array, lanes = this.numPerm): Uint32Array {
    const k = Math.max(0, Math.min(lanes, this.numPerm));
    const sig = out ?? new Uint32Array(this.numPerm);
    const keys = this.keys;
    const n = shingles.length;
    // Minima are tracked in "sign-flipped" int32 space: (u ^ 0x80000000) | 0 orders like u does as unsigned and
    // keeps every value a small integer (no heap numbers for u >= 2^31). Four lanes per pass over the shingles:
    // one load of x feeds four independent dependency chains (about 25% faster than one lane per pass).
    let i = 0;
    for (; i + 4 <= k; i += 4) {
      const k0 = keys[i]! | 0;
      const k1 = keys[i + 1]! | 0;
      const k2 = keys[i + 2]! | 0;
      const k3 = keys[i + 3]! | 0;
      let m0 = 0x7fffffff;
      let m1 = 0x7fffffff;
      let m2 = 0x7fffffff;
      let m3 = 0x7fffffff;
      for (let j = 0; j < n; j++) {
        const x = shingles[j]! | 0;
        let h0 = x ^ k0;
        let h1 = x ^ k1;
        let h2 = x ^ k2;
        let h3 = x ^ k3;
        h0 = Math.imul(h0 ^ (h0 >>> 16), 0x85ebca6b);
        h1 = Math.imul(h1 ^ (h1 >>> 16), 0x85ebca6b);
        h2 = Math.imul(h2 ^ (h2 >>> 16), 0x85ebca6b);
        h3 = Math.imul(h3 ^ (h3 >>> 16), 0x85ebca6b);
        h0 = Math.imul(h0 ^ (h0 >>> 13), 0xc2b2ae35);
        h1 = Math.imul(h1 ^ (h1 >>> 13), 0xc2b2ae35);
        h2 = Math.imul(h2 ^ (h2 >>> 13), 0xc2b2ae35);
        h3 = Math.imul(h3 ^ (h3 >>> 13), 0xc2b2ae35);
        h0 = (h0 ^ (h0 >>> 16) ^ 0x80000000) | 0;
        h1 = (h1 ^ (h1 >>> 16) ^ 0x80000000) | 0;
        h2 = (h2 ^ (h2 >>> 16) ^ 0x80000000) | 0;
        h3 = (h3 ^ (h3 >>> 16) ^ 0x80000000) | 0;
        if (h0 < m0) m0 = h0;
        if (h1 < m1) m1 = h1;
        if (h2 < m2) m2 = h2;
        if (h3 < m3) m3 = h3;
      }
      sig[i] = m0 ^ 0x80000000;
      sig[i + 1] = m1 ^ 0x80000000;
      sig[i + 2] = m2 ^ 0x80000000;
      sig[i + 3] = m3 ^ 0x80000000;
    }
    for (; i < k; i++) {
      const key = keys[i]! | 0;
      let m = 0x7fffffff;
      for (let j = 0; j < n; j++) {
        let h = (shingles[j]! | 0) ^ key;
        h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
        h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
        h = (h ^ (h >>> 16) ^ 0x80000000) | 0;
        if (h < m) m = h;
      }
      sig[i] = m ^ 0x80000000;
    }
    return sig;
  }
}

/** One lane of the kernel for one shingle (reference implementation used by tests). */
export function laneHash(x: number, key: number): number {
  return fmix32((x ^ key) >>> 0);
}

/** Fraction of equal lanes among the first `lanes` lanes: the MinHash Jaccard estimate. */
export function estimateJaccard(a: ArrayLike<number>, b: ArrayLike<number>, lanes?: number): number {
  const k = Math.min(lanes ?? a.length, a.length, b.length);
  if (k === 0) return 0;
  let eq = 0;
  for (let i = 0; i < k; i++) if (a[i] === b[i]) eq++;
  return eq / k;
}

/** Exact Jaccard of two sorted unique Uint32Arrays (merge). Two empty sets have Jaccard 1 by convention. */
export function exactJaccard(a: Uint32Array, b: Uint32Array): number {
  const na = a.length;
  const nb = b.length;
  if (na === 0 && nb === 0) return 1;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < na && j < nb) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (na + nb - inter);
}
