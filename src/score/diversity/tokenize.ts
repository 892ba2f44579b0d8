/**
 * Word tokenizer that follows spaCy's blank English tokenizer, which datatrove's Gopher filters use
 * (`SpaCyTokenizer("en").word_tokenize`: spaCy tokens, each `.strip()`ped, whitespace tokens dropped).
 *
 * Algorithm (spaCy's, re-implemented over UTF-16 offsets without allocating per token):
 *  1. split on runs of Python whitespace;
 *  2. a chunk that is a special case (contraction, abbreviation, emoticon) is split as listed;
 *  3. otherwise prefixes and suffixes are peeled in a loop (a prefix, then the leftmost suffix match), stopping
 *     early when the remaining core becomes a special case;
 *  4. the core is kept whole if it is a special case or looks like a URL, else split on infixes
 *     (dot runs, `…`, icons, `a-b`, `a,b`, `a.B`, `a/b`, `1-2`, ...).
 *
 * Known differences from spaCy: the special-case table is a subset (see specials.ts); letter classes use
 * Unicode categories where spaCy lists script ranges (ALPHA = \p{L}; lower/upper include uncased letters); the
 * URL pattern is a simplified version; spaCy's extra matcher for special cases that contain affix characters
 * (e.g. `:)` inside `(:))`) is not reproduced. These shift counts only for unusual tokens.
 *
 * Char mode (CJK, Thai, ...): in addition, every character of a non-space-separated script is its own chunk,
 * so "word" rules become character rules for those scripts.
 */
import {
  CURRENCY_SET,
  PERIOD_LOOKBEHIND_TABLE,
  PREFIX_TABLE,
  QUOTE_TABLE,
  SUFFIX_TABLE,
  UNITS,
  isAlpha,
  isAsciiDigit,
  isIcon,
  isPySpace,
  isSpacyLower,
  isSpacyUpper,
} from './chars.js';
import { SPECIALS, SPECIAL_FIRST_LEN, SPECIAL_HASHES, SPECIAL_MAX_LEN, spanHash } from './specials.js';
import { isCharScript, isCombiningMark } from '../../text/lang.js';

/** Growable token buffers: token k spans text[start[k], end[k]) (UTF-16 offsets) or is a special-case piece. */
export class TokenBuffer {
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  /** index into `pieces` + 1 when the token text is a special-case piece not equal to a text slice, else 0 */
  piece = new Int32Array(1024);
  pieces: string[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
    this.pieces.length = 0;
  }

  push(a: number, b: number, piece: string | null): void {
    if (this.count === this.start.length) {
      const n = this.count * 2;
      const s = new Int32Array(n);
      s.set(this.start);
      this.start = s;
      const e = new Int32Array(n);
      e.set(this.end);
      this.end = e;
      const p = new Int32Array(n);
      p.set(this.piece);
      this.piece = p;
    }
    const k = this.count++;
    this.start[k] = a;
    this.end[k] = b;
    if (piece === null) this.piece[k] = 0;
    else {
      this.pieces.push(piece);
      this.piece[k] = this.pieces.length;
    }
  }

  /** token text (allocates; for tests and debugging) */
  text(src: string, k: number): string {
    const p = this.piece[k]!;
    return p > 0 ? this.pieces[p - 1]! : src.slice(this.start[k], this.end[k]);
  }
}

