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
import { fmix32 } from '../../text/hash.js';
import { FUNCTION_WORDS, T_NUM, T_PUNCT, T_WORD, type Tokens } from './text.js';

export const FEATURE_VERSION = 2;

// --- hashing -------------------------------------------------------------------------------------------------

export { fmix32 };

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
const FAM_CHAR = 0x3b9aca07;
const FAM_SKEL4 = 0x5bd1e995;

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

/** SUFFIXES grouped by their last character, each group in list order (the first suffix that matches wins) */
const SUFFIXES_BY_LAST = new Map<number, Array<[string, string]>>();
for (const sc of SUFFIXES) {
  const c = sc[0].charCodeAt(sc[0].length - 1);
  const g = SUFFIXES_BY_LAST.get(c);
  if (g) g.push(sc);
  else SUFFIXES_BY_LAST.set(c, [sc]);
}

function skeletonOf(tok: string, type: number, caps: number, sentStart: boolean): string {
  if (type === T_PUNCT) return tok;
  if (type === T_NUM) return '<num>';
  if (FW.has(tok)) return tok;
  if (caps > 0 && !sentStart) return '<Cap>';
  if (tok.length > 4) {
    const group = SUFFIXES_BY_LAST.get(tok.charCodeAt(tok.length - 1));
    if (group) for (const [suf, cls] of group) if (tok.endsWith(suf)) return cls;
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
  'lm_logp_mean',
  'lm_logp_std',
  'lm_gain_mean',
  'lm_bigram_seen',
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

/** Frequency ranks keyed by token hash (see `hashStr`); built by `buildRankTable`. */
export interface RankTable {
  /** 0-based rank of the token with this hash, or -1 */
  rankOf(h: number): number;
  /** token bigram model of human reference text (LM features are 0 without it) */
  lm?: BigramLM;
}

/**
 * A small token bigram model of human reference text: unigram counts of the most frequent tokens (open-addressing
 * table keyed by token hash) and saturating 16-bit bigram counts in a hashed table. Interpolated
 * (Jelinek-Mercer) bigram probabilities give a GLTR-like "how predictable is this text to a model of human
 * writing" profile.
 */
export interface BigramLM {
  uniKeys: Uint32Array;
  uniVals: Uint32Array;
  bi: Uint16Array;
  total: number;
}

function uniLookup(lm: BigramLM, h: number): number {
  const mask = lm.uniKeys.length - 1;
  let i = h & mask;
  for (;;) {
    const v = lm.uniVals[i]!;
    if (v === 0) return 0;
    if (lm.uniKeys[i] === h) return v;
    i = (i + 1) & mask;
  }
}

function biIndex(a: number, b: number, mask: number): number {
  return fmix32((Math.imul(a, 0x27d4eb2d) ^ b) + 0x165667b1) & mask;
}

/** Build the bigram LM from token-hash sequences (human training texts). */
export function buildBigramLM(seqs: readonly Uint32Array[], topTokens: number, biBits: number): BigramLM {
  const counts = new Map<number, number>();
  let total = 0;
  for (const q of seqs) {
    for (let i = 0; i < q.length; i++) counts.set(q[i]!, (counts.get(q[i]!) ?? 0) + 1);
    total += q.length;
  }
  const top = [...counts].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, topTokens);
  let size = 1024;
  while (size < top.length * 2) size <<= 1;
  const uniKeys = new Uint32Array(size);
  const uniVals = new Uint32Array(size);
  for (const [h, c] of top) {
    let i = h & (size - 1);
    while (uniVals[i] !== 0) i = (i + 1) & (size - 1);
    uniKeys[i] = h;
    uniVals[i] = c;
  }
  const bi = new Uint16Array(1 << biBits);
  const bmask = bi.length - 1;
  for (const q of seqs) {
    for (let i = 1; i < q.length; i++) {
      const j = biIndex(q[i - 1]!, q[i]!, bmask);
      if (bi[j]! < 65535) bi[j]!++;
    }
  }
  return { uniKeys, uniVals, bi, total };
}

/** Open-addressing table from token hash to rank (the first occurrence of a word wins). */
export function buildRankTable(words: readonly string[]): RankTable {
  let size = 1024;
  while (size < words.length * 2) size <<= 1;
  const keys = new Uint32Array(size);
  const vals = new Int32Array(size).fill(-1);
  const mask = size - 1;
  words.forEach((w, r) => {
    const h = hashStr(w);
    let i = h & mask;
    while (vals[i] !== -1) {
      if (keys[i] === h) return;
      i = (i + 1) & mask;
    }
    keys[i] = h;
    vals[i] = r;
  });
  return {
    rankOf(h: number): number {
      let i = h & mask;
      for (;;) {
        const v = vals[i]!;
        if (v === -1) return -1;
        if (keys[i] === h) return v;
        i = (i + 1) & mask;
      }
    },
  };
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
  /** scale of the hashed families [unigram, bigram, skeleton trigram, char n-gram, skeleton 4-gram]; default [1, 1, 1, 0, 0] */
  fam?: readonly number[];
  /** char n-gram family: n from lo to hi, and whether grams cross word boundaries (default [3, 5], false) */
  charN?: readonly [number, number];
  charCross?: boolean;
}

/** Per-token attributes computed once per text and shared by all windows. */
export interface Prepared {
  toks: Tokens;
  th: Uint32Array; // hash of each token
  sk: Uint32Array; // hash of the skeleton class of each token
  skName?: string[];
  /** token index of each word (type WORD or NUM) */
  wordPos: Int32Array;
  /** punctuation class (PC_*) of punctuation tokens, 0 for words */
  pc: Uint8Array;
  /** word flags (F_*) */
  fl: Uint8Array;
}

// punctuation classes, in the order of the *_rate dense features
const PUNCT_CLASS: Record<string, number> = { ',': 1, '.': 2, ';': 3, ':': 4, '!': 5, '?': 6, '(': 7, '"': 8, "'": 9, '—': 10, '...': 11 };
const PC_OTHER = 12;
const F_FW = 1;
const F_CONTR = 2;
const F_HYPH = 4;
const F_I = 8;
const F_YOU = 16;
const F_WE = 32;
const F_SENTSTART = 64;

export function prepare(toks: Tokens, keepNames = false): Prepared {
  const n = toks.tok.length;
  const th = new Uint32Array(n);
  const sk = new Uint32Array(n);
  const pc = new Uint8Array(n);
  const fl = new Uint8Array(n);
  const skName: string[] | undefined = keepNames ? new Array(n) : undefined;
  const wordPos = new Int32Array(toks.nWords);
  let w = 0;
  let sentStart = true;
  for (let i = 0; i < n; i++) {
    const t = toks.tok[i]!;
    const ty = toks.type[i]!;
    th[i] = hashStr(t);
    const s = skeletonOf(t, ty, toks.caps[i]!, sentStart);
    sk[i] = s === t ? th[i]! : hashStr(s);
    if (skName) skName[i] = s;
    if (ty === T_PUNCT) {
      pc[i] = PUNCT_CLASS[t] ?? PC_OTHER;
    } else {
      wordPos[w++] = i;
      let f = sentStart ? F_SENTSTART : 0;
      if (ty === T_WORD) {
        if (FW.has(t)) f |= F_FW;
        if (t.indexOf("'") > 0 && CONTRACTION.test(t)) f |= F_CONTR;
        if (t.indexOf('-') > 0) f |= F_HYPH;
        if (I_WORDS.has(t)) f |= F_I;
        else if (YOU_WORDS.has(t)) f |= F_YOU;
        else if (WE_WORDS.has(t)) f |= F_WE;
      }
      fl[i] = f;
    }
    sentStart = ty === T_PUNCT ? t === '.' || t === '!' || t === '?' || t === '...' || (sentStart && t === '"') : false;
  }
  return { toks, th, sk, skName, wordPos, pc, fl };
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

const RANK_FIRST = DENSE_NAMES.indexOf('rank_top10');
const RANK_SLOTS = 12;
const LOG_OOV = Math.log(40000);
/** Math.log(r + 1) of the ranks a model's list can give (20k words), computed once: the same doubles */
const LOG_RANK = Float64Array.from({ length: 1 << 15 }, (_, r) => Math.log(r + 1));

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
    const r = ranks.rankOf(p.th[i]!);
    let lr: number;
    if (r < 0) {
      oov++;
      lr = LOG_OOV;
    } else {
      if (r < 10) b0++;
      else if (r < 100) b1++;
      else if (r < 1000) b2++;
      else if (r < 5000) b3++;
      else b4++;
      lr = r < LOG_RANK.length ? LOG_RANK[r]! : Math.log(r + 1);
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
  const lm = ranks.lm;
  if (!lm) {
    d[k++] = 0;
    d[k++] = 0;
    d[k++] = 0;
    d[k++] = 0;
    return;
  }
  const th = p.th;
  const bmask = lm.bi.length - 1;
  const denom = lm.total + 0.5 * lm.uniKeys.length;
  let ln = 0, ls = 0, lsq = 0, gs = 0, seen = 0;
  // each token's unigram count is looked up once: this token's count is the next bigram's left count
  let ca = t0 + 1 < t1 ? uniLookup(lm, th[t0]!) : 0;
  for (let i = t0 + 1; i < t1; i++) {
    const cb = uniLookup(lm, th[i]!);
    const pu = (cb + 0.5) / denom;
    const lpu = Math.log(pu);
    let lp = lpu; // an unseen left token: the unigram estimate alone (its gain over itself is exactly 0)
    if (ca > 0) {
      const cab = Math.min(ca, lm.bi[biIndex(th[i - 1]!, th[i]!, bmask)]!);
      if (cab > 0) seen++;
      lp = Math.log(0.7 * (cab / ca) + 0.3 * pu);
    }
    ln++;
    ls += lp;
    lsq += lp * lp;
    gs += lp - lpu;
    ca = cb;
  }
  const b = Math.max(1, ln);
  const mm = ls / b;
  d[k++] = mm;
  d[k++] = Math.sqrt(Math.max(0, lsq / b - mm * mm));
  d[k++] = gs / b;
  d[k++] = seen / b;
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
function dotParts(
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
