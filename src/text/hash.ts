/**
 * Small, fast, seeded 32-bit hashing over JS strings and integer sequences (murmur3-style mixing with Math.imul):
 * the shared primitives (fmix32, mix32) and the string/id hashes (stable ids, exact-duplicate keys, priorities).
 * text/features.ts builds its word, shingle and exact hashes on these. Not every hash goes through here: some hot
 * loops inline their own (rolling n-gram hashes and FNV in score/diversity/measure.ts, FNV in text/lang.ts, table
 * probing in the dedup index), and file, config and content digests are sha256 from node:crypto.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** murmur3 fmix32 finaliser: full avalanche of a 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mix one 32-bit word `k` into the running state `h` (murmur3 body step). */
export function mix32(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Hash a string's UTF-16 code units, two per step. Deterministic for a given seed. */
export function hashString(s: string, seed = 0): number {
  let h = seed | 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mix32(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mix32(h, s.charCodeAt(i));
  return fmix32(h ^ n);
}

/** Hash a range [start, start+len) of a string (char shingles without allocating substrings). */
export function hashRange(s: string, start: number, len: number, seed = 0): number {
  let h = seed | 0;
  const end = start + len;
  let i = start;
  for (; i + 1 < end; i += 2) h = mix32(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < end) h = mix32(h, s.charCodeAt(i));
  return fmix32(h ^ len);
}

/** Hash a window of integers (token ids) into one 32-bit value. */
export function hashInts(a: ArrayLike<number>, start: number, len: number, seed = 0): number {
  let h = seed | 0;
  for (let i = start; i < start + len; i++) h = mix32(h, a[i]!);
  return fmix32(h ^ len);
}

const HEX = '0123456789abcdef';
/** 32-bit unsigned to 8 lowercase hex chars. */
export function hex32(x: number): string {
  let s = '';
  for (let i = 28; i >= 0; i -= 4) s += HEX[(x >>> i) & 15];
  return s;
}

/** 64-bit hash of a string as [hi, lo]: two independently seeded 32-bit hashes. */
export function hash64(s: string, seed = 0): Uint32Array {
  const out = new Uint32Array(2);
  out[0] = hashString(s, (seed ^ 0x9e3779b9) | 0);
  out[1] = hashString(s, (seed ^ 0x7f4a7c15) + 0x632be5ab);
  return out;
}
