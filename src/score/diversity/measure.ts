/**
 * The diversity metrics of one text: Gopher repetition and quality metrics computed as datatrove computes them
 * (see /work/shared/reference/gopher-as-datatrove-computes-it.md and the comments below), plus lexical
 * diversity metrics.
 *
 * Lengths are Unicode code points (Python `len`), never UTF-16 units. N-grams are never built as strings: each
 * token gets 2x32-bit hashes, and n-gram keys are combined integer hashes stored in a reusable open-addressing
 * table (hashtable.ts), so the cost per document is a few linear passes and no per-n-gram allocation.
 */
import { deflateRawSync } from 'node:zlib';
import { isAlpha, isDatatrovePunct, isPySpace, lowerUnit } from './chars.js';
import { HashTable64, fmix32 } from './hashtable.js';
import { TokenBuffer, tokenize } from './tokenize.js';

export type Metrics = { [metric: string]: number | null };

export interface MeasureOptions {
  /** 'space': spaCy-like words; 'char': non-space-script characters are words; 'unknown': word metrics null */
  mode: 'space' | 'char' | 'unknown';
  /** compute the stop_words metric (English stop words); false gives null */
  stopWords: boolean;
  /** compute mattr / distinct_1 / distinct_2 */
  lexical: boolean;
  /** compute compression_ratio (deflate: the most expensive metric) */
  compression: boolean;
}

/** MATTR window (tokens). 50 is the usual choice (Covington & McFall 2010) and keeps short texts measurable. */
export const MATTR_WINDOW = 50;
/** Lexical metrics need at least this many word tokens; below it they are null (too short to mean anything). */
export const LEXICAL_MIN_TOKENS = 10;
/** zlib level for compression_ratio: on ~1 KB documents level 6 costs little more than level 1 (bench: 33 vs 42 MB/s;
 * the per-call overhead dominates), so the default level is kept */
export const COMPRESSION_LEVEL = 6;

/** The metric keys, in rule order. */
export const METRIC_KEYS = [
  'empty',
  'dup_para_frac',
  'dup_para_char_frac',
  'dup_line_frac',
  'dup_line_char_frac',
  'top_2_gram',
  'top_3_gram',
  'top_4_gram',
  'dup_ngram_5',
  'dup_ngram_6',
  'dup_ngram_7',
  'dup_ngram_8',
  'dup_ngram_9',
  'dup_ngram_10',
  'word_count',
  'mean_word_length',
  'hash_ratio',
  'ellipsis_ratio',
  'bullet_line_frac',
  'end_ellipsis_frac',
  'alpha_word_frac',
  'stop_words',
  'mattr',
  'distinct_1',
  'distinct_2',
  'compression_ratio',
] as const;

// ---------------------------------------------------------------------------------------------------------------
// Scratch state, reused across calls (measure is synchronous and not re-entrant).

const tok = new TokenBuffer();
const table = new HashTable64();
let cap = 0;
let cps = new Int32Array(0); // prefix sums of token code-point lengths, length T+1
let s1 = new Int32Array(0); // prefix sums for concatenation hashes (base B1), length T+1
let s2 = new Int32Array(0);
let cum1 = new Int32Array(0); // B1^(code units before token k), length T+1
let cum2 = new Int32Array(0);
let id1 = new Int32Array(0); // token identity hash halves
let id2 = new Int32Array(0);
let lid1 = new Int32Array(0); // lower-cased token identity
let lid2 = new Int32Array(0);
let flags = new Uint8Array(0); // F_NONSYM | F_ALPHA
let lexIds = new Int32Array(0);
let typeCounts = new Int32Array(0);

const F_NONSYM = 1;
const F_ALPHA_TOK = 2;

function ensure(t: number): void {
  if (t + 1 <= cap) return;
  let c = Math.max(1024, cap);
  while (c < t + 1) c *= 2;
  cap = c;
  cps = new Int32Array(c);
  s1 = new Int32Array(c);
  s2 = new Int32Array(c);
  cum1 = new Int32Array(c);
  cum2 = new Int32Array(c);
  id1 = new Int32Array(c);
  id2 = new Int32Array(c);
  lid1 = new Int32Array(c);
  lid2 = new Int32Array(c);
  flags = new Uint8Array(c);
  lexIds = new Int32Array(c);
  typeCounts = new Int32Array(c);
}

