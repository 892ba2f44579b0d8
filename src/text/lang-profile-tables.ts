/**
 * The lookups the language detector (lang.ts) builds once from its profiles (lang-profiles.ts): the word hash
 * (FNV-1a style, over lower-cased UTF-16 units), a table from function-word hash to the mask of languages using the
 * word, and the hint letters' language masks. Bit i of a mask is LANGS[i].
 */
import { HINTS_STRONG, HINTS_WEAK, LANGS, WORDS } from './lang-profiles.js';

export function wordHash(h: number, c: number): number {
  return Math.imul(h ^ c, 0x01000193);
}
export const WORD_SEED = 0x811c9dc5;

// word hash -> language mask, open addressing in typed arrays (faster than a Map on the hot path)
const WT_BITS = 12;
const WT_MASK = (1 << WT_BITS) - 1;
const wtKey = new Int32Array(1 << WT_BITS);
const wtVal = new Int32Array(1 << WT_BITS); // 0 = empty slot (every stored mask is non-zero)
function wtSlot(h: number): number {
  let i = Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> (32 - WT_BITS);
  while (wtVal[i] !== 0 && wtKey[i] !== h) i = (i + 1) & WT_MASK;
  return i;
}
LANGS.forEach((lang, i) => {
  for (const w of WORDS[lang].split(' ')) {
    let h = WORD_SEED;
    for (let k = 0; k < w.length; k++) h = wordHash(h, w.charCodeAt(k));
    const slot = wtSlot(h);
    wtKey[slot] = h;
    wtVal[slot] |= 1 << i;
  }
});
/** language mask of a finished word hash (0 = not a function word) */
export function wordMaskOf(h: number): number {
  return wtVal[wtSlot(h)]!;
}
// per hint letter: language mask in the low bits is not enough (two weights), so two maps
export const hintStrong = new Map<number, number>();
export const hintWeak = new Map<number, number>();
for (const [map, hints] of [
  [hintStrong, HINTS_STRONG],
  [hintWeak, HINTS_WEAK],
] as const) {
  for (const [lang, chars] of Object.entries(hints)) {
    const bit = 1 << LANGS.indexOf(lang as (typeof LANGS)[number]);
    for (const ch of chars) {
      const cp = ch.codePointAt(0)!;
      map.set(cp, (map.get(cp) ?? 0) | bit);
    }
  }
}
export const VI_BIT = 1 << LANGS.indexOf('vi');
