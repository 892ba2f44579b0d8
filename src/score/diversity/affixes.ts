/**
 * spaCy's English prefix and suffix rules (the tokenizer's `prefix_search` / `suffix_search`), matched by hand over
 * UTF-16 offsets: how many units a prefix or suffix match takes from the ends of a chunk. tokenize.ts peels them
 * in spaCy's loop.
 */
import {
  CURRENCY_SET,
  PERIOD_LOOKBEHIND_TABLE,
  PREFIX_TABLE,
  SUFFIX_TABLE,
  UNITS,
  isAsciiDigit,
  isIcon,
  isSpacyLower,
  isSpacyUpper,
} from './chars.js';
import { cpAt, cpBefore, cpLen } from './code-points.js';

/** Length of the prefix spaCy strips from s[a, b), 0 if none. */
export function prefixLen(s: string, a: number, b: number): number {
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
export function suffixLen(s: string, a: number, b: number): number {
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
