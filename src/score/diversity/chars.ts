/**
 * Character classes used by the diversity scorer. All predicates take a UTF-16 code unit or a code point
 * (numbers), never strings, so the hot loops allocate nothing.
 *
 * Python semantics are reproduced where datatrove relies on them:
 *  - `isPySpace` is Python's `str.isspace()` (it differs from JS `\s`: U+001C..U+001F and U+0085 are
 *    whitespace, U+FEFF is not).
 *  - `isAlpha` is Python's `str.isalpha()` for one character (general category L*).
 */

/** Python `str.isspace()` for one code unit (every Python whitespace character is in the BMP). */
export function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Unicode general-category bits, computed lazily per BMP code unit (a 64 KiB table) and cached per astral code
// point. Bit 0x80 marks "computed".
const F_DONE = 0x80;
export const F_ALPHA = 0x01; // \p{L}
export const F_UPPER = 0x02; // \p{Lu} or \p{Lt}
export const F_LOWER = 0x04; // \p{Ll}
export const F_OTHER_LETTER = 0x08; // \p{Lo} or \p{Lm} (uncased scripts: treated as both upper and lower by spaCy)
export const F_SYMBOL_OTHER = 0x10; // \p{So}: spaCy's "icons" (emoji, dingbats, ...)

const bmp = new Uint8Array(0x10000);
const astral = new Map<number, number>();

const RE_L = /\p{L}/u;
const RE_LU = /[\p{Lu}\p{Lt}]/u;
const RE_LL = /\p{Ll}/u;
const RE_LO = /[\p{Lo}\p{Lm}]/u;
const RE_SO = /\p{So}/u;

function computeFlags(cp: number): number {
  const s = String.fromCodePoint(cp);
  let f = F_DONE;
  if (RE_L.test(s)) {
    f |= F_ALPHA;
    if (RE_LU.test(s)) f |= F_UPPER;
    else if (RE_LL.test(s)) f |= F_LOWER;
    else if (RE_LO.test(s)) f |= F_OTHER_LETTER;
  } else if (RE_SO.test(s)) {
    f |= F_SYMBOL_OTHER;
  }
  return f;
}

// ASCII is filled eagerly: it is by far the most common input.
for (let c = 0; c < 128; c++) bmp[c] = computeFlags(c);

/** Category flags of a code point (BMP lookups are a typed-array read after the first sighting). */
export function flagsOf(cp: number): number {
  if (cp < 0x10000) {
    const f = bmp[cp]!;
    if (f !== 0) return f;
    // lone surrogates have no category
    const g = cp >= 0xd800 && cp <= 0xdfff ? F_DONE : computeFlags(cp);
    bmp[cp] = g;
    return g;
  }
  let f = astral.get(cp);
  if (f === undefined) {
    f = computeFlags(cp);
    astral.set(cp, f);
  }
  return f;
}

export function isAlpha(cp: number): boolean {
  if (cp < 128) return ((cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a);
  return (flagsOf(cp) & F_ALPHA) !== 0;
}

export function isAsciiDigit(c: number): boolean {
  return c >= 0x30 && c <= 0x39;
}

/** spaCy ALPHA_LOWER (lower-case letters plus letters of uncased scripts). */
export function isSpacyLower(cp: number): boolean {
  if (cp < 128) return cp >= 0x61 && cp <= 0x7a;
  return (flagsOf(cp) & (F_LOWER | F_OTHER_LETTER)) !== 0;
}

/** spaCy ALPHA_UPPER (upper-case letters plus letters of uncased scripts). */
export function isSpacyUpper(cp: number): boolean {
  if (cp < 128) return cp >= 0x41 && cp <= 0x5a;
  return (flagsOf(cp) & (F_UPPER | F_OTHER_LETTER)) !== 0;
}

/** spaCy's LIST_ICONS class (approximated by general category So). */
export function isIcon(cp: number): boolean {
  if (cp < 0xa6) return false;
  return (flagsOf(cp) & F_SYMBOL_OTHER) !== 0;
}

// ---------------------------------------------------------------------------------------------------------------
// Fixed character sets.

function setOf(chars: string): Set<number> {
  const s = new Set<number>();
  for (const ch of chars) s.add(ch.codePointAt(0)!);
  return s;
}

function tableOf(chars: string): Uint8Array {
  const t = new Uint8Array(0x10000);
  for (const ch of chars) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x10000) t[cp] = 1;
  }
  return t;
}

/**
 * datatrove's PUNCTUATION_SET (utils/text.py): a token made only of these characters is a "symbol word" and is
 * not counted by the word-count and mean-word-length rules. Note it is an odd, fixed set: it holds the fullwidth
 * digit one U+FF11 but not U+2018 (left single quote); control characters 0-8, 11-12, 13-31 and 127-159 are in it.
 */