function cpAt(s: string, i: number): number {
  return s.codePointAt(i)!;
}
function cpLen(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}
/** code point that ends just before offset i (i > 0) */
function cpBefore(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = s.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return ((h - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}

function lookupSpecial(s: string, a: number, b: number): readonly string[] | undefined {
  const n = b - a;
  if (n === 0 || n > SPECIAL_MAX_LEN) return undefined;
  if (SPECIAL_FIRST_LEN[((s.charCodeAt(a) & 0x3ff) << 4) | (n < 15 ? n : 15)] === 0) return undefined;
  if (!SPECIAL_HASHES.has(spanHash(s, a, b))) return undefined;
  return SPECIALS.get(s.slice(a, b));
}

/** Length of the prefix spaCy strips from s[a, b), 0 if none. */
function prefixLen(s: string, a: number, b: number): number {
  const c = s.charCodeAt(a);
  if (c === 0x2e) {
    // `\.\.+`
    let j = a + 1;
    while (j < b && s.charCodeAt(j) === 0x2e) j++;
    return j - a >= 2 ? j - a : 0;
  }
  if (c === 0x2b) return a + 1 < b && isAsciiDigit(s.charCodeAt(a + 1)) ? 0 : 1; // `\+(?![0-9])`
  if (c < 0x10000 && PREFIX_TABLE[c] === 1) return 1;
  if (c === 0x55 && b - a >= 3 && s.charCodeAt(a + 1) === 0x53 && s.charCodeAt(a + 2) === 0x24) return 3; // US$
  if ((c === 0x43 || c === 0x41) && b - a >= 2 && s.charCodeAt(a + 1) === 0x24) return 2; // C$ A$
  if (c >= 0xa6) {
    const cp = cpAt(s, a);
    if (isIcon(cp)) return cpLen(cp);
  }
  return 0;
}

/**
 * Length of the suffix spaCy strips from s[a, b), 0 if none. spaCy's suffix regex is searched, so the match
 * that starts leftmost wins; every alternative is anchored at the end, so candidates are collected and the
 * longest one returned.
 */
function suffixLen(s: string, a: number, b: number): number {
  if (b <= a) return 0;
  let best = 0;
  const last = cpBefore(s, b);
  const lastLen = cpLen(last);
  // single-character alternatives
  if ((last < 0x10000 && SUFFIX_TABLE[last] === 1) || isIcon(last)) best = lastLen;
  const n = b - a;
  // `\.\.+` and `……`
  if (last === 0x2e) {
    let j = b - 1;
    while (j > a && s.charCodeAt(j - 1) === 0x2e) j--;
    if (b - j >= 2) best = Math.max(best, b - j);
    else if (n >= 2) {
      // a single final period: `(?<=[0-9 lower %²-+ punct quotes])\.` or `(?<=[UPPER][UPPER])\.` or `°[FfCcKk].`
      const p = cpBefore(s, b - 1);
      if (
        isAsciiDigit(p) ||
        isSpacyLower(p) ||
        (p < 0x10000 && PERIOD_LOOKBEHIND_TABLE[p] === 1)
      ) {
        best = Math.max(best, 1);
      } else if (isSpacyUpper(p) && b - 1 - cpLen(p) > a && isSpacyUpper(cpBefore(s, b - 1 - cpLen(p)))) {
        best = Math.max(best, 1);
      } else if ((p === 0x46 || p === 0x66 || p === 0x43 || p === 0x63 || p === 0x4b || p === 0x6b) && n >= 3 && s.charCodeAt(b - 3) === 0xb0) {
        best = Math.max(best, 1);
      }
    }
  } else if (last === 0x2026 && n >= 2 && s.charCodeAt(b - 2) === 0x2026) {
    best = Math.max(best, 2);
  }
  // `'s` `'S` `’s` `’S`
  if ((last === 0x73 || last === 0x53) && n >= 2) {
    const q = s.charCodeAt(b - 2);
    if (q === 0x27 || q === 0x2019) best = Math.max(best, 2);
  }
  // after a digit: `+`, currency, units
  if (last === 0x2b && n >= 2 && isAsciiDigit(s.charCodeAt(b - 2))) best = Math.max(best, 1);
  if (n >= 2) {
    // units are at most 6 units long, so the digit must be among the last 7 units
    const lim = Math.max(a, b - 7);
    let d = b - 1;
    while (d >= lim && !isAsciiDigit(s.charCodeAt(d))) d--;
    if (d >= lim && d < b - 1) {
      const tail = s.slice(d + 1, b);
      const tcp = tail.codePointAt(0)!;
      if (UNITS.has(tail) || (tail.length === cpLen(tcp) && CURRENCY_SET.has(tcp))) best = Math.max(best, b - 1 - d);
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------------------------
// URL cores are kept whole (spaCy's url_match), a simplified version of its pattern.
const URL_RE =
  /^(?=[\p{L}\p{N}_])(?:[\w+\-.]{2,}:\/\/)?(?:[^\s@]+(?::[^\s@]*)?@)?(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+[\p{Ll}\p{Lo}]{2,63}(?::\d{2,5})?(?:[/?#]\S*)?(?<=[\p{L}\p{N}_/])$/u;

function looksLikeUrl(s: string, a: number, b: number): boolean {
  if (b - a < 4 || b - a > 2048) return false;
  let dot = false;
  for (let i = a + 1; i < b - 2; i++) {
    if (s.charCodeAt(i) === 0x2e) {
      dot = true;
      break;
    }
  }
  return dot && URL_RE.test(s.slice(a, b));
}

// ASCII characters that can start an infix match (besides icons and non-ASCII dashes/ellipsis)
const INFIX_ASCII = new Uint8Array(128);
for (const ch of '.+*^-,~:<>=/') INFIX_ASCII[ch.charCodeAt(0)] = 1;

function nextCp(s: string, k: number, b: number): number {
  return k < b ? s.codePointAt(k)! : -1;
}

/** Infix match length at offset i of core s[a, b) (0 = none); spaCy's English infix alternatives in order. */
function infixAt(s: string, a: number, b: number, i: number): number {
  const c = s.charCodeAt(i);
  if (c < 0x80) {
    if (INFIX_ASCII[c] === 0) return 0;
  } else if (c === 0x2026) {
    return 1;
  } else if (c !== 0x2013 && c !== 0x2014) {
    if (c < 0xa6) return 0;
    const cp = cpAt(s, i);
    return isIcon(cp) ? cpLen(cp) : 0;
  }
  if (c === 0x2e) {
    let j = i + 1;
    while (j < b && s.charCodeAt(j) === 0x2e) j++;
    if (j - i >= 2) return j - i;
  }
  if (i === a) return 0; // the remaining alternatives need a character before
  const prev = cpBefore(s, i);
  switch (c) {
    case 0x2b: // + - * ^ between digits: `(?<=[0-9])[+\-\*^](?=[0-9-])`
    case 0x2a:
    case 0x5e:
    case 0x2d: {
      if (isAsciiDigit(prev)) {
        const nx = nextCp(s, i + 1, b);
        if (isAsciiDigit(nx) || nx === 0x2d) return 1;
      }
      if (c !== 0x2d) return 0;
      // hyphens after a letter or digit, before a letter: -, --, ---
      if (!(isAlpha(prev) || isAsciiDigit(prev))) return 0;
      const n1 = nextCp(s, i + 1, b);
      if (isAlpha(n1)) return 1;
      if (n1 === 0x2d) {
        const n2 = nextCp(s, i + 2, b);
        if (isAlpha(n2)) return 2;
        if (n2 === 0x2d && isAlpha(nextCp(s, i + 3, b))) return 3;
      }
      return 0;
    }
    case 0x2e: // `(?<=[lower quotes])\.(?=[UPPER quotes])`
      if (isSpacyLower(prev) || (prev < 0x10000 && QUOTE_TABLE[prev] === 1)) {
        const nx = nextCp(s, i + 1, b);
        if (nx >= 0 && (isSpacyUpper(nx) || (nx < 0x10000 && QUOTE_TABLE[nx] === 1))) return 1;
      }
      return 0;
    case 0x2c: // `(?<=[a]),(?=[a])`
      return isAlpha(prev) && isAlpha(nextCp(s, i + 1, b)) ? 1 : 0;
    case 0x2013: // – — ~ (and ——) after letter/digit before a letter
    case 0x2014:
    case 0x7e: {
      if (!(isAlpha(prev) || isAsciiDigit(prev))) return 0;
      const n1 = nextCp(s, i + 1, b);
      if (isAlpha(n1)) return 1;
      if (c === 0x2014 && n1 === 0x2014 && isAlpha(nextCp(s, i + 2, b))) return 2;
      return 0;
    }
    default: // : < > = /
      return (isAlpha(prev) || isAsciiDigit(prev)) && isAlpha(nextCp(s, i + 1, b)) ? 1 : 0;
  }
}

function emitSpecial(out: TokenBuffer, a: number, b: number, pieces: readonly string[], src: string): void {
  // pieces concatenate to the chunk text; keep offsets when the piece is the same slice
  let off = a;
  for (const p of pieces) {
    const end = off + p.length;
    if (end <= b && src.startsWith(p, off)) out.push(off, end, null);
    else out.push(off, Math.min(end, b), p);
    off = end;
  }
}

function emitCore(out: TokenBuffer, s: string, a: number, b: number, checkSpecial: boolean): void {
  if (b <= a) return;
  if (checkSpecial) {
    const sp = lookupSpecial(s, a, b);
    if (sp !== undefined) {
      emitSpecial(out, a, b, sp, s);
      return;
    }
  }
  if (looksLikeUrl(s, a, b)) {
    out.push(a, b, null);
    return;
  }
  let start = a;
  let i = a;
  while (i < b) {
    const m = infixAt(s, a, b, i);
    if (m === 0) {
      i += s.charCodeAt(i) >= 0xd800 && s.charCodeAt(i) <= 0xdbff ? 2 : 1;
      continue;
    }
    if (i === a) {
      // spaCy skips an infix match at the very start of the core
      i += m;
      continue;
    }
    if (i !== start) out.push(start, i, null);
    out.push(i, i + m, null);
    i += m;
    start = i;
  }
  if (start < b) out.push(start, b, null);
}

// scratch stacks for affixes
let preA = new Int32Array(64);
let preB = new Int32Array(64);
let sufA = new Int32Array(64);
let sufB = new Int32Array(64);
function grow(arr: Int32Array): Int32Array<ArrayBuffer> {
  const n = new Int32Array(arr.length * 2);
  n.set(arr);
  return n;
}

/** Tokenize one whitespace-free chunk s[a, b). */
function tokenizeChunk(out: TokenBuffer, s: string, a: number, b: number): void {
  const whole = lookupSpecial(s, a, b);
  if (whole !== undefined) {
    emitSpecial(out, a, b, whole, s);
    return;
  }
  let np = 0;
  let ns = 0;
  let lastSize = -1;
  const a0 = a;
  const b0 = b;
  // (spaCy also checks for a special case at the top of each round: the whole chunk was checked above and the
  // end of each round checks the new core)
  while (b > a && b - a !== lastSize) {
    lastSize = b - a;
    const pre = prefixLen(s, a, b);
    if (pre > 0 && a + pre < b && lookupSpecial(s, a + pre, b) !== undefined) {
      if (np === preA.length) ((preA = grow(preA)), (preB = grow(preB)));
      preA[np] = a;
      preB[np++] = a + pre;
      a += pre;
      break;
    }
    const suf = suffixLen(s, a + pre, b);
    if (suf > 0 && b - suf > a && lookupSpecial(s, a, b - suf) !== undefined) {
      if (ns === sufA.length) ((sufA = grow(sufA)), (sufB = grow(sufB)));
      sufA[ns] = b - suf;
      sufB[ns++] = b;
      b -= suf;
      break;
    }
    if (pre > 0 && suf > 0 && pre + suf <= b - a) {
      if (np === preA.length) ((preA = grow(preA)), (preB = grow(preB)));
      if (ns === sufA.length) ((sufA = grow(sufA)), (sufB = grow(sufB)));
      preA[np] = a;
      preB[np++] = a + pre;
      sufA[ns] = b - suf;
      sufB[ns++] = b;
      a += pre;
      b -= suf;
    } else if (pre > 0) {
      if (np === preA.length) ((preA = grow(preA)), (preB = grow(preB)));
      preA[np] = a;
      preB[np++] = a + pre;
      a += pre;
    } else if (suf > 0) {
      if (ns === sufA.length) ((sufA = grow(sufA)), (sufB = grow(sufB)));
      sufA[ns] = b - suf;
      sufB[ns++] = b;
      b -= suf;
    }
    if (b > a && lookupSpecial(s, a, b) !== undefined) break;
  }
  for (let k = 0; k < np; k++) out.push(preA[k]!, preB[k]!, null);
  emitCore(out, s, a, b, a !== a0 || b !== b0);
  for (let k = ns - 1; k >= 0; k--) out.push(sufA[k]!, sufB[k]!, null);
}

/**
 * Tokenize `text` into `out` (reset first). `charMode`: characters of non-space-separated scripts become
 * single-character chunks.
 */
export function tokenize(text: string, out: TokenBuffer, charMode = false): void {
  out.reset();
  const n = text.length;
  let i = 0;
  while (i < n) {
    while (i < n && isPySpace(text.charCodeAt(i))) i++;
    if (i >= n) break;
    let j = i;
    if (!charMode) {
      // fast path: a chunk of ASCII letters has no affix, infix or URL; only a special case can split it
      let letters = true;
      for (; j < n; j++) {
        const c = text.charCodeAt(j);
        if (((c | 0x20) - 0x61) >>> 0 < 26) continue;
        if (isPySpace(c)) break;
        letters = false;
      }
      if (letters) {
        const sp = lookupSpecial(text, i, j);
        if (sp === undefined) out.push(i, j, null);
        else emitSpecial(out, i, j, sp, text);
      } else {
        tokenizeChunk(out, text, i, j);
      }
    } else {
      let runStart = i;
      while (j < n) {
        const c = text.charCodeAt(j);
        if (isPySpace(c)) break;
        const cp = c >= 0xd800 && c <= 0xdbff ? cpAt(text, j) : c;
        const w = cpLen(cp);
        if (cp >= 0x0e00 && isCharScript(cp) && !isCombiningMark(cp)) {
          if (runStart < j) tokenizeChunk(out, text, runStart, j);
          // the character plus the combining marks that follow it (Thai vowels and tone marks, ...)
          let k = j + w;
          while (k < n) {
            const m = text.codePointAt(k)!;
            if (!isCombiningMark(m)) break;
            k += cpLen(m);
          }
          out.push(j, k, null);
          runStart = k;
          j = k;
          continue;
        }
        j += w;
      }
      if (runStart < j) tokenizeChunk(out, text, runStart, j);
    }
    i = j;
  }
}

/** Convenience for tests: the token strings of `text`. */
export function tokenStrings(text: string, charMode = false): string[] {
  const buf = new TokenBuffer();
  tokenize(text, buf, charMode);
  const r: string[] = [];
  for (let k = 0; k < buf.count; k++) r.push(buf.text(text, k));
  return r;
}
