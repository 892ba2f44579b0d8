/**
 * Writing systems for language identification (lang.ts) and the char-mode tokenizer: script ids, the Unicode
 * ranges that map a letter or combining mark to its script (cached per BMP code unit), the scripts written without
 * spaces between words, and the language of single-language scripts.
 */

export const S_NONE = 0;
const S_LATIN = 1;
export const S_CYRILLIC = 2;
const S_GREEK = 3;
const S_ARMENIAN = 4;
const S_HEBREW = 5;
export const S_ARABIC = 6;
export const S_DEVANAGARI = 7;
const S_BENGALI = 8;
const S_GURMUKHI = 9;
const S_GUJARATI = 10;
const S_ORIYA = 11;
const S_TAMIL = 12;
const S_TELUGU = 13;
const S_KANNADA = 14;
const S_MALAYALAM = 15;
const S_SINHALA = 16;
const S_GEORGIAN = 17;
export const S_HANGUL = 18;
const S_ETHIOPIC = 19;
const S_THAI = 20;
const S_LAO = 21;
const S_TIBETAN = 22;
const S_MYANMAR = 23;
const S_KHMER = 24;
export const S_HAN = 25;
export const S_KANA = 26;
export const S_OTHER = 27; // a letter of a script not listed above
export const N_SCRIPTS = 28;

/** script names by id (the `script` of a LangResult) */
export const SCRIPT_NAMES = [
  'none', 'latin', 'cyrillic', 'greek', 'armenian', 'hebrew', 'arabic', 'devanagari', 'bengali', 'gurmukhi',
  'gujarati', 'oriya', 'tamil', 'telugu', 'kannada', 'malayalam', 'sinhala', 'georgian', 'hangul', 'ethiopic',
  'thai', 'lao', 'tibetan', 'myanmar', 'khmer', 'han', 'kana', 'other',
];
/** language of single-language scripts, by script id ('' = decided by word profiles or not at all) */
export const SCRIPT_LANG = [
  '', '', '', 'el', 'hy', 'he', '', '', 'bn', 'pa', 'gu', 'or', 'ta', 'te', 'kn', 'ml', 'si', 'ka', 'ko', 'am',
  'th', 'lo', 'bo', 'my', 'km', 'zh', 'ja', '',
];

export function isCharScriptId(s: number): boolean {
  return s >= S_THAI && s <= S_KANA;
}

const RE_LETTER = /\p{L}/u;
const RE_MARK = /\p{M}/u;
// per BMP code unit: script id + 1 (0 = not yet computed); bit 0x40 = combining mark
const scriptCache = new Uint8Array(0x10000);