// Polynomial hashing of code-unit strings modulo 2^32 with two odd bases. hash(concat) can be derived from
// per-token prefix sums, which makes the duplicated-n-gram keys depend on the joined characters only (datatrove
// joins words with "" there, so "ab c" and "a bc" are the same n-gram).
const B1 = 0x5bd1e995;
const B2 = 0x27d4eb2f;
function inverse(b: number): number {
  let x = b; // Newton iteration for the inverse modulo 2^32 of an odd number
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(b, x));
  return x;
}
const IB1 = inverse(B1);
const IB2 = inverse(B2);
const POW_N = 256;
const POW1 = new Int32Array(POW_N);
const POW2 = new Int32Array(POW_N);
const IPOW1 = new Int32Array(POW_N);
const IPOW2 = new Int32Array(POW_N);
POW1[0] = POW2[0] = IPOW1[0] = IPOW2[0] = 1;
for (let i = 1; i < POW_N; i++) {
  POW1[i] = Math.imul(POW1[i - 1]!, B1);
  POW2[i] = Math.imul(POW2[i - 1]!, B2);
  IPOW1[i] = Math.imul(IPOW1[i - 1]!, IB1);
  IPOW2[i] = Math.imul(IPOW2[i - 1]!, IB2);
}
function powOf(table: Int32Array, base: number, n: number): number {
  if (n < POW_N) return table[n]!;
  let r = table[POW_N - 1]!;
  for (let i = POW_N - 1; i < n; i++) r = Math.imul(r, base);
  return r;
}

// The 8 Gopher stop words, as datatrove spells them (case-sensitive).
const STOP_WORDS = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'];
function stopWordIndex(s: string, a: number, b: number): number {
  const n = b - a;
  if (n < 2 || n > 4) return -1;
  for (let k = 0; k < STOP_WORDS.length; k++) {
    const w = STOP_WORDS[k]!;
    if (w.length === n && s.startsWith(w, a)) return k;
  }
  return -1;
}

/** Hash of text[a, b) as two 32-bit halves, written to seg[0], seg[1]; returns the code-point length. */
const seg = new Int32Array(2);
function hashSegment(text: string, a: number, b: number): number {
  let h1 = 0x811c9dc5 ^ (b - a);
  let h2 = 0x3c6ef372;
  let lows = 0;
  for (let i = a; i < b; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 + c, 0x5bd1e995);
    h2 ^= h2 >>> 13;
    if ((c & 0xfc00) === 0xdc00 && i > a && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) lows++;
  }
  seg[0] = fmix32(h1);
  seg[1] = fmix32(h2 ^ (b - a));
  return b - a - lows;
}

