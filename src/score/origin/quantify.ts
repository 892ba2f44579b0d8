/**
 * Quantification math: the share of machine-written text among a set of detector-scored texts, from the set's
 * score summary and the detector's behaviour on held-out sources (leave-one-source-out, LOSO).
 *
 * Every method returns a point value and a 95% interval for that share. The interval combines
 *   - sampling error of the set's own statistic (normal approximation), and
 *   - the between-source spread of the detector's rates: the reference rates (mean p_ai on human and on machine
 *     text, or the rates at a threshold) are taken over a predictive range for an unseen source,
 *     mean ± t(k-1, 0.975)·sd·sqrt(1 + 1/k) over the k LOSO sources, and the interval's ends are the extremes of the
 *     estimate over that range.
 * Pure functions; no I/O. Used by the running estimator (prevalence.ts) and by the evaluation (tools/origin).
 */

/** Detector behaviour on one held-out source (LOSO out-of-fold scores, texts the detector judges). */
export interface SourceReference {
  name: string;
  nHuman: number;
  nAi: number;
  /** mean p_ai of the source's human / machine texts */
  meanHuman: number;
  meanAi: number;
  /** share of human (fpr) / machine (tpr) texts with p_ai >= the params' accThreshold */
  fpr: number;
  tpr: number;
  /** p_ai histograms (equal-width bins on [0, 1]), each normalised to sum 1; absent in the fallback params */
  histHuman?: number[];
  histAi?: number[];
}

/** Sufficient statistics of the scored texts of a set: O(1) to update, added to merge. */
export interface ScoreSummary {
  n: number;
  sumP: number;
  sumP2: number;
  /** texts with p_ai >= accThreshold */
  above: number;
  /** p_ai histogram (counts), same bins as the references */
  hist: number[];
}

export interface Interval {
  value: number;
  low: number;
  high: number;
}

export type QuantMethod = 'acc' | 'pacc' | 'hdy' | 'em';

const Z95 = 1.959964;

/** Two-sided 97.5% quantile of Student's t with df degrees of freedom (df >= 1). */
export function t975(df: number): number {
  const table = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228];
  if (df < 1) return Infinity;
  return df <= table.length ? table[df - 1]! : Z95 + 2.4 / df;
}

export const clip01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Mean and predictive range (for one unseen source) of a per-source quantity. */
export function predictiveRange(xs: number[]): { mean: number; lo: number; hi: number } {
  const k = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / k;
  if (k < 2) return { mean, lo: mean, hi: mean };
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (k - 1));
  const half = t975(k - 1) * sd * Math.sqrt(1 + 1 / k);
  return { mean, lo: mean - half, hi: mean + half };
}

/**
 * Adjusted count: share = (q - f) / (t - f), q the set's statistic, f / t the statistic's expected value on purely
 * human / purely machine text. With f and t in [fLo, fHi] x [tLo, tHi] and q in [qLo, qHi], the interval is the
 * extremes over the corners (the formula is monotone in each argument where the denominator is positive). When the
 * ranges overlap (the detector may not separate the classes at all on an unseen source), the interval is [0, 1].
 */
export function adjustedInterval(
  q: { v: number; lo: number; hi: number },
  f: { mean: number; lo: number; hi: number },
  t: { mean: number; lo: number; hi: number },
): Interval {
  const value = t.mean - f.mean > 1e-9 ? clip01((q.v - f.mean) / (t.mean - f.mean)) : 0.5;
  if (t.lo <= f.hi) return { value, low: 0, high: 1 };
  let lo = Infinity;
  let hi = -Infinity;
  for (const qq of [q.lo, q.hi])
    for (const ff of [f.lo, f.hi])
      for (const tt of [t.lo, t.hi]) {
        const s = (qq - ff) / (tt - ff);
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      }
  return { value, low: Math.min(clip01(lo), value), high: Math.max(clip01(hi), value) };
}

/** Probabilistic adjusted classify-and-count: q = mean p_ai, f / t = mean p_ai on human / machine text. */
export function pacc(s: ScoreSummary, refs: SourceReference[]): Interval {
  const m = s.sumP / s.n;
  const varP = Math.max(0, s.sumP2 / s.n - m * m);
  const se = Math.sqrt(varP / s.n);
  return adjustedInterval(
    { v: m, lo: m - Z95 * se, hi: m + Z95 * se },
    predictiveRange(refs.map((r) => r.meanHuman)),
    predictiveRange(refs.map((r) => r.meanAi)),
  );
}

