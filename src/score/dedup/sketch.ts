/**
 * Compact shingle sketch for exact verification of LSH candidates.
 *
 * A kept record stores the bottom-K of its (already sorted) shingle hashes, each reduced to a 16-bit code
 * `x >>> shift`, where `shift` is the smallest that fits the largest stored hash into 16 bits (so codes use
 * the full 16-bit range and stay sorted). The query side always has its full 32-bit shingle list and maps it
 * through the stored record's shift, so the two meet in the same code space.
 *
 * - When the stored set had <= K shingles (a ~1 KB document has ~180 word 5-grams; K defaults to 256) the
 *   sketch holds the whole set and the result is the exact Jaccard, up to 16-bit code collisions between a
 *   shingle only in A and one only in B (expected |A\B|·|B\A| / 65536 spurious matches: ~0.01 for near-dups of
 *   1 KB texts).
 * - Otherwise the comparison is restricted to the hash range below the stored record's last code, where both
 *   sets are fully known, which is the standard bottom-k (hash-range sample) estimate of Jaccard.
 */

/** meta byte layout: bits 0-4 shift (0..16), bit 5 truncated, bit 7 dead (used by the index). */
export const META_SHIFT_MASK = 0x1f;
export const META_TRUNCATED = 0x20;
export const META_DEAD = 0x80;

/** Encode the bottom-`k` of a sorted shingle list into `out` (length >= min(n, k)); returns [count, meta]. */
export function encodeSketch(shingles: Uint32Array, k: number, out: Uint16Array, outOffset: number): { count: number; meta: number } {
  const n = Math.min(shingles.length, k);
  if (n === 0) return { count: 0, meta: 0 };
  const max = shingles[n - 1]!;
  const bits = 32 - Math.clz32(max);
  const shift = bits > 16 ? bits - 16 : 0;
  for (let i = 0; i < n; i++) out[outOffset + i] = shingles[i]! >>> shift;
  return { count: n, meta: shift | (shingles.length > k ? META_TRUNCATED : 0) };
}

/**
 * Jaccard of a full sorted shingle list `a` against a stored sketch (codes[start, start+count), meta).
 * Returns 0 when nothing can be compared.
 */
export function sketchJaccard(a: Uint32Array, codes: Uint16Array, start: number, count: number, meta: number): number {
  if (count === 0 || a.length === 0) return 0;
  const shift = meta & META_SHIFT_MASK;
  const truncated = (meta & META_TRUNCATED) !== 0;
  const end = start + count;
  // Strict upper bound on codes where both sides are fully known.
  const cut = truncated ? codes[end - 1]! : 0x10000;
  let j = start;
  let bEnd = end;
  if (truncated) while (bEnd > start && codes[bEnd - 1]! >= cut) bEnd--;
  const nb = bEnd - start;
  const na = a.length;
  let i = 0;
  let inter = 0;
  // a's codes are non-decreasing because a is sorted and x >>> shift is monotone.
  while (i < na && j < bEnd) {
    const x = a[i]! >>> shift;
    if (x >= cut) break;
    const y = codes[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  // count of a's codes below the cut
  let aCount: number;
  if (!truncated) aCount = na;
  else {
    // binary search for the first element whose code >= cut, i.e. value >= cut << shift
    const bound = cut * 2 ** shift;
    let lo = i;
    let hi = na;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid]! < bound) lo = mid + 1;
      else hi = mid;
    }
    aCount = lo;
  }
  const union = aCount + nb - inter;
  return union > 0 ? inter / union : 0;
}

/** Upper bound of Jaccard from set sizes alone (both sets complete): min/max. */
export function sizeBound(na: number, nb: number): number {
  if (na === 0 || nb === 0) return 0;
  return na < nb ? na / nb : nb / na;
}
