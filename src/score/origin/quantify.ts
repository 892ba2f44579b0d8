/**
 * Quantification math: the share of machine-written text among a set of detector-scored texts, from the set's
 * score summary and the detector's behaviour on held-out sources (leave-one-source-out, LOSO).
 *
 * Every method returns a point value and a 95% interval for that share. The point is the median over the LOSO
 * sources of the estimate made with each source's references alone. The interval combines
 *   - the between-source spread of the detector's behaviour: the estimate is recomputed with each source's own
 *     references in turn, and the interval spans the predictive range of those per-source estimates for one unseen
 *     source, mean ± t(k-1, 0.975)·sd·sqrt(1 + 1/k) over the k LOSO sources, and
 *   - sampling error of the set's own statistic (normal approximation), added at both ends.
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

/** The reference of one source from its held-out scores (human and machine p_ai). */
export function referenceOf(name: string, human: number[], ai: number[], accThreshold: number, bins: number): SourceReference {
  const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const rate = (xs: number[]): number => xs.filter((x) => x >= accThreshold).length / xs.length;
  const hist = (xs: number[]): number[] => {
    const h = new Array<number>(bins).fill(0);
    for (const x of xs) h[Math.min(bins - 1, Math.max(0, Math.floor(x * bins)))]! += 1 / xs.length;
    return h.map((v) => +v.toFixed(5));
  };
  return {
    name,
    nHuman: human.length,
    nAi: ai.length,
    meanHuman: +mean(human).toFixed(5),
    meanAi: +mean(ai).toFixed(5),
    fpr: +rate(human).toFixed(5),
    tpr: +rate(ai).toFixed(5),
    histHuman: hist(human),
    histAi: hist(ai),
  };
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

/** Median (the point estimate over sources: one source whose detector behaves unlike the rest moves it little). */
export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
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

/** A reference's human / machine expectation of the method's statistic (mean p_ai for pacc, rates for acc). */
type Rates = (r: SourceReference) => { f: number; t: number };
const meanRates: Rates = (r) => ({ f: r.meanHuman, t: r.meanAi });
const thresholdRates: Rates = (r) => ({ f: r.fpr, t: r.tpr });

/** The adjusted count of statistic q with source-averaged rates. */
function adjustedPoint(q: number, refs: SourceReference[], rates: Rates): number {
  let f = 0;
  let t = 0;
  for (const r of refs) {
    const x = rates(r);
    f += x.f / refs.length;
    t += x.t / refs.length;
  }
  return t - f > 1e-9 ? (q - f) / (t - f) : 0.5;
}

/**
 * Interval from the spread over sources: the point estimate with each source's own rates in turn, their predictive
 * range for an unseen source, widened by the sampling error of the pooled point (se, in share units).
 */
function spreadInterval(value: number, perSource: number[], se: number): Interval {
  const pr = predictiveRange(perSource);
  return {
    value: clip01(value),
    low: Math.min(clip01(value), clip01(Math.min(pr.lo, value) - Z95 * se)),
    high: Math.max(clip01(value), clip01(Math.max(pr.hi, value) + Z95 * se)),
  };
}

function adjusted(q: number, seQ: number, refs: SourceReference[], rates: Rates): Interval {
  const per = refs.map((r) => adjustedPoint(q, [r], rates));
  const value = median(per);
  const gap = refs.reduce((a, r) => a + (rates(r).t - rates(r).f) / refs.length, 0);
  // a reference whose rates do not separate the classes: the detector may not work on an unseen source at all
  if (!(gap > 1e-9) || refs.some((r) => rates(r).t - rates(r).f <= 1e-9)) return { value: clip01(value), low: 0, high: 1 };
  return spreadInterval(value, per, seQ / gap);
}

/** Probabilistic adjusted classify-and-count: q = mean p_ai, f / t = mean p_ai on human / machine text. */
export function pacc(s: ScoreSummary, refs: SourceReference[]): Interval {
  const m = s.sumP / s.n;
  const varP = Math.max(0, s.sumP2 / s.n - m * m);
  return adjusted(m, Math.sqrt(varP / s.n), refs, meanRates);
}

/** Adjusted classify-and-count at the params' threshold: q = share at or above it, f / t = human FPR / machine TPR. */
export function acc(s: ScoreSummary, refs: SourceReference[]): Interval {
  const q = s.above / s.n;
  return adjusted(q, Math.sqrt(Math.max(q * (1 - q), 0.25 / s.n) / s.n), refs, thresholdRates);
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
  const per = refs.map((r) => point([r]));
  const value = median(per);
  return spreadInterval(
    value,
    per,
    Math.sqrt(Math.max(value * (1 - value), 0.25 / s.n) / s.n),
  );
}

/** The share among scored texts by the named method. */
export function quantify(method: QuantMethod, s: ScoreSummary, refs: SourceReference[], bins: number): Interval {
  if (method === 'acc') return acc(s, refs);
  if (method === 'pacc') return pacc(s, refs);
  if (refs.some((r) => !r.histHuman || !r.histAi)) return acc(s, refs);
  return histogramMethod(s, refs, bins, method);
}