function scriptByRange(cp: number): number {
  if (cp < 0x0250) return S_LATIN;
  if (cp < 0x0370) return cp < 0x02b0 ? S_LATIN : S_NONE;
  if (cp < 0x0400) return S_GREEK;
  if (cp < 0x0530) return S_CYRILLIC;
  if (cp < 0x0590) return S_ARMENIAN;
  if (cp < 0x0600) return S_HEBREW;
  if (cp < 0x0700) return S_ARABIC;
  if (cp >= 0x0750 && cp < 0x0780) return S_ARABIC;
  if (cp >= 0x08a0 && cp < 0x0900) return S_ARABIC;
  if (cp < 0x0900) return S_OTHER;
  if (cp < 0x0980) return S_DEVANAGARI;
  if (cp < 0x0a00) return S_BENGALI;
  if (cp < 0x0a80) return S_GURMUKHI;
  if (cp < 0x0b00) return S_GUJARATI;
  if (cp < 0x0b80) return S_ORIYA;
  if (cp < 0x0c00) return S_TAMIL;
  if (cp < 0x0c80) return S_TELUGU;
  if (cp < 0x0d00) return S_KANNADA;
  if (cp < 0x0d80) return S_MALAYALAM;
  if (cp < 0x0e00) return S_SINHALA;
  if (cp < 0x0e80) return S_THAI;
  if (cp < 0x0f00) return S_LAO;
  if (cp < 0x1000) return S_TIBETAN;
  if (cp < 0x10a0) return S_MYANMAR;
  if (cp < 0x1100) return S_GEORGIAN;
  if (cp < 0x1200) return S_HANGUL;
  if (cp < 0x13a0) return S_ETHIOPIC;
  if (cp >= 0x1780 && cp < 0x1800) return S_KHMER;
  if (cp >= 0x19e0 && cp < 0x1a00) return S_KHMER;
  if (cp >= 0x1c80 && cp < 0x1c90) return S_CYRILLIC;
  if (cp >= 0x1c90 && cp < 0x1cc0) return S_GEORGIAN;
  if (cp >= 0x1d00 && cp < 0x1dc0) return S_LATIN;
  if (cp >= 0x1e00 && cp < 0x1f00) return S_LATIN;
  if (cp >= 0x1f00 && cp < 0x2000) return S_GREEK;
  if (cp >= 0x2c60 && cp < 0x2c80) return S_LATIN;
  if (cp >= 0x2d00 && cp < 0x2d30) return S_GEORGIAN;
  if (cp >= 0x2de0 && cp < 0x2e00) return S_CYRILLIC;
  if (cp >= 0x3040 && cp < 0x3100) return cp === 0x30fb ? S_NONE : S_KANA;
  if (cp >= 0x3130 && cp < 0x3190) return S_HANGUL;
  if (cp >= 0x31f0 && cp < 0x3200) return S_KANA;
  if (cp === 0x3005 || cp === 0x3007) return S_HAN;
  if (cp >= 0x3400 && cp < 0x4dc0) return S_HAN;
  if (cp >= 0x4e00 && cp < 0xa000) return S_HAN;
  if (cp >= 0xa640 && cp < 0xa6a0) return S_CYRILLIC;
  if (cp >= 0xa720 && cp < 0xa800) return S_LATIN;
  if (cp >= 0xa960 && cp < 0xa980) return S_HANGUL;
  if (cp >= 0xac00 && cp < 0xd800) return S_HANGUL;
  if (cp >= 0xf900 && cp < 0xfb00) return S_HAN;
  if (cp >= 0xfb1d && cp < 0xfb50) return S_HEBREW;
  if (cp >= 0xfb50 && cp < 0xfe00) return S_ARABIC;
  if (cp >= 0xfe70 && cp < 0xff00) return S_ARABIC;
  if (cp >= 0xff21 && cp < 0xff5b) return S_LATIN;
  if (cp >= 0xff66 && cp < 0xffa0) return S_KANA;
  if (cp >= 0xffa0 && cp < 0xffe0) return S_HANGUL;
  if (cp >= 0x20000 && cp < 0x32000) return S_HAN;
  if (cp >= 0x1b000 && cp < 0x1b170) return S_KANA;
  return S_OTHER;
}

/** script id of a letter or combining mark; S_NONE for anything else. Marks get bit 0x40. */
export function scriptOf(cp: number): number {
  if (cp < 0x80) {
    return (cp | 0x20) >= 0x61 && (cp | 0x20) <= 0x7a ? S_LATIN : S_NONE;
  }
  if (cp < 0x10000) {
    const v = scriptCache[cp]!;
    if (v !== 0) return v - 1;
  }
  const ch = String.fromCodePoint(cp);
  let r = S_NONE;
  if (RE_LETTER.test(ch)) r = scriptByRange(cp);
  else if (RE_MARK.test(ch)) r = scriptByRange(cp) | 0x40;
  if (cp < 0x10000) scriptCache[cp] = r + 1;
  return r;
}

/**
 * Whether a code point belongs to a script written without spaces between words (Thai, Lao, Tibetan, Myanmar,
 * Khmer, Han, Kana), letters and combining marks alike. Used by the char-mode tokenizer.
 */
export function isCharScript(cp: number): boolean {
  if (cp < 0x0e00) return false;
  return isCharScriptId(scriptOf(cp) & 0x3f);
}

/** Whether a code point is a combining mark (\p{M}). */
export function isCombiningMark(cp: number): boolean {
  if (cp < 0x0300) return false;
  return (scriptOf(cp) & 0x40) !== 0;
}
