/**
 * Hashing for the origin features: the string hash of a token (`hashStr`, FNV-1a finished with fmix32), the
 * combiner that builds n-gram hashes from token hashes, and the seed of each hashed feature family.
 */
import { fmix32 } from '../../../text/hash.js';

/** Hash of a string (a token, a skeleton class, a group key): FNV-1a over UTF-16 code units, finished with fmix32. */
export function hashStr(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** Hash of the pair (a, b): n-gram hashes are folds of this over a family seed and the token hashes. */
export function combine(a: number, b: number): number {
  return fmix32((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

/** Seeds of the hashed families, so that equal n-grams of different families land on different indices */
export const FAM_UNI = 0x1b873593;
export const FAM_BI = 0x2c1b3c6d;
export const FAM_SKEL = 0x297a2d39;
export const FAM_CHAR = 0x3b9aca07;
export const FAM_SKEL4 = 0x5bd1e995;
