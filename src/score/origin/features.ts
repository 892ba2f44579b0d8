/**
 * Feature extraction for the origin detector. A text is cleaned (text.ts), tokenised, and cut into windows of
 * `W` words; every window yields one sparse vector:
 *   - hashed word unigrams, word bigrams and "skeleton" trigrams (function words and punctuation kept, content
 *     words reduced to a suffix/shape class), each family log-scaled and L2-normalised (length-insensitive)
 *   - dense stylometric rates: sentence-length mean/spread (burstiness), word length, type-token statistics,
 *     word-frequency-rank profile (GLTR-like, from a human-text frequency list), punctuation, pronoun and
 *     contraction rates, repetition; each standardised and also one-hot binned by training quantiles
 * Windows of a fixed size make type-token and rate features comparable across texts of any length, and training
 * on windows removes most of the length signal.
 */
import { FUNCTION_WORDS, T_NUM, T_PUNCT, T_WORD, type Tokens } from './text.js';

export const FEATURE_VERSION = 1;

// --- hashing -------------------------------------------------------------------------------------------------

export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function hashStr(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

function combine(a: number, b: number): number {
  return fmix32((Math.imul(a, 0x9e3779b1) ^ b) + 0x7f4a7c15);
}

const FAM_UNI = 0x1b873593;
const FAM_BI = 0x2c1b3c6d;
const FAM_SKEL = 0x297a2d39;

// --- skeleton classes ----------------------------------------------------------------------------------------

const FW = new Set(FUNCTION_WORDS);
const SUFFIXES: Array<[string, string]> = [
  ['ly', '<-ly>'],
  ['ing', '<-ing>'],
  ['ed', '<-ed>'],
  ['tion', '<-tion>'],
  ['sion', '<-tion>'],
  ['ment', '<-ment>'],
  ['ness', '<-ness>'],
  ['ity', '<-ity>'],
  ['able', '<-able>'],
  ['ible', '<-able>'],
  ['ous', '<-ous>'],
  ['ive', '<-ive>'],
  ['al', '<-al>'],
  ['ful', '<-ful>'],
  ['less', '<-less>'],
  ['est', '<-est>'],
  ['er', '<-er>'],
];

function skeletonOf(tok: string, type: number, caps: number, sentStart: boolean): string {
  if (type === T_PUNCT) return tok;
  if (type === T_NUM) return '<num>';
  if (FW.has(tok)) return tok;
  if (caps > 0 && !sentStart) return '<Cap>';
  if (tok.length > 4) {
    for (const [suf, cls] of SUFFIXES) if (tok.endsWith(suf)) return cls;
    if (tok.endsWith('s') && !tok.endsWith('ss')) return '<-s>';
  }
  return tok.length <= 4 ? '<w>' : '<W>';
}

// --- dense features ------------------------------------------------------------------------------------------

export const DENSE_NAMES = [
  'sent_len_mean',
  'sent_len_std',
  'sent_len_cv',
  'sent_len_maxratio',
  'word_len_mean',
  'word_len_std',
  'long_word_rate',
  'ttr',
  'herdan_c',
  'hapax_rate',
  'rank_top10',
  'rank_top100',
  'rank_top1k',
  'rank_top5k',
  'rank_top20k',
  'rank_oov',
  'logrank_mean',
  'logrank_std',
  'comma_rate',
  'period_rate',
  'semicolon_rate',
  'colon_rate',
  'excl_rate',
  'quest_rate',
  'paren_rate',
  'dquote_rate',
  'squote_rate',
  'dash_rate',
  'hyphen_word_rate',
  'ellipsis_rate',
  'other_sym_rate',
  'cap_mid_rate',
  'allcaps_rate',
  'num_rate',
  'contraction_rate',
  'i_rate',
  'you_rate',
  'we_rate',
  'function_word_rate',
  'repeat_bigram_rate',
  'sent_start_diversity',
  'lowercase_sent_start',
] as const;
export const N_DENSE = DENSE_NAMES.length;
export const N_BINS = 8;

const CONTRACTION = /'(s|re|ve|ll|d|m|t)$|n't$/;
const I_WORDS = new Set(['i', 'me', 'my', 'mine', 'myself', "i'm", "i've", "i'd", "i'll"]);
const YOU_WORDS = new Set(['you', 'your', 'yours', 'yourself', "you're", "you've", "you'd", "you'll"]);
const WE_WORDS = new Set(['we', 'us', 'our', 'ours', 'ourselves', "we're", "we've", "we'd", "we'll"]);

export interface RankTable {
  get(w: string): number | undefined;
}

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
}

/** Token hashes are computed once per text and shared by all windows. */
export interface Prepared {
  toks: Tokens;
  th: Uint32Array; // hash of each token
  sk: Uint32Array; // hash of the skeleton class of each token
  skName?: string[];
  /** token index of each word (type WORD or NUM) */
  wordPos: Int32Array;
}

