/**
 * The metrics of one text that need no tokens: duplicated paragraphs and lines (Gopher repetition) and the
 * line-based quality counts (bullet lines, lines ending in an ellipsis, `#` and ellipsis occurrences), computed as
 * datatrove computes them over Python strings. Lengths are Unicode code points (Python `len`), never UTF-16 units;
 * paragraphs and lines are hashed in place (two 32-bit halves) and counted in the shared table, never sliced.
 */
import { isPySpace } from './chars.js';
import { fmix32, type HashTable64 } from './hashtable.js';
import type { Metrics } from './metrics.js';

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

/** Python `len(text)`: the number of code points. */
export function codePointLength(text: string): number {
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

/** Segments of text[from, to) split on `sep` followed by any further newlines: how many, how many repeat an
 * earlier one, and the characters of the repeats. A text with no separator inside is a single segment: not hashed. */
const repeats = { single: true, count: 0, dups: 0, dupChars: 0 };

function segmentRepetition(text: string, from: number, to: number, sep: string, table: HashTable64): typeof repeats {
  repeats.count = 0;
  repeats.dups = 0;
  repeats.dupChars = 0;
  const first = text.indexOf(sep, from);
  repeats.single = first < 0 || first >= to;
  if (repeats.single) return repeats;
  let start = from;
  for (;;) {
    let idx = text.indexOf(sep, start);
    if (idx < 0 || idx >= to) idx = -1;
    const end = idx < 0 ? to : idx;
    const len = hashSegment(text, start, end);
    repeats.count++;
    if (table.upsert(seg[0]!, seg[1]!) >= 0) {
      repeats.dups++;
      repeats.dupChars += len;
    }
    if (idx < 0) return repeats;
    let j = idx;
    while (j < to && text.charCodeAt(j) === 0x0a) j++;
    start = j;
  }
}

/** dup_para_frac, dup_para_char_frac: split on \n{2,} after Python strip; duplicate chars over the unstripped length */
export function paragraphRepetition(m: Metrics, text: string, textLen: number, table: HashTable64): void {
  let ps = 0;
  let pe = text.length;
  while (ps < pe && isPySpace(text.charCodeAt(ps))) ps++;
  while (pe > ps && isPySpace(text.charCodeAt(pe - 1))) pe--;
  table.reset(pe - ps + 2);
  const r = segmentRepetition(text, ps, pe, '\n\n', table);
  m.dup_para_frac = r.single ? 0 : r.dups / r.count;
  m.dup_para_char_frac = r.dupChars / textLen;
}

/** dup_line_frac, dup_line_char_frac: split on \n+ without stripping (leading/trailing newlines give empty lines) */
export function lineRepetition(m: Metrics, text: string, textLen: number, table: HashTable64): void {
  table.reset(text.length + 2);
  const r = segmentRepetition(text, 0, text.length, '\n', table);
  m.dup_line_frac = r.single ? 0 : r.dups / r.count;
  m.dup_line_char_frac = r.dupChars / textLen;
}

/**
 * Quality, line based (Python splitlines; a final empty line is dropped): bullet_line_frac, end_ellipsis_frac.
 * Also the character counts behind hash_ratio and ellipsis_ratio, left as raw counts in those keys: the caller
 * divides them by the word count (or nulls them when there are no words).
 */
export function lineQuality(m: Metrics, text: string): void {
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
  // divided by the word count in measure.ts
  m.hash_ratio = countOf(text, '#', 1);
  m.ellipsis_ratio = countOf(text, '...', 3) + countOf(text, '\u2026', 1);
}