/** Python str.splitlines() boundaries */
const LINE_BREAK_RE = /\r\n|[\n\v\f\r\x1c-\x1e\x85\u2028\u2029]/g;
/** a character that is not Python whitespace */
const PY_NON_SPACE_RE = /[^\t-\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
const SURROGATE_RE = /[\ud800-\udfff]/;

/** non-overlapping occurrences of `sub` (Python str.count) */
function countOf(text: string, sub: string, len: number): number {
  let k = 0;
  let i = text.indexOf(sub);
  while (i >= 0) {
    k++;
    i = text.indexOf(sub, i + len);
  }
  return k;
}

function codePointLength(text: string): number {
  if (!SURROGATE_RE.test(text)) return text.length;
  let n = text.length;
  for (let i = 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if ((c & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) n--;
  }
  return n;
}

/** Whether the text has no character outside Python whitespace. */
export function isBlank(text: string): boolean {
  return !PY_NON_SPACE_RE.test(text);
}

/**
 * Characters of the most frequent n-gram (words joined by " ") times its count; ties go to the n-gram seen first.
 * Keys combine the token identity hashes; counts live in the shared table.
 */
function topNgram(T: number, n: number, sep: number): number {
  const ida = id1;
  const idb = id2;
  const cp = cps;
  const t = table;
  t.reset(T - n + 1);
  let bestCount = 0;
  let bestFirst = 0;
  for (let i = 0; i + n <= T; i++) {
    let h1 = ida[i]!;
    let h2 = idb[i]!;
    for (let j = 1; j < n; j++) {
      h1 = Math.imul(h1 ^ (h1 >>> 15), 0x01000193) ^ ida[i + j]!;
      h2 = (Math.imul(h2, 0x9e3779b1) + idb[i + j]!) | 0;
    }
    const slot = t.upsert(h1, h2);
    if (slot < 0) {
      // a new n-gram: count 1, first seen at i (later than any best so far)
      t.set(~slot, 1);
      t.aux[~slot] = i;
      if (bestCount === 0) {
        bestCount = 1;
        bestFirst = i;
      }
      continue;
    }
    const count = t.inc(slot);
    if (count > bestCount) {
      bestCount = count;
      bestFirst = t.aux[slot]!;
    } else if (count === bestCount && t.aux[slot]! < bestFirst) {
      bestFirst = t.aux[slot]!;
    }
  }
  return (cp[bestFirst + n]! - cp[bestFirst]! + sep * (n - 1)) * bestCount;
}

/**
 * Characters in duplicated n-grams, datatrove's greedy scan: an n-gram (words joined by "") seen before adds its
 * characters and the scan jumps n words ahead; otherwise it is remembered and the scan moves one word.
 */
function dupNgramChars(T: number, n: number): number {
  if (T < n) return 0;
  const a1 = s1;
  const a2 = s2;
  const c1 = cum1;
  const c2 = cum2;
  const cp = cps;
  const t = table;
  t.reset(T - n + 1);
  let repeated = 0;
  let i = 0;
  while (i <= T - n) {
    const b = i + n;
    const h1 = Math.imul((a1[b]! - a1[i]!) | 0, c1[b]!);
    const h2 = Math.imul((a2[b]! - a2[i]!) | 0, c2[b]!);
    if (t.upsert(h1, h2) >= 0) {
      repeated += cp[b]! - cp[i]!;
      i += n;
    } else {
      i++;
    }
  }
  return repeated;
}

interface TokenStats {
  nonSymbol: number;
  nonSymbolChars: number;
  alphaTokens: number;
  stopMask: number;
}
const tokenStats: TokenStats = { nonSymbol: 0, nonSymbolChars: 0, alphaTokens: 0, stopMask: 0 };

/**
 * One pass over the tokens: code-point lengths, symbol/alpha flags, stop words, identity hashes, lower-cased
 * hashes (when `lower`) and the prefix arrays of the concatenation hashes.
 */
function tokenPass(text: string, T: number, stopWords: boolean, lower: boolean): TokenStats {
  const starts = tok.start;
  const ends = tok.end;
  const pieceOf = tok.piece;
  const CP = cps;
  const S1 = s1;
  const S2 = s2;
  const C1 = cum1;
  const C2 = cum2;
  const I1 = id1;
  const I2 = id2;
  const LI1 = lid1;
  const LI2 = lid2;
  const FL = flags;
  let nonSymbol = 0;
  let nonSymbolChars = 0;
  let alphaTokens = 0;
  let stopMask = 0;
  CP[0] = 0;
  S1[0] = 0;
  S2[0] = 0;
  C1[0] = 1;
  C2[0] = 1;
  let icum1 = 1;
  let icum2 = 1;
  for (let k = 0; k < T; k++) {
    const pieceIdx = pieceOf[k]!;
    const src = pieceIdx > 0 ? tok.pieces[pieceIdx - 1]! : text;
    const a = pieceIdx > 0 ? 0 : starts[k]!;
    const b = pieceIdx > 0 ? src.length : ends[k]!;
    let p1 = 0;
    let p2 = 0;
    let l1 = 0x811c9dc5;
    let cp = 0;
    let nonSym = false;
    let alpha = false;
    for (let i = a; i < b; i++) {
      const c = src.charCodeAt(i);
      p1 = (Math.imul(p1, B1) + c) | 0;
      p2 = (Math.imul(p2, B2) + c) | 0;
      if (lower) l1 = Math.imul(l1 ^ (c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 32 : c) : lowerUnit(c)), 0x01000193);
      if ((c & 0xfc00) !== 0xdc00) {
        cp++;
        if (c < 0x80) {
          const u = c | 0x20;
          if (u >= 0x61 && u <= 0x7a) {
            alpha = true;
            nonSym = true;
          } else if (!nonSym && !isDatatrovePunct(c)) nonSym = true;
        } else {
          if (!nonSym && !isDatatrovePunct(c)) nonSym = true;
          if (!alpha) alpha = isAlpha((c & 0xfc00) === 0xd800 ? src.codePointAt(i)! : c);
        }
      }
    }
    const L = b - a;
    if (L < POW_N) {
      icum1 = Math.imul(icum1, IPOW1[L]!);
      icum2 = Math.imul(icum2, IPOW2[L]!);
      C1[k + 1] = Math.imul(C1[k]!, POW1[L]!);
      C2[k + 1] = Math.imul(C2[k]!, POW2[L]!);
    } else {
      icum1 = Math.imul(icum1, powOf(IPOW1, IB1, L));
      icum2 = Math.imul(icum2, powOf(IPOW2, IB2, L));
      C1[k + 1] = Math.imul(C1[k]!, powOf(POW1, B1, L));
      C2[k + 1] = Math.imul(C2[k]!, powOf(POW2, B2, L));
    }
    S1[k + 1] = (S1[k]! + Math.imul(p1, icum1)) | 0;
    S2[k + 1] = (S2[k]! + Math.imul(p2, icum2)) | 0;
    CP[k + 1] = CP[k]! + cp;
    I1[k] = fmix32(p1 ^ Math.imul(L, 0x9e3779b1));
    I2[k] = (p2 + Math.imul(L, 0x85ebca6b)) | 0;
    if (lower) {
      // lower-cased identity: FNV-1a of the lower-cased units plus the length (a collision merges two types,
      // which moves a ratio by 1/N; acceptable for these metrics)
      LI1[k] = l1;
      LI2[k] = L;
    }
    let f = 0;
    if (nonSym) {
      f = F_NONSYM;
      nonSymbol++;
      nonSymbolChars += cp;
    }
    if (alpha) {
      f |= F_ALPHA_TOK;
      alphaTokens++;
    }
    FL[k] = f;
    if (stopWords && L >= 2 && L <= 4) {
      const sw = stopWordIndex(src, a, b);
      if (sw >= 0) stopMask |= 1 << sw;
    }
  }
  const r = tokenStats;
  r.nonSymbol = nonSymbol;
  r.nonSymbolChars = nonSymbolChars;
  r.alphaTokens = alphaTokens;
  r.stopMask = stopMask;
  return r;
}

/** mattr, distinct_1, distinct_2 over the lower-cased non-symbol tokens */
function lexical(m: Metrics, T: number, nonSymbol: number): void {
  const t = table;
  const FL = flags;
  const LI1 = lid1;
  const LI2 = lid2;
  const ids = lexIds;
  const counts = typeCounts;
  t.reset(nonSymbol + 1);
  let N = 0;
  let types = 0;
  for (let k = 0; k < T; k++) {
    if ((FL[k]! & F_NONSYM) === 0) continue;
    let slot = t.upsert(LI1[k]!, LI2[k]!);
    if (slot < 0) {
      slot = ~slot;
      t.set(slot, types++);
    }
    ids[N++] = t.get(slot);
  }
  if (N < LEXICAL_MIN_TOKENS) return;
  m.distinct_1 = types / N;
  t.reset(N);
  let bigrams = 0;
  for (let k = 0; k + 1 < N; k++) if (t.upsert(fmix32(ids[k]!), ids[k + 1]!) < 0) bigrams++;
  m.distinct_2 = bigrams / (N - 1);
  // MATTR: mean type/token ratio over all windows of MATTR_WINDOW tokens (plain TTR when shorter)
  const w = Math.min(MATTR_WINDOW, N);
  counts.fill(0, 0, types);
  let inWin = 0;
  for (let k = 0; k < w; k++) if (counts[ids[k]!]!++ === 0) inWin++;
  let sum = inWin;
  for (let k = w; k < N; k++) {
    if (--counts[ids[k - w]!]! === 0) inWin--;
    if (counts[ids[k]!]!++ === 0) inWin++;
    sum += inWin;
  }
  m.mattr = sum / (N - w + 1) / w;
}

/** all metrics null, created with a fixed shape (one object literal) */
function newMetrics(): Metrics {
  return {
    empty: null,
    dup_para_frac: null,
    dup_para_char_frac: null,
    dup_line_frac: null,
    dup_line_char_frac: null,
    top_2_gram: null,
    top_3_gram: null,
    top_4_gram: null,
    dup_ngram_5: null,
    dup_ngram_6: null,
    dup_ngram_7: null,
    dup_ngram_8: null,
    dup_ngram_9: null,
    dup_ngram_10: null,
    word_count: null,
    mean_word_length: null,
    hash_ratio: null,
    ellipsis_ratio: null,
    bullet_line_frac: null,
    end_ellipsis_frac: null,
    alpha_word_frac: null,
    stop_words: null,
    mattr: null,
    distinct_1: null,
    distinct_2: null,
    compression_ratio: null,
  };
}

// ---------------------------------------------------------------------------------------------------------------

/**
 * Compute every metric of `text`. Blank text (empty or only whitespace) gives `empty: 1` and null elsewhere:
 * datatrove divides by zero on "" and has no meaningful value for whitespace-only text.
 */
export function computeMetrics(text: string, opts: MeasureOptions): Metrics {
  const m = newMetrics();
  if (isBlank(text)) {
    m.empty = 1;
    return m;
  }
  m.empty = 0;
  const textLen = codePointLength(text);

  // ---- repetition: paragraphs (split on \n{2,} after Python strip; duplicate chars over the unstripped length)
  {
    let ps = 0;
    let pe = text.length;
    while (ps < pe && isPySpace(text.charCodeAt(ps))) ps++;
    while (pe > ps && isPySpace(text.charCodeAt(pe - 1))) pe--;
    table.reset(pe - ps + 2);
    let count = 0;
    let dups = 0;
    let dupChars = 0;
    let start = ps;
    // no blank line inside: a single paragraph, nothing to hash
    const single = text.indexOf('\n\n', ps) < 0 || text.indexOf('\n\n', ps) >= pe;
    for (; !single; ) {
      let idx = text.indexOf('\n\n', start);
      if (idx < 0 || idx >= pe) idx = -1;
      const end = idx < 0 ? pe : idx;
      const len = hashSegment(text, start, end);
      count++;
      if (table.upsert(seg[0]!, seg[1]!) >= 0) {
        dups++;
        dupChars += len;
      }
      if (idx < 0) break;
      let j = idx;
      while (j < pe && text.charCodeAt(j) === 0x0a) j++;
      start = j;
    }
    m.dup_para_frac = single ? 0 : dups / count;
    m.dup_para_char_frac = dupChars / textLen;
  }

  // ---- repetition: lines (split on \n+ without stripping: leading/trailing newlines give empty lines)
  {
    table.reset(text.length + 2);
    let count = 0;
    let dups = 0;
    let dupChars = 0;
    let start = 0;
    // no newline: a single line, nothing to hash
    const single = text.indexOf('\n') < 0;
    for (; !single; ) {
      const idx = text.indexOf('\n', start);
      const end = idx < 0 ? text.length : idx;
      const len = hashSegment(text, start, end);
      count++;
      if (table.upsert(seg[0]!, seg[1]!) >= 0) {
        dups++;
        dupChars += len;
      }
      if (idx < 0) break;
      let j = idx;
      while (j < text.length && text.charCodeAt(j) === 0x0a) j++;
      start = j;
    }
    m.dup_line_frac = single ? 0 : dups / count;
    m.dup_line_char_frac = dupChars / textLen;
  }

  // ---- quality, line based (Python splitlines; a final empty line is dropped) and character counts
  {
    let lines = 0;
    let bullets = 0;
    let endEllipsis = 0;
    const n = text.length;
    let ls = 0;
    LINE_BREAK_RE.lastIndex = 0;
    for (;;) {
      const mt = LINE_BREAK_RE.exec(text);
      const le = mt === null ? n : mt.index;
      if (mt !== null || ls < n) {
        // line [ls, le): bullet = starts with • or - after lstrip; end ellipsis = ends with ... or … after rstrip
        lines++;
        let a = ls;
        while (a < le && isPySpace(text.charCodeAt(a))) a++;
        if (a < le) {
          const f = text.charCodeAt(a);
          if (f === 0x2022 || f === 0x2d) bullets++;
        }
        let b = le;
        while (b > a && isPySpace(text.charCodeAt(b - 1))) b--;
        if (b > a) {
          const l = text.charCodeAt(b - 1);
          if (l === 0x2026 || (l === 0x2e && b - a >= 3 && text.charCodeAt(b - 2) === 0x2e && text.charCodeAt(b - 3) === 0x2e)) {
            endEllipsis++;
          }
        }
      }
      if (mt === null) break;
      ls = LINE_BREAK_RE.lastIndex;
    }
    m.bullet_line_frac = lines > 0 ? bullets / lines : null;
    m.end_ellipsis_frac = lines > 0 ? endEllipsis / lines : null;
    // text.count("#") and text.count("...") + text.count("…") (str.count does not overlap: "......" is 2);
    // divided by the word count below
    m.hash_ratio = countOf(text, '#', 1);
    m.ellipsis_ratio = countOf(text, '...', 3) + countOf(text, '\u2026', 1);
  }

  if (opts.mode === 'unknown') {
    // word-based metrics are undefined for an unknown writing system
    m.hash_ratio = null;
    m.ellipsis_ratio = null;
    return m;
  }

  // ---- tokens
  tokenize(text, tok, opts.mode === 'char');
  const T = tok.count;
  ensure(T);
  const st = tokenPass(text, T, opts.stopWords, opts.lexical);
  const nonSymbol = st.nonSymbol;

  // ---- repetition: most frequent 2/3/4-gram (words joined by " "; ties go to the first n-gram in text order;
  // fewer than n words: datatrove skips the rule, the value is null) and characters in duplicated 5..10-grams
  // (char mode joins with "": its character tokens are not separated by spaces in the text)
  const sep = opts.mode === 'char' ? 0 : 1;
  m.top_2_gram = T >= 2 ? topNgram(T, 2, sep) / textLen : null;
  m.top_3_gram = T >= 3 ? topNgram(T, 3, sep) / textLen : null;
  m.top_4_gram = T >= 4 ? topNgram(T, 4, sep) / textLen : null;
  m.dup_ngram_5 = dupNgramChars(T, 5) / textLen;
  m.dup_ngram_6 = dupNgramChars(T, 6) / textLen;
  m.dup_ngram_7 = dupNgramChars(T, 7) / textLen;
  m.dup_ngram_8 = dupNgramChars(T, 8) / textLen;
  m.dup_ngram_9 = dupNgramChars(T, 9) / textLen;
  m.dup_ngram_10 = dupNgramChars(T, 10) / textLen;

  // ---- quality, word based
  m.word_count = nonSymbol;
  m.mean_word_length = opts.mode === 'char' || nonSymbol === 0 ? null : st.nonSymbolChars / nonSymbol;
  m.hash_ratio = T > 0 ? (m.hash_ratio as number) / T : null;
  m.ellipsis_ratio = T > 0 ? (m.ellipsis_ratio as number) / T : null;
  m.alpha_word_frac = T > 0 ? st.alphaTokens / T : null;
  if (opts.stopWords && opts.mode === 'space') {
    let distinct = 0;
    for (let x = st.stopMask; x !== 0; x &= x - 1) distinct++;
    m.stop_words = distinct;
  }

  // ---- lexical diversity over lower-cased non-symbol tokens
  if (opts.lexical && opts.mode === 'space') lexical(m, T, nonSymbol);
  if (opts.compression && opts.mode === 'space' && nonSymbol >= LEXICAL_MIN_TOKENS) {
    const raw = Buffer.from(text, 'utf8');
    m.compression_ratio = raw.length / deflateRawSync(raw, { level: COMPRESSION_LEVEL }).length;
  }
  return m;
}
