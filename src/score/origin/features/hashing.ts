/**
 * The string hash of the origin features (`hashStr`): token and skeleton-class hashes, rank-table keys, and the
 * training tools' group hashes. (n-gram hashes are combined from these in window.ts.)
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
