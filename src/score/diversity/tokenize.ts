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
 * This file runs the loop; the rules are in specials.ts (step 2), affixes.ts (step 3) and infixes.ts (step 4),
 * and tokens are written to a TokenBuffer (token-buffer.ts).
 *
 * Known differences from spaCy: the special-case table is a subset (see specials.ts); letter classes use
 * Unicode categories where spaCy lists script ranges (ALPHA = \p{L}; lower/upper include uncased letters); the
 * URL pattern is a simplified version; spaCy's extra matcher for special cases that contain affix characters
 * (e.g. `:)` inside `(:))`) is not reproduced. These shift counts only for unusual tokens.
 *
 * Char mode (CJK, Thai, ...): in addition, every character of a non-space-separated script is its own chunk,
 * so "word" rules become character rules for those scripts.
 */
import { isPySpace } from './chars.js';
import { prefixLen, suffixLen } from './affixes.js';
import { cpAt, cpLen } from './code-points.js';
import { infixAt, looksLikeUrl } from './infixes.js';
import { SPECIALS, SPECIAL_FIRST_LEN, SPECIAL_HASHES, SPECIAL_MAX_LEN, spanHash } from './specials.js';
import { TokenBuffer } from './token-buffer.js';
import { isCharScript, isCombiningMark } from '../../text/lang.js';

export { TokenBuffer } from './token-buffer.js';

function lookupSpecial(s: string, a: number, b: number): readonly string[] | undefined {
  const n = b - a;
  if (n === 0 || n > SPECIAL_MAX_LEN) return undefined;
  if (SPECIAL_FIRST_LEN[((s.charCodeAt(a) & 0x3ff) << 4) | (n < 15 ? n : 15)] === 0) return undefined;
  if (!SPECIAL_HASHES.has(spanHash(s, a, b))) return undefined;
  return SPECIALS.get(s.slice(a, b));
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
