/**
 * Metrics of the collapse experiment. Every function is pure and works on token-id documents (Int32Array) or
 * count vectors indexed by token id, so that they can be checked on hand-made inputs.
 *
 * - perplexity: exp of the mean negative log-probability per predicted token (each word and each document's </s>)
 *   of held-out human documents, under the model's own smoothing (its unknown-word floor is part of the model).
 * - distinct-2: distinct token bigrams / total token bigrams over a set of documents (bigrams do not cross
 *   document boundaries; </s> is not a token here).
 * - unigram KL: KL(P || Q) in nats, P the empirical unigram distribution of the reference (held-out human) tokens,
 *   Q the add-alpha smoothed unigram distribution of the compared tokens (samples) over the same support.
 * - AUROC: the probability that a random positive scores above a random negative (ties count one half).
 * - tail coverage: the rare types of the reference are those with 1 <= count <= maxCount (5) in the reference;
 *   coverage is the share of them that a predicate accepts (in the experiment: present at least once in the
 *   generation's samples; `tail_vocab`: present at least once in the model's training data).
 */
import type { TrigramKN } from './ngram.js';

export function perplexity(model: Pick<TrigramKN, 'docLogProb'>, docs: readonly ArrayLike<number>[]): number {
  let logp = 0;
  let n = 0;
  for (const d of docs) {
    const r = model.docLogProb(d);
    logp += r.logp;
    n += r.n;
  }
  return n === 0 ? NaN : Math.exp(-logp / n);
}

/** Distinct n-grams / total n-grams over the documents; 0 when there is no n-gram at all. */
export function distinctN(docs: readonly ArrayLike<number>[], n = 2): number {
  const seen = new Set<string>();
  let total = 0;
  for (const d of docs) {
    for (let i = 0; i + n <= d.length; i++) {
      let k = String(d[i]);
      for (let j = 1; j < n; j++) k += ',' + d[i + j];
      seen.add(k);
      total++;
    }
  }
  return total === 0 ? 0 : seen.size / total;
}

/** Token counts per id over the documents (length `size`). */
export function unigramCounts(docs: readonly ArrayLike<number>[], size: number): Float64Array {
  const c = new Float64Array(size);
  for (const d of docs) for (let i = 0; i < d.length; i++) c[d[i]!]!++;
  return c;
}

/** KL(p || q) in nats for two distributions over the same support; Infinity when q is 0 where p is not. */
export function kl(p: ArrayLike<number>, q: ArrayLike<number>): number {
  if (p.length !== q.length) throw new Error('kl: supports differ');
  let s = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i]!;
    if (pi <= 0) continue;
    const qi = q[i]!;
    if (qi <= 0) return Infinity;
    s += pi * Math.log(pi / qi);
  }
  return s;
}

/**
 * KL(P_ref || Q_alpha) over the ids [first, length): P_ref = ref / sum(ref),
 * Q_alpha(w) = (hyp(w) + alpha) / (sum(hyp) + alpha * support size).
 */
export function unigramKL(ref: ArrayLike<number>, hyp: ArrayLike<number>, alpha: number, first = 0): number {
  if (ref.length !== hyp.length) throw new Error('unigramKL: supports differ');
  if (!(alpha > 0)) throw new Error('unigramKL: alpha must be > 0');
  const m = ref.length - first;
  let nr = 0;
  let nh = 0;
  for (let i = first; i < ref.length; i++) {
    nr += ref[i]!;
    nh += hyp[i]!;
  }
  if (nr === 0) return NaN;
  const p = new Float64Array(m);
  const q = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    p[i] = ref[first + i]! / nr;
    q[i] = (hyp[first + i]! + alpha) / (nh + alpha * m);
  }
  return kl(p, q);
}

/** Ids whose count in the reference is in [1, maxCount]. */
export function rareTypes(refCounts: ArrayLike<number>, maxCount = 5): Int32Array {
  const out: number[] = [];
  for (let w = 0; w < refCounts.length; w++) {
    const c = refCounts[w]!;
    if (c >= 1 && c <= maxCount) out.push(w);
  }
  return Int32Array.from(out);
}

/** Share of `rare` ids for which `covered` holds; NaN when there is no rare id. */
export function tailCoverage(rare: ArrayLike<number>, covered: (w: number) => boolean): number {
  if (rare.length === 0) return NaN;
  let n = 0;
  for (let i = 0; i < rare.length; i++) if (covered(rare[i]!)) n++;
  return n / rare.length;
}

/** AUROC of `scores` for binary `labels` (1 = positive), ties counted one half; NaN without both classes. */
export function auroc(scores: readonly number[], labels: readonly number[]): number {
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let pos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length; ) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const mid = (i + j) / 2 + 1; // mean 1-based rank of the tie group
    for (let k = i; k <= j; k++) if (labels[idx[k]!] === 1) {
      pos++;
      rankSum += mid;
    }
    i = j + 1;
  }
  const neg = idx.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
