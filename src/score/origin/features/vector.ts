/**
 * The model's feature vector: its layout (hashed dims, then standardised dense values, then one-hot dense bins),
 * feature names for explanations, assembly of a window's sparse vector and its dot product with the weights.
 */
import { DENSE_NAMES, N_BINS, N_DENSE } from './dense-layout.js';
import type { DenseStats } from './dense-stats.js';
import type { RawWindow } from './window.js';

/** Full feature count: hashed dims + standardised dense + one-hot bins. */
export function featureCount(dim: number): number {
  return dim + N_DENSE + N_DENSE * N_BINS;
}

export function featureName(i: number, dim: number, names?: Map<number, string>): string {
  if (i < dim) return names?.get(i) ?? `h:${i}`;
  const j = i - dim;
  if (j < N_DENSE) return `d:${DENSE_NAMES[j]}`;
  const f = Math.floor((j - N_DENSE) / N_BINS);
  return `d:${DENSE_NAMES[f]}#bin${(j - N_DENSE) % N_BINS}`;
}

/** Final sparse vector of a window: hashed part plus standardised and binned dense features. */
export function assemble(w: RawWindow, dim: number, st: DenseStats, denseScale: number): { idx: Int32Array; val: Float32Array } {
  const n = w.idx.length + 2 * N_DENSE;
  const idx = new Int32Array(n);
  const val = new Float32Array(n);
  idx.set(w.idx);
  val.set(w.val);
  let k = w.idx.length;
  for (let f = 0; f < N_DENSE; f++) {
    let z = (w.dense[f]! - st.mean[f]!) / st.std[f]!;
    if (z > 5) z = 5;
    else if (z < -5) z = -5;
    idx[k] = dim + f;
    val[k] = z * denseScale;
    k++;
    const e = st.edges[f]!;
    let b = 0;
    while (b < e.length && w.dense[f]! > e[b]!) b++;
    idx[k] = dim + N_DENSE + f * N_BINS + b;
    val[k] = denseScale;
    k++;
  }
  return { idx, val };
}

/** Linear score of a window without materialising the assembled vector: bias + w · assemble(w). */
export function dotWindow(
  w: RawWindow,
  weights: ArrayLike<number>,
  bias: number,
  dim: number,
  st: DenseStats,
  denseScale: number,
): number {
  return dotParts(w.idx, w.val, w.idx.length, w.dense, weights, bias, dim, st, denseScale);
}

/** bias + w · assemble(window), from the window's first n hashed pairs and its dense values. */
export function dotParts(
  idx: Int32Array,
  val: Float32Array,
  n: number,
  dense: Float64Array,
  weights: ArrayLike<number>,
  bias: number,
  dim: number,
  st: DenseStats,
  denseScale: number,
): number {
  let z = bias;
  for (let k = 0; k < n; k++) z += weights[idx[k]!]! * val[k]!;
  for (let f = 0; f < N_DENSE; f++) {
    const x = dense[f]!;
    let zz = (x - st.mean[f]!) / st.std[f]!;
    if (zz > 5) zz = 5;
    else if (zz < -5) zz = -5;
    z += weights[dim + f]! * zz * denseScale;
    const e = st.edges[f]!;
    let b = 0;
    while (b < e.length && x > e[b]!) b++;
    z += weights[dim + N_DENSE + f * N_BINS + b]! * denseScale;
  }
  return z;
}