const DATATROVE_PUNCT_CHARS =
  '!/\u2014\u201d:\uff05\uff11\u3008&(\u3001\u2501\\\u3010#%\u300c\u300d\uff0c\u3011\uff1b+^]~\u201c\u300a\u201e' +
  "';\u2019{|\u2236\u00b4[=-`*\uff0e\uff08\u2013\uff1f\uff01\uff1a$\uff5e\u00ab\u3009,><\u300b)?\uff09\u3002" +
  '\u2026@_."}\u25ba\u00bb';
const PUNCT_TABLE = tableOf(DATATROVE_PUNCT_CHARS);
for (let c = 0; c < 9; c++) PUNCT_TABLE[c] = 1;
PUNCT_TABLE[11] = 1;
PUNCT_TABLE[12] = 1;
for (let c = 13; c < 32; c++) PUNCT_TABLE[c] = 1;
for (let c = 127; c < 160; c++) PUNCT_TABLE[c] = 1;

/** Whether a code point is in datatrove's PUNCTUATION_SET. */
export function isDatatrovePunct(cp: number): boolean {
  return cp < 0x10000 && PUNCT_TABLE[cp] === 1;
}

// spaCy's shared punctuation lists (lang/char_classes.py), written out as characters.
const SPACY_PUNCT = '\u2026,:;!?\u00bf\u061f\u00a1()[]{}<>_#*&\u3002\uff1f\uff01\uff0c\u3001\uff1b\uff1a\uff5e\u00b7\u0964\u060c\u06d4\u061b\u066a';
const SPACY_QUOTES =
  '\'"\u201d\u201c`\u2018\u00b4\u2019\u201a,\u201e\u00bb\u00ab\u300c\u300d\u300e\u300f\uff08\uff09\u3014\u3015' +
  '\u3010\u3011\u300a\u300b\u3008\u3009\u27e6\u27e7';
const SPACY_CURRENCY_SINGLE =
  '$\u00a3\u20ac\u00a5\u0e3f\u20bd\ufdfc\u20b4\u20a0\u20a1\u20a2\u20a3\u20a4\u20a5\u20a6\u20a7\u20a8\u20a9\u20aa' +
  '\u20ab\u20ad\u20ae\u20af\u20b0\u20b1\u20b2\u20b3\u20b5\u20b6\u20b7\u20b8\u20b9\u20ba\u20bb\u20bc\u20be\u20bf';

/** Single characters that spaCy strips as a prefix (besides `+`, dot runs, `US$`/`C$`/`A$` and icons). */
export const PREFIX_TABLE = tableOf('\u00a7%=\u2014\u2013' + SPACY_PUNCT + SPACY_QUOTES + SPACY_CURRENCY_SINGLE);
/** Single characters that spaCy strips as a suffix (besides the conditional rules and icons). */
export const SUFFIX_TABLE = tableOf(SPACY_PUNCT + SPACY_QUOTES + '\u2014\u2013');
/** Characters allowed before a final `.` for spaCy to split it off (besides digits and lower-case letters). */
export const PERIOD_LOOKBEHIND_TABLE = tableOf('%\u00b2-+|' + SPACY_PUNCT + SPACY_QUOTES + '(?:)');
/** spaCy CONCAT_QUOTES as a lookup table (used by the `a.B` infix rule). */
export const QUOTE_TABLE = tableOf(SPACY_QUOTES);
/** spaCy currency symbols (suffix after a digit). */
export const CURRENCY_SET = setOf(SPACY_CURRENCY_SINGLE);
/** spaCy UNITS, split off after a digit ("5km" -> "5", "km"). */
export const UNITS = new Set<string>(
  (
    'km km\u00b2 km\u00b3 m m\u00b2 m\u00b3 dm dm\u00b2 dm\u00b3 cm cm\u00b2 cm\u00b3 mm mm\u00b2 mm\u00b3 ha \u00b5m nm ' +
    'yd in ft kg g mg \u00b5g t lb oz m/s km/h kmh mph hPa Pa mbar mb MB kb KB gb GB tb TB T G M K % ' +
    '\u043a\u043c \u043c \u0441\u043c \u043c\u043c \u043a\u0433 \u0433 \u043c\u0433 US$ C$ A$'
  ).split(' '),
);

// lower-casing of BMP code units (single-unit results only), cached; 0 = not computed yet
const lowerTable = new Uint16Array(0x10000);
for (let c = 1; c < 128; c++) lowerTable[c] = c >= 0x41 && c <= 0x5a ? c + 32 : c;

/** lower-case of a UTF-16 code unit (unchanged when the lower-case form is not one code unit) */
export function lowerUnit(c: number): number {
  const v = lowerTable[c]!;
  if (v !== 0 || c === 0) return v;
  const l = c >= 0xd800 && c <= 0xdfff ? '' : String.fromCharCode(c).toLowerCase();
  const r = l.length === 1 ? l.charCodeAt(0) : c;
  lowerTable[c] = r;
  return r;
}
