/**
 * The n-gram repetition metrics over the tokens of one text (Gopher top_n_gram and dup_ngram, as datatrove computes
 * them). N-grams are never built as strings: keys combine the per-token hashes of token-pass.ts and are counted in
 * the shared open-addressing table (hashtable.ts).
 */
import type { HashTable64 } from './hashtable.js';
import type { TokenArrays } from './token-pass.js';

/**
 * Characters of the most frequent n-gram (words joined by " ") times its count; ties go to the n-gram seen first.
 * Keys combine the token identity hashes; counts live in the shared table.
 */
export function topNgram(arr: TokenArrays, table: HashTable64, T: number, n: number, sep: number): number {
  const ida = arr.id1;
  const idb = arr.id2;
  const cp = arr.cps;
  const t = table;
  t.reset(T - n + 1);
  let bestCount = 0;
  let bestFirst = 0;
  for (let i = 0; i + n <= T; i++) {
    let h1 = ida[i]!;
    let h2 = idb[i]!;
    for (let j = 1; j < n; j++) {
      h1 = Math.imul(h1 ^ (h1 >>> 15), 0x01000193) ^ ida[i + j]!;
      h2 = (Math.imul(h2, 0x9e3779b1) + idb[i + j]!) | 0;
    }
    const slot = t.upsert(h1, h2);
    if (slot < 0) {
      // a new n-gram: count 1, first seen at i (later than any best so far)
      t.set(~slot, 1);
      t.aux[~slot] = i;
      if (bestCount === 0) {
        bestCount = 1;
        bestFirst = i;
      }
      continue;
    }
    const count = t.inc(slot);
    if (count > bestCount) {
      bestCount = count;
      bestFirst = t.aux[slot]!;
    } else if (count === bestCount && t.aux[slot]! < bestFirst) {
      bestFirst = t.aux[slot]!;
    }
  }
  return (cp[bestFirst + n]! - cp[bestFirst]! + sep * (n - 1)) * bestCount;
}

/**
 * Characters in duplicated n-grams, datatrove's greedy scan: an n-gram (words joined by "") seen before adds its
 * characters and the scan jumps n words ahead; otherwise it is remembered and the scan moves one word.
 */
export function dupNgramChars(arr: TokenArrays, table: HashTable64, T: number, n: number): number {
  if (T < n) return 0;
  const a1 = arr.s1;
  const a2 = arr.s2;
  const c1 = arr.cum1;
  const c2 = arr.cum2;
  const cp = arr.cps;
  const t = table;
  t.reset(T - n + 1);
  let repeated = 0;
  let i = 0;
  while (i <= T - n) {
    const b = i + n;
    const h1 = Math.imul((a1[b]! - a1[i]!) | 0, c1[b]!);
    const h2 = Math.imul((a2[b]! - a2[i]!) | 0, c2[b]!);
    if (t.upsert(h1, h2) >= 0) {
      repeated += cp[b]! - cp[i]!;
      i += n;
    } else {
      i++;
    }
  }
  return repeated;
}
