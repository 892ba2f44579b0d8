/**
 * How the core of a chunk (what remains after prefixes and suffixes) is split: a core that looks like a URL is kept
 * whole (spaCy's `url_match`, simplified), any other is split at spaCy's English infix matches (dot runs, `…`,
 * icons, `a-b`, `a,b`, `a.B`, `a/b`, `1-2`, ...), matched by hand over UTF-16 offsets.
 */
import { QUOTE_TABLE, isAlpha, isAsciiDigit, isIcon, isSpacyLower, isSpacyUpper } from './chars.js';
import { cpAt, cpBefore, cpLen, nextCp } from './code-points.js';

// URL cores are kept whole (spaCy's url_match), a simplified version of its pattern.
const URL_RE =
  /^(?=[\p{L}\p{N}_])(?:[\w+\-.]{2,}:\/\/)?(?:[^\s@]+(?::[^\s@]*)?@)?(?:(?:[A-Za-z0-9\u00a1-\uffff][A-Za-z0-9\u00a1-\uffff_-]{0,62})?[A-Za-z0-9\u00a1-\uffff]\.)+[\p{Ll}\p{Lo}]{2,63}(?::\d{2,5})?(?:[/?#]\S*)?(?<=[\p{L}\p{N}_/])$/u;

/** Whether the core s[a, b) is kept whole as a URL (a dot inside, then the pattern). */
export function looksLikeUrl(s: string, a: number, b: number): boolean {
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

/** Infix match length at offset i of core s[a, b) (0 = none); spaCy's English infix alternatives in order. */
export function infixAt(s: string, a: number, b: number, i: number): number {
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
