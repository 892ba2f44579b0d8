/**
 * Features of one window of a prepared text: the window boundaries, the hashed families (unigrams, bigrams,
 * skeleton trigrams and 4-grams, char n-grams; each log-scaled and L2-normalised) and the dense counts, computed
 * in one pass over module-level scratch buffers that are reused across windows (the detector's hot path).
 * `extractWindow` copies the result out; `scoreWindow` scores it in place.
 */
import { fmix32 } from '../../../text/hash.js';
import { T_NUM, T_WORD } from '../text.js';
import { N_DENSE } from './dense-layout.js';
import type { DenseStats } from './dense-stats.js';
import { F_CONTR, F_FW, F_HYPH, F_I, F_SENTSTART, F_WE, F_YOU, PC_OTHER, type Prepared } from './prepare.js';
import { RANK_SLOTS, rankFeatures } from './rank-features.js';
import type { RankTable } from './reference-tables.js';
import { dotParts } from './vector.js';

/** Hash of the pair (a, b): n-gram hashes are folds of this over a family seed and the token hashes. */
function combine(a: number, b: number): number {
  return fmix32((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

/** Seeds of the hashed families, so that equal n-grams of different families land on different indices */
const FAM_UNI = 0x1b873593;
const FAM_BI = 0x2c1b3c6d;
const FAM_SKEL = 0x297a2d39;
const FAM_CHAR = 0x3b9aca07;
const FAM_SKEL4 = 0x5bd1e995;

/** Raw features of one window: hashed (index → value, already normalised) and raw dense values. */
export interface RawWindow {
  idx: Int32Array;
  val: Float32Array;
  dense: Float64Array;
  /** word count of the window */
  words: number;
  /** token range of the window */
  t0: number;
  t1: number;
}

export interface ExtractOptions {
  dim: number; // power of two
  ranks: RankTable;
  /** collect feature names for explanations */
  names?: Map<number, string>;
  /** scale of the hashed families [unigram, bigram, skeleton trigram, char n-gram, skeleton 4-gram]; default [1, 1, 1, 0, 0] */
  fam?: readonly number[];
  /** char n-gram family: n from lo to hi, and whether grams cross word boundaries (default [3, 5], false) */
  charN?: readonly [number, number];
  charCross?: boolean;
}

/**
 * Window boundaries (token index ranges) for a text of `nWords` words: one window when nWords <= W, otherwise
 * ceil(nWords / W) windows of exactly W words spread evenly from the start to the end (the last ones overlap).
 */
export function windowStarts(nWords: number, W: number): number[] {
  if (nWords <= W) return [0];
  const k = Math.ceil(nWords / W);
  const out: number[] = [];
  for (let j = 0; j < k; j++) out.push(Math.round((j * (nWords - W)) / (k - 1)));
  return out;
}

let hbuf = new Uint32Array(1024);

/** The hashed part of the window being extracted: (index, value) pairs appended by `emitFamily`, copied out at the
 * end of `extractWindow` (scratch arrays reused across windows; values are float32, as the window keeps them). */
let outIdx = new Int32Array(4096);
let outVal = new Float32Array(4096);
let outN = 0;

/** Math.log1p of small counts, computed once (the same doubles as calling it) */
const LOG1P = Float64Array.from({ length: 1024 }, (_, c) => Math.log1p(c));
const log1pCount = (c: number): number => (c < 1024 ? LOG1P[c]! : Math.log1p(c));

/**
 * Append one hashed family: sort the n hashes in hbuf, count runs, log-scale, L2-normalise, scale. Returns the
 * number of distinct hashes that occur more than once (in occurrences) for the repetition feature.
 */
function emitFamily(n: number, mask: number, scale: number): number {
  if (n === 0) return 0;
  const h = hbuf.subarray(0, n);
  h.sort();
  let ss = 0;
  let repeated = 0;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && h[j] === h[i]) j++;
    const l = log1pCount(j - i);
    ss += l * l;
    if (j - i > 1) repeated += j - i;
    i = j;
  }
  if (scale === 0) return repeated;
  if (outN + n > outIdx.length) {
    const size = Math.max(2 * outIdx.length, outN + n);
    const ni = new Int32Array(size);
    const nv = new Float32Array(size);
    ni.set(outIdx.subarray(0, outN));
    nv.set(outVal.subarray(0, outN));
    outIdx = ni;
    outVal = nv;
  }
  const inv = scale / Math.sqrt(ss);
  let k = outN;
  for (let i = 0; i < n; ) {
    let j = i + 1;
    while (j < n && h[j] === h[i]) j++;
    outIdx[k] = h[i]! & mask;
    outVal[k] = log1pCount(j - i) * inv;
    k++;
    i = j;
  }
  outN = k;
  return repeated;
}

/** Char n-gram hashes of tokens [t0, t1) into hbuf; returns their count. */
function charGrams(p: Prepared, t0: number, t1: number, nr: readonly [number, number], cross: boolean): number {
  const { toks } = p;
  const [lo, hi] = nr;
  // char codes: each word framed by '_' (within-word grams), or all tokens joined by single '_' (cross mode)
  let cap = 0;
  for (let i = t0; i < t1; i++) cap += toks.tok[i]!.length + 2;
  const cs = new Uint16Array(cap + 1);
  let n = 0;
  let out = 0;
  const need = cap * (hi - lo + 1) + 16;
  if (hbuf.length < need) hbuf = new Uint32Array(need * 2);
  const flush = (): void => {
    for (let a = 0; a < n; a++) {
      let h = FAM_CHAR;
      for (let b = a; b < n && b - a < hi; b++) {
        h = Math.imul(h ^ cs[b]!, 0x01000193);
        if (b - a + 1 >= lo) hbuf[out++] = fmix32(h + b - a);
      }
    }
    n = 0;
  };
  for (let i = t0; i < t1; i++) {
    const t = toks.tok[i]!;
    if (!cross) {
      if (toks.type[i] !== T_WORD) continue;
      cs[n++] = 95;
      for (let c = 0; c < t.length; c++) cs[n++] = t.charCodeAt(c);
      cs[n++] = 95;
      flush();
    } else {
      if (n === 0) cs[n++] = 95;
      for (let c = 0; c < t.length; c++) cs[n++] = t.charCodeAt(c);
      cs[n++] = 95;
    }
  }
  if (cross) flush();
  return out;
}

/** First token of the window that starts at word w0. */
function windowT0(p: Prepared, w0: number): number {
  return w0 === 0 ? 0 : p.wordPos[w0]!;
}

/** End token (exclusive) of the window that ends before word w1: punctuation after the last word is included. */
function windowT1(p: Prepared, w1: number, t0: number): number {
  const t1 = w1 >= p.wordPos.length ? p.toks.tok.length : p.wordPos[w1]!;
  return t1 < t0 ? t0 : t1;
}

/** Raw features of words [w0, w1) of a prepared text. */
export function extractWindow(p: Prepared, w0: number, w1: number, o: ExtractOptions): RawWindow {
  const t0 = windowT0(p, w0);
  const t1 = windowT1(p, w1, t0);
  const dense = new Float64Array(N_DENSE);
  const words = fillWindow(p, t0, t1, o, dense);
  return { idx: outIdx.slice(0, outN), val: outVal.slice(0, outN), dense, words, t0, t1 };
}

const DENSE_SCRATCH = new Float64Array(N_DENSE);

/**
 * The linear score of words [w0, w1) of a prepared text: `dotWindow(extractWindow(...))` without materialising
 * the window (the detector's hot path; the same arithmetic in the same order, so the same double).
 */
export function scoreWindow(p: Prepared, w0: number, w1: number, o: ExtractOptions, weights: ArrayLike<number>, bias: number, st: DenseStats, denseScale: number): number {
  const t0 = windowT0(p, w0);
  fillWindow(p, t0, windowT1(p, w1, t0), o, DENSE_SCRATCH);
  return dotParts(outIdx, outVal, outN, DENSE_SCRATCH, weights, bias, o.dim, st, denseScale);
}

const PUNCT_SCRATCH = new Float64Array(13);

/**
 * Features of tokens [t0, t1): the hashed families into the scratch pairs (outIdx/outVal, outN of them) and the
 * dense values into d. Returns the window's word count.
 */
function fillWindow(p: Prepared, t0: number, t1: number, o: ExtractOptions, d: Float64Array): number {
  const { toks, th, sk, pc, fl } = p;
  const mask = o.dim - 1;
  const names = o.names;
  const fam = o.fam ?? [1, 1, 1];
  const nt = t1 - t0;
  if (hbuf.length < 2 * nt + 2) hbuf = new Uint32Array(2 * nt + 64);
  outN = 0;

  // unigrams
  for (let i = t0; i < t1; i++) hbuf[i - t0] = combine(FAM_UNI, th[i]!);
  if (names) for (let i = t0; i < t1; i++) names.set(hbuf[i - t0]! & mask, 'u:' + toks.tok[i]);
  emitFamily(nt, mask, fam[0] ?? 0);
  // bigrams
  for (let i = t0 + 1; i < t1; i++) hbuf[i - t0 - 1] = combine(combine(FAM_BI, th[i - 1]!), th[i]!);
  if (names) for (let i = t0 + 1; i < t1; i++) names.set(hbuf[i - t0 - 1]! & mask, 'b:' + toks.tok[i - 1] + ' ' + toks.tok[i]);
  const nBigrams = Math.max(0, nt - 1);
  const repeated = emitFamily(nBigrams, mask, fam[1] ?? 0);
  // skeleton trigrams
  for (let i = t0 + 2; i < t1; i++) hbuf[i - t0 - 2] = combine(combine(combine(FAM_SKEL, sk[i - 2]!), sk[i - 1]!), sk[i]!);
  if (names && p.skName) {
    for (let i = t0 + 2; i < t1; i++) names.set(hbuf[i - t0 - 2]! & mask, 's:' + p.skName[i - 2] + ' ' + p.skName[i - 1] + ' ' + p.skName[i]);
  }
  emitFamily(Math.max(0, nt - 2), mask, fam[2] ?? 0);
  // skeleton 4-grams
  if ((fam[4] ?? 0) > 0) {
    for (let i = t0 + 3; i < t1; i++) hbuf[i - t0 - 3] = combine(combine(combine(combine(FAM_SKEL4, sk[i - 3]!), sk[i - 2]!), sk[i - 1]!), sk[i]!);
    emitFamily(Math.max(0, nt - 3), mask, fam[4]!);
  }
  // character n-grams (lower-cased tokens, '_' marks word boundaries)
  if ((fam[3] ?? 0) > 0) emitFamily(charGrams(p, t0, t1, o.charN ?? [3, 5], o.charCross ?? false), mask, fam[3]!);

  // dense
  d.fill(0);
  let words = 0;
  let alphaN = 0;
  let wlSum = 0;
  let wlSq = 0;
  let longW = 0;
  let capMid = 0;
  let allCaps = 0;
  let nums = 0;
  let contr = 0;
  let iW = 0;
  let youW = 0;
  let weW = 0;
  let fw = 0;
  let hyph = 0;
  const punct = PUNCT_SCRATCH.fill(0);
  let slN = 0;
  let slSum = 0;
  let slSq = 0;
  let slMax = 0;
  let cur = 0;
  let nStarts = 0;
  let lowerStart = 0;
  let nStartH = 0;
  for (let i = t0; i < t1; i++) {
    const c = pc[i]!;
    if (c !== 0) {
      if (c === 2 || c === 5 || c === 6 || c === 11) {
        if (cur > 0) {
          slN++;
          slSum += cur;
          slSq += cur * cur;
          if (cur > slMax) slMax = cur;
        }
        cur = 0;
      }
      punct[c]!++;
      continue;
    }
    words++;
    cur++;
    const f = fl[i]!;
    const cp = toks.caps[i]!;
    if (f & F_SENTSTART) {
      // sentence-start words go to the second half of hbuf for the diversity count
      hbuf[nt + nStartH] = th[i]!;
      nStartH++;
      nStarts++;
      if (toks.type[i] === T_WORD && cp === 0) lowerStart++;
    } else if (cp === 1) capMid++;
    if (cp === 2) allCaps++;
    if (toks.type[i] === T_NUM) {
      nums++;
      continue;
    }
    hbuf[alphaN++] = th[i]!; // word hashes for type counts (first half of hbuf; unigram hashes no longer needed)
    const L = toks.len[i]!;
    wlSum += L;
    wlSq += L * L;
    if (L >= 9) longW++;
    if (f & F_HYPH) hyph++;
    if (f & F_CONTR) contr++;
    if (f & F_I) iW++;
    else if (f & F_YOU) youW++;
    else if (f & F_WE) weW++;
    if (f & F_FW) fw++;
  }
  if (cur > 0) {
    slN++;
    slSum += cur;
    slSq += cur * cur;
    if (cur > slMax) slMax = cur;
  }
  // types and hapaxes from the sorted word hashes
  let V = 0;
  let hapax = 0;
  if (alphaN > 0) {
    const h = hbuf.subarray(0, alphaN).sort();
    for (let i = 0; i < alphaN; ) {
      let j = i + 1;
      while (j < alphaN && h[j] === h[i]) j++;
      V++;
      if (j - i === 1) hapax++;
      i = j;
    }
  }
  let distinctStarts = 0;
  if (nStartH > 0) {
    const h = hbuf.subarray(nt, nt + nStartH).sort();
    for (let i = 0; i < nStartH; i++) if (i === 0 || h[i] !== h[i - 1]) distinctStarts++;
  }
  const alpha = Math.max(1, words - nums);
  const W = Math.max(1, words);
  const slm = slN > 0 ? slSum / slN : 0;
  const sls = slN > 0 ? Math.sqrt(Math.max(0, slSq / slN - slm * slm)) : 0;
  const wlm = wlSum / alpha;
  let k = 0;
  d[k++] = Math.log1p(slm);
  d[k++] = Math.log1p(sls);
  d[k++] = slm > 0 ? sls / slm : 0;
  d[k++] = slm > 0 ? slMax / slm : 0;
  d[k++] = wlm;
  d[k++] = Math.sqrt(Math.max(0, wlSq / alpha - wlm * wlm));
  d[k++] = longW / alpha;
  d[k++] = V / alpha;
  d[k++] = alpha > 1 ? Math.log(Math.max(1, V)) / Math.log(alpha) : 1;
  d[k++] = hapax / alpha;
  rankFeatures(p, t0, t1, o.ranks, d);
  k += RANK_SLOTS;
  for (let c = 1; c <= 10; c++) d[k++] = punct[c]! / W;
  d[k++] = hyph / alpha;
  d[k++] = punct[11]! / W;
  d[k++] = punct[PC_OTHER]! / W;
  d[k++] = capMid / W;
  d[k++] = allCaps / W;
  d[k++] = nums / W;
  d[k++] = contr / alpha;
  d[k++] = iW / alpha;
  d[k++] = youW / alpha;
  d[k++] = weW / alpha;
  d[k++] = fw / alpha;
  d[k++] = nBigrams > 0 ? repeated / nBigrams : 0;
  d[k++] = nStarts > 0 ? distinctStarts / nStarts : 1;
  d[k++] = nStarts > 0 ? lowerStart / nStarts : 0;
  return words;
}
