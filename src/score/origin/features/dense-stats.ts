/**
 * Standardisation (mean, std) and quantile-bin edges of the dense features, fitted on training windows and
 * stored in the model.
 */
import { N_BINS, N_DENSE } from './dense-layout.js';

/** Standardisation and binning of the dense features, fitted on training windows. */
export interface DenseStats {
  mean: number[];
  std: number[];
  /** N_BINS - 1 edges per feature */
  edges: number[][];
}

export function fitDenseStats(rows: Float64Array[], weights?: Float64Array): DenseStats {
  const mean: number[] = [];
  const std: number[] = [];
  const edges: number[][] = [];
  for (let f = 0; f < N_DENSE; f++) {
    const xs = rows.map((r) => r[f]!);
    let sw = 0;
    let s = 0;
    for (let i = 0; i < xs.length; i++) {
      const w = weights ? weights[i]! : 1;
      sw += w;
      s += w * xs[i]!;
    }
    const m = s / sw;
    let v = 0;
    for (let i = 0; i < xs.length; i++) v += (weights ? weights[i]! : 1) * (xs[i]! - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(v / sw) || 1);
    const sorted = Float64Array.from(xs).sort();
    const e: number[] = [];
    for (let b = 1; b < N_BINS; b++) e.push(sorted[Math.floor((b * sorted.length) / N_BINS)]!);
    edges.push(e);
  }
  return { mean, std, edges };
}