export function prepare(toks: Tokens, keepNames = false): Prepared {
  const n = toks.tok.length;
  const th = new Uint32Array(n);
  const sk = new Uint32Array(n);
  const skName: string[] | undefined = keepNames ? new Array(n) : undefined;
  const wordPos = new Int32Array(toks.nWords);
  let w = 0;
  let sentStart = true;
  for (let i = 0; i < n; i++) {
    const t = toks.tok[i]!;
    const ty = toks.type[i]!;
    th[i] = hashStr(t);
    const s = skeletonOf(t, ty, toks.caps[i]!, sentStart);
    sk[i] = hashStr(s, 0x01234567);
    if (skName) skName[i] = s;
    if (ty !== T_PUNCT) wordPos[w++] = i;
    sentStart = ty === T_PUNCT ? t === '.' || t === '!' || t === '?' || t === '...' || (sentStart && t === '"') : false;
  }
  return { toks, th, sk, skName, wordPos };
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

const scratch = new Map<number, number>();

function addFam(map: Map<number, number>, tmp: Map<number, number>, mask: number, scale: number): void {
  let ss = 0;
  for (const v of tmp.values()) {
    const l = Math.log1p(v);
    ss += l * l;
  }
  if (ss === 0) return;
  const inv = scale / Math.sqrt(ss);
  for (const [h, v] of tmp) {
    const i = h & mask;
    map.set(i, (map.get(i) ?? 0) + Math.log1p(v) * inv);
  }
}

function bump(tmp: Map<number, number>, h: number): void {
  tmp.set(h, (tmp.get(h) ?? 0) + 1);
}

/** Raw features of words [w0, w1) of a prepared text. */
export function extractWindow(p: Prepared, w0: number, w1: number, o: ExtractOptions): RawWindow {
  const { toks, th, sk } = p;
  const t0 = w0 === 0 ? 0 : p.wordPos[w0]!;
  // include punctuation that follows the last word
  let t1 = w1 >= p.wordPos.length ? toks.tok.length : p.wordPos[w1]!;
  if (t1 < t0) t1 = t0;
  const mask = o.dim - 1;
  const names = o.names;
  const out = new Map<number, number>();
  const tmp = scratch;

  // unigrams
  tmp.clear();
  for (let i = t0; i < t1; i++) {
    const h = combine(FAM_UNI, th[i]!);
    bump(tmp, h);
    if (names) names.set(h & mask, 'u:' + toks.tok[i]);
  }
  addFam(out, tmp, mask, 1);
  // bigrams
  tmp.clear();
  for (let i = t0 + 1; i < t1; i++) {
    const h = combine(combine(FAM_BI, th[i - 1]!), th[i]!);
    bump(tmp, h);
    if (names) names.set(h & mask, 'b:' + toks.tok[i - 1] + ' ' + toks.tok[i]);
  }
  const nBigrams = t1 - t0 - 1;
  let repeated = 0;
  for (const v of tmp.values()) if (v > 1) repeated += v;
  addFam(out, tmp, mask, 1);
  // skeleton trigrams
  tmp.clear();
  for (let i = t0 + 2; i < t1; i++) {
    const h = combine(combine(combine(FAM_SKEL, sk[i - 2]!), sk[i - 1]!), sk[i]!);
    bump(tmp, h);
    if (names && p.skName) names.set(h & mask, 's:' + p.skName[i - 2] + ' ' + p.skName[i - 1] + ' ' + p.skName[i]);
  }
  addFam(out, tmp, mask, 1);

  // dense
  const d = new Float64Array(N_DENSE);
  let words = 0;
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
  const punct: Record<string, number> = {};
  let otherSym = 0;
  const sentLens: number[] = [];
  let cur = 0;
  let sentStart = true;
  const starts = new Set<string>();
  let nStarts = 0;
  let lowerStart = 0;
  const types = new Map<string, number>();
  for (let i = t0; i < t1; i++) {
    const t = toks.tok[i]!;
    const ty = toks.type[i]!;
    if (ty === T_PUNCT) {
      if (t === '.' || t === '!' || t === '?' || t === '...') {
        if (cur > 0) sentLens.push(cur);
        cur = 0;
        sentStart = true;
      }
      if (t.length === 1 && ',.;:!?()"\'—'.includes(t)) punct[t] = (punct[t] ?? 0) + 1;
      else if (t === '...') punct['...'] = (punct['...'] ?? 0) + 1;
      else otherSym++;
      continue;
    }
    words++;
    cur++;
    const L = toks.len[i]!;
    if (sentStart) {
      nStarts++;
      starts.add(t);
      if (ty === T_WORD && toks.caps[i] === 0) lowerStart++;
    } else if (toks.caps[i] === 1) capMid++;
    if (toks.caps[i] === 2) allCaps++;
    sentStart = false;
    if (ty === T_NUM) {
      nums++;
      continue;
    }
    types.set(t, (types.get(t) ?? 0) + 1);
    wlSum += L;
    wlSq += L * L;
    if (L >= 9) longW++;
    if (t.indexOf('-') > 0) hyph++;
    if (t.indexOf("'") > 0 && CONTRACTION.test(t)) contr++;
    if (I_WORDS.has(t)) iW++;
    else if (YOU_WORDS.has(t)) youW++;
    else if (WE_WORDS.has(t)) weW++;
    if (FW.has(t)) fw++;
  }
  if (cur > 0) sentLens.push(cur);
  const alpha = Math.max(1, words - nums);
  const W = Math.max(1, words);
  let slm = 0;
  let sls = 0;
  let slmax = 0;
  if (sentLens.length > 0) {
    for (const x of sentLens) {
      slm += x;
      if (x > slmax) slmax = x;
    }
    slm /= sentLens.length;
    for (const x of sentLens) sls += (x - slm) * (x - slm);
    sls = Math.sqrt(sls / sentLens.length);
  }
  const wlm = wlSum / alpha;
  const V = types.size;
  let hapax = 0;
  for (const c of types.values()) if (c === 1) hapax++;
  let k = 0;
  d[k++] = Math.log1p(slm);
  d[k++] = Math.log1p(sls);
  d[k++] = slm > 0 ? sls / slm : 0;
  d[k++] = slm > 0 ? slmax / slm : 0;
  d[k++] = wlm;
  d[k++] = Math.sqrt(Math.max(0, wlSq / alpha - wlm * wlm));
  d[k++] = longW / alpha;
  d[k++] = V / alpha;
  d[k++] = alpha > 1 ? Math.log(Math.max(1, V)) / Math.log(alpha) : 1;
  d[k++] = hapax / alpha;
  rankFeatures(p, t0, t1, o.ranks, d);
  k += RANK_SLOTS;
  for (const ch of [',', '.', ';', ':', '!', '?', '(', '"', "'", '—']) d[k++] = (punct[ch] ?? 0) / W;
  d[k++] = hyph / alpha;
  d[k++] = (punct['...'] ?? 0) / W;
  d[k++] = otherSym / W;
  d[k++] = capMid / W;
  d[k++] = allCaps / W;
  d[k++] = nums / W;
  d[k++] = contr / alpha;
  d[k++] = iW / alpha;
  d[k++] = youW / alpha;
  d[k++] = weW / alpha;
  d[k++] = fw / alpha;
  d[k++] = nBigrams > 0 ? repeated / nBigrams : 0;
  d[k++] = nStarts > 0 ? starts.size / nStarts : 1;
  d[k++] = nStarts > 0 ? lowerStart / nStarts : 0;

  const idx = new Int32Array(out.size);
  const val = new Float32Array(out.size);
  let j = 0;
  for (const [i, v] of out) {
    idx[j] = i;
    val[j] = v;
    j++;
  }
  return { idx, val, dense: d, words, t0, t1 };
}

const RANK_FIRST = DENSE_NAMES.indexOf('rank_top10');
const RANK_SLOTS = 8;
const LOG_OOV = Math.log(40000);

/**
 * Word-frequency-rank profile of tokens [t0, t1) (GLTR-like): share of words in rank buckets of a human frequency
 * list, and mean / spread of log rank. Written into d[RANK_FIRST .. RANK_FIRST + 8). Separate from the rest so that
 * training can recompute it per validation fold (the list is built from the fold's human training texts).
 */
export function rankFeatures(p: Prepared, t0: number, t1: number, ranks: RankTable, d: Float64Array): void {
  const { toks } = p;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, oov = 0, n = 0, s = 0, sq = 0;
  for (let i = t0; i < t1; i++) {
    if (toks.type[i] !== T_WORD) continue;
    n++;
    const r = ranks.get(toks.tok[i]!);
    let lr: number;
    if (r === undefined) {
      oov++;
      lr = LOG_OOV;
    } else {
      if (r < 10) b0++;
      else if (r < 100) b1++;
      else if (r < 1000) b2++;
      else if (r < 5000) b3++;
      else b4++;
      lr = Math.log(r + 1);
    }
    s += lr;
    sq += lr * lr;
  }
  const a = Math.max(1, n);
  const m = s / a;
  let k = RANK_FIRST;
  d[k++] = b0 / a;
  d[k++] = b1 / a;
  d[k++] = b2 / a;
  d[k++] = b3 / a;
  d[k++] = b4 / a;
  d[k++] = oov / a;
  d[k++] = m;
  d[k++] = Math.sqrt(Math.max(0, sq / a - m * m));
}

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
