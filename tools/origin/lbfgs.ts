/**
 * Deterministic weighted L2-regularised logistic regression on sparse rows, fitted with L-BFGS
 * (two-loop recursion, backtracking Armijo line search). Used only at training time.
 */

export interface SparseRows {
  /** row i spans [ptr[i], ptr[i+1]) of idx/val */
  ptr: Int32Array;
  idx: Int32Array;
  val: Float32Array;
  nRows: number;
  nCols: number;
}

export interface FitOptions {
  l2: number;
  maxIter: number;
  tol: number;
  memory?: number;
  log?: (msg: string) => void;
}

export interface LogReg {
  w: Float64Array;
  bias: number;
}

/** Build CSR rows from a list of sparse vectors. */
export function toRows(vecs: Array<{ idx: Int32Array; val: Float32Array }>, nCols: number): SparseRows {
  let nnz = 0;
  for (const v of vecs) nnz += v.idx.length;
  const ptr = new Int32Array(vecs.length + 1);
  const idx = new Int32Array(nnz);
  const val = new Float32Array(nnz);
  let k = 0;
  vecs.forEach((v, i) => {
    ptr[i] = k;
    idx.set(v.idx, k);
    val.set(v.val, k);
    k += v.idx.length;
  });
  ptr[vecs.length] = k;
  return { ptr, idx, val, nRows: vecs.length, nCols };
}

export function margins(X: SparseRows, w: Float64Array, bias: number, out?: Float64Array): Float64Array {
  const z = out ?? new Float64Array(X.nRows);
  const { ptr, idx, val } = X;
  for (let i = 0; i < X.nRows; i++) {
    let s = bias;
    for (let k = ptr[i]!; k < ptr[i + 1]!; k++) s += w[idx[k]!]! * val[k]!;
    z[i] = s;
  }
  return z;
}

function log1pexp(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

/** Fit; parameters are w (nCols) followed by the bias (not regularised). */
export function fitLogReg(X: SparseRows, y: Uint8Array, sw: Float64Array, o: FitOptions): LogReg {
  const n = X.nCols + 1;
  const m = o.memory ?? 10;
  let sumW = 0;
  for (let i = 0; i < X.nRows; i++) sumW += sw[i]!;
  const z = new Float64Array(X.nRows);
  const { ptr, idx, val } = X;

  const evalFG = (theta: Float64Array, g: Float64Array): number => {
    const bias = theta[n - 1]!;
    margins(X, theta, bias, z);
    g.fill(0);
    let loss = 0;
    let gb = 0;
    for (let i = 0; i < X.nRows; i++) {
      const zi = z[i]!;
      const wi = sw[i]! / sumW;
      loss += wi * (log1pexp(zi) - (y[i] ? zi : 0));
      const p = 1 / (1 + Math.exp(-zi));
      const r = wi * (p - y[i]!);
      gb += r;
      for (let k = ptr[i]!; k < ptr[i + 1]!; k++) g[idx[k]!]! += r * val[k]!;
    }
    let reg = 0;
    for (let j = 0; j < n - 1; j++) {
      reg += theta[j]! * theta[j]!;
      g[j]! += o.l2 * theta[j]!;
    }
    g[n - 1] = gb;
    return loss + 0.5 * o.l2 * reg;
  };

  let theta = new Float64Array(n);
  let g = new Float64Array(n);
  let f = evalFG(theta, g);
  const S: Float64Array[] = [];
  const Y: Float64Array[] = [];
  const rho: number[] = [];
  const dir = new Float64Array(n);
  const alpha = new Float64Array(m);
  const thetaNew = new Float64Array(n);
  let gNew = new Float64Array(n);
  for (let it = 0; it < o.maxIter; it++) {
    // two-loop recursion
    for (let j = 0; j < n; j++) dir[j] = -g[j]!;
    for (let k = S.length - 1; k >= 0; k--) {
      let a = 0;
      const s = S[k]!;
      for (let j = 0; j < n; j++) a += s[j]! * dir[j]!;
      a *= rho[k]!;
      alpha[k] = a;
      const yk = Y[k]!;
      for (let j = 0; j < n; j++) dir[j]! -= a * yk[j]!;
    }
    if (S.length > 0) {
      const s = S[S.length - 1]!;
      const yk = Y[Y.length - 1]!;
      let sy = 0;
      let yy = 0;
      for (let j = 0; j < n; j++) {
        sy += s[j]! * yk[j]!;
        yy += yk[j]! * yk[j]!;
      }
      const gamma = sy / yy;
      for (let j = 0; j < n; j++) dir[j]! *= gamma;
    } else {
      let gn = 0;
      for (let j = 0; j < n; j++) gn += g[j]! * g[j]!;
      const sc = 1 / Math.max(1e-12, Math.sqrt(gn));
      for (let j = 0; j < n; j++) dir[j]! *= sc;
    }
    for (let k = 0; k < S.length; k++) {
      const yk = Y[k]!;
      let b = 0;
      for (let j = 0; j < n; j++) b += yk[j]! * dir[j]!;
      b *= rho[k]!;
      const s = S[k]!;
      const c = alpha[k]! - b;
      for (let j = 0; j < n; j++) dir[j]! += c * s[j]!;
    }
    let gd = 0;
    for (let j = 0; j < n; j++) gd += g[j]! * dir[j]!;
    if (gd >= 0) {
      // not a descent direction: reset memory and use steepest descent
      S.length = 0;
      Y.length = 0;
      rho.length = 0;
      for (let j = 0; j < n; j++) dir[j] = -g[j]!;
      gd = 0;
      for (let j = 0; j < n; j++) gd += g[j]! * dir[j]!;
    }
    let step = 1;
    let fNew = 0;
    let ok = false;
    for (let ls = 0; ls < 30; ls++) {
      for (let j = 0; j < n; j++) thetaNew[j] = theta[j]! + step * dir[j]!;
      fNew = evalFG(thetaNew, gNew);
      if (fNew <= f + 1e-4 * step * gd) {
        ok = true;
        break;
      }
      step *= 0.5;
    }
    if (!ok) break;
    const s = new Float64Array(n);
    const yk = new Float64Array(n);
    let sy = 0;
    for (let j = 0; j < n; j++) {
      s[j] = thetaNew[j]! - theta[j]!;
      yk[j] = gNew[j]! - g[j]!;
      sy += s[j]! * yk[j]!;
    }
    if (sy > 1e-12) {
      S.push(s);
      Y.push(yk);
      rho.push(1 / sy);
      if (S.length > m) {
        S.shift();
        Y.shift();
        rho.shift();
      }
    }
    const rel = Math.abs(f - fNew) / Math.max(1e-12, Math.abs(f));
    theta = Float64Array.from(thetaNew);
    const tmp = g;
    g = gNew;
    gNew = tmp;
    f = fNew;
    if (o.log && it % 20 === 0) o.log(`  iter ${it} loss ${f.toFixed(5)}`);
    if (rel < o.tol) break;
  }
  return { w: theta.subarray(0, n - 1), bias: theta[n - 1]! };
}