/** Adjusted classify-and-count at the params' threshold: q = share at or above it, f / t = human FPR / machine TPR. */
export function acc(s: ScoreSummary, refs: SourceReference[]): Interval {
  const q = s.above / s.n;
  const se = Math.sqrt(Math.max(q * (1 - q), 0.25 / s.n) / s.n);
  return adjustedInterval(
    { v: q, lo: q - Z95 * se, hi: q + Z95 * se },
    predictiveRange(refs.map((r) => r.fpr)),
    predictiveRange(refs.map((r) => r.tpr)),
  );
}

/** Source-averaged reference histograms with a small pseudo-count so no bin is empty. */
export function pooledHistograms(refs: SourceReference[], bins: number): { human: number[]; ai: number[] } {
  const human = new Array<number>(bins).fill(0.5 / bins / 100);
  const ai = new Array<number>(bins).fill(0.5 / bins / 100);
  for (const r of refs) {
    for (let b = 0; b < bins; b++) {
      human[b]! += (r.histHuman?.[b] ?? 0) / refs.length;
      ai[b]! += (r.histAi?.[b] ?? 0) / refs.length;
    }
  }
  const sh = human.reduce((a, b) => a + b, 0);
  const sa = ai.reduce((a, b) => a + b, 0);
  return { human: human.map((x) => x / sh), ai: ai.map((x) => x / sa) };
}

/** HDy (González-Castro et al. 2013): the mixture weight whose reference mixture is nearest in Hellinger distance. */
export function hdyPoint(hist: number[], human: number[], ai: number[]): { theta: number; distance: number } {
  const n = hist.reduce((a, b) => a + b, 0);
  let best = 0;
  let bestD = Infinity;
  for (let i = 0; i <= 1000; i++) {
    const th = i / 1000;
    let bc = 0;
    for (let b = 0; b < hist.length; b++) bc += Math.sqrt((hist[b]! / n) * (th * ai[b]! + (1 - th) * human[b]!));
    const d = Math.sqrt(Math.max(0, 1 - bc));
    if (d < bestD - 1e-12) {
      bestD = d;
      best = th;
    }
  }
  return { theta: best, distance: bestD };
}

/** EM prior adjustment (Saerens et al. 2002) on the histogram, with likelihoods from the reference histograms. */
export function emPoint(hist: number[], human: number[], ai: number[]): number {
  const n = hist.reduce((a, b) => a + b, 0);
  let pi = 0.5;
  for (let it = 0; it < 500; it++) {
    let s = 0;
    for (let b = 0; b < hist.length; b++) {
      if (hist[b] === 0) continue;
      const a = pi * ai[b]!;
      s += (hist[b]! * a) / (a + (1 - pi) * human[b]!);
    }
    const next = s / n;
    if (Math.abs(next - pi) < 1e-7) return next;
    pi = next;
  }
  return pi;
}

/**
 * Histogram methods (HDy, EM): point from the pooled references; interval from the extremes over leave-one-
 * reference-out and per-source fits, widened by a binomial sampling term. Weaker theory than the adjusted counts,
 * kept for the comparison in eval:share.
 */
export function histogramMethod(s: ScoreSummary, refs: SourceReference[], bins: number, kind: 'hdy' | 'em'): Interval {
  const point = (rs: SourceReference[]): number => {
    const { human, ai } = pooledHistograms(rs, bins);
    return kind === 'hdy' ? hdyPoint(s.hist, human, ai).theta : emPoint(s.hist, human, ai);
  };
  const value = point(refs);
  const per = refs.map((r) => point([r]));
  const pr = predictiveRange(per);
  const se = Math.sqrt(Math.max(value * (1 - value), 0.25 / s.n) / s.n);
  return {
    value,
    low: Math.min(value, clip01(Math.min(pr.lo, value) - Z95 * se)),
    high: Math.max(value, clip01(Math.max(pr.hi, value) + Z95 * se)),
  };
}

/** The share among scored texts by the named method. */
export function quantify(method: QuantMethod, s: ScoreSummary, refs: SourceReference[], bins: number): Interval {
  if (method === 'acc') return acc(s, refs);
  if (method === 'pacc') return pacc(s, refs);
  if (refs.some((r) => !r.histHuman || !r.histAi)) return acc(s, refs);
  return histogramMethod(s, refs, bins, method);
}
