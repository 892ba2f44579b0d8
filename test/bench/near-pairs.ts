/**
 * Exact all-pairs similarity join: every pair of documents whose shingle sets have Jaccard >= t, found with prefix
 * filtering (shingles ordered rarest first by their frequency in the set; two sets with Jaccard >= t share a
 * shingle among their first |A| - ceil(t|A|) + 1) and a size filter, then verified by a sorted merge. Exact, no
 * sampling: a pair is reported if and only if its Jaccard is >= t.
 */

/** Jaccard of two sorted, duplicate-free arrays. */
export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      inter++;
      i++;
      j++;
    } else if (a[i]! < b[j]!) i++;
    else j++;
  }
  const union = a.length + b.length - inter;
  return union === 0 ? 1 : inter / union;
}

/** Pairs [i, j] (i < j) of `sets` (sorted, duplicate-free shingle hashes) with Jaccard >= t. Empty sets pair with
 * nothing. */
export function nearPairs(sets: readonly Uint32Array[], t: number): Array<[number, number]> {
  const freq = new Map<number, number>();
  for (const s of sets) for (const h of s) freq.set(h, (freq.get(h) ?? 0) + 1);
  const postings = new Map<number, number[]>();
  const out: Array<[number, number]> = [];
  const seen = new Int32Array(sets.length).fill(-1);
  for (let d = 0; d < sets.length; d++) {
    const a = sets[d]!;
    if (a.length === 0) continue;
    const order = Array.from(a).sort((x, y) => freq.get(x)! - freq.get(y)! || x - y);
    const prefix = a.length - Math.ceil(t * a.length - 1e-9) + 1;
    for (let k = 0; k < prefix; k++) {
      const list = postings.get(order[k]!);
      if (list) {
        for (const c of list) {
          if (seen[c] === d) continue;
          seen[c] = d;
          const b = sets[c]!;
          if (b.length < t * a.length - 1e-9 || a.length < t * b.length - 1e-9) continue;
          if (jaccardSorted(a, b) >= t) out.push([c, d]);
        }
        list.push(d);
      } else postings.set(order[k]!, [d]);
    }
  }
  return out;
}
