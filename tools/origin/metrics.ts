/** Evaluation metrics and Platt scaling for the origin detector (training and eval scripts). */

/** AUROC by the rank-sum statistic with tie handling; NaN when a class is missing. */
export function auroc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let nNeg = 0;
  for (let i = 0; i < n; i++) labels[i] ? nPos++ : nNeg++;
  if (nPos === 0 || nNeg === 0) return NaN;
  let rankSumPos = 0;
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1]!] === scores[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) if (labels[order[k]!]) rankSumPos += avg;
    i = j + 1;
  }
  return (rankSumPos - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

/**
 * TPR at a target FPR: the threshold is the smallest score t such that the share of negatives with score >= t is
 * <= fpr; TPR is the share of positives with score >= t.
 */
export function tprAtFpr(scores: ArrayLike<number>, labels: ArrayLike<number>, fpr: number): number {
  const neg: number[] = [];
  const pos: number[] = [];
  for (let i = 0; i < scores.length; i++) (labels[i] ? pos : neg).push(scores[i]!);
  if (neg.length === 0 || pos.length === 0) return NaN;
  neg.sort((a, b) => b - a);
  const allowed = Math.floor(fpr * neg.length);
  // threshold strictly above the (allowed)-th highest negative
  const t = allowed < neg.length ? neg[allowed]! : -Infinity;
  let tp = 0;
  for (const s of pos) if (s > t) tp++;
  return tp / pos.length;
}

/** Share of items at or above the threshold. */
export function rateAtOrAbove(scores: ArrayLike<number>, t: number): number {
  if (scores.length === 0) return NaN;
  let c = 0;
  for (let i = 0; i < scores.length; i++) if (scores[i]! >= t) c++;
  return c / scores.length;
}

export interface Platt {
  a: number;
  b: number;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** Weighted Platt scaling p = sigmoid(a*z + b) fitted by Newton's method (with Platt's target smoothing). */
export function fitPlatt(z: ArrayLike<number>, y: ArrayLike<number>, w?: ArrayLike<number>): Platt {
  let a = 1;
  let b = 0;
  let wp = 0;
  let wn = 0;
  for (let i = 0; i < z.length; i++) (y[i] ? (wp += w ? w[i]! : 1) : (wn += w ? w[i]! : 1));
  const tp = (wp + 1) / (wp + 2);
  const tn = 1 / (wn + 2);
  for (let it = 0; it < 100; it++) {
    let gA = 0;
    let gB = 0;
    let hAA = 1e-9;
    let hAB = 0;
    let hBB = 1e-9;
    for (let i = 0; i < z.length; i++) {
      const wi = w ? w[i]! : 1;
      const t = y[i] ? tp : tn;
      const p = sigmoid(a * z[i]! + b);
      const r = wi * (p - t);
      gA += r * z[i]!;
      gB += r;
      const h = wi * p * (1 - p);
      hAA += h * z[i]! * z[i]!;
      hAB += h * z[i]!;
      hBB += h;
    }
    const det = hAA * hBB - hAB * hAB;
    const dA = (hBB * gA - hAB * gB) / det;
    const dB = (hAA * gB - hAB * gA) / det;
    a -= dA;
    b -= dB;
    if (Math.abs(dA) + Math.abs(dB) < 1e-10) break;
  }
  return { a, b };
}

export interface ReliabilityBin {
  lo: number;
  hi: number;
  n: number;
  meanP: number;
  fracPos: number;
}

/** Reliability table and expected calibration error (weighted by item weights when given). */
export function reliability(
  p: ArrayLike<number>,
  y: ArrayLike<number>,
  w?: ArrayLike<number>,
  nBins = 10,
): { bins: ReliabilityBin[]; ece: number } {
  const sw = new Float64Array(nBins);
  const sp = new Float64Array(nBins);
  const sy = new Float64Array(nBins);
  const cnt = new Int32Array(nBins);
  let tot = 0;
  for (let i = 0; i < p.length; i++) {
    const b = Math.min(nBins - 1, Math.floor(p[i]! * nBins));
    const wi = w ? w[i]! : 1;
    sw[b]! += wi;
    sp[b]! += wi * p[i]!;
    sy[b]! += wi * (y[i] ? 1 : 0);
    cnt[b]!++;
    tot += wi;
  }
  const bins: ReliabilityBin[] = [];
  let ece = 0;
  for (let b = 0; b < nBins; b++) {
    if (cnt[b] === 0) continue;
    const mp = sp[b]! / sw[b]!;
    const fy = sy[b]! / sw[b]!;
    bins.push({ lo: b / nBins, hi: (b + 1) / nBins, n: cnt[b]!, meanP: mp, fracPos: fy });
    ece += (sw[b]! / tot) * Math.abs(mp - fy);
  }
  return { bins, ece };
}
