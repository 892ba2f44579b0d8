/**
 * Skeleton classes for the skeleton n-gram families: function words and punctuation are kept as they are, numbers
 * become `<num>`, capitalised words inside a sentence `<Cap>`, and other content words a suffix class (`<-ing>`,
 * `<-tion>`, ...) or a shape class (`<w>` short, `<W>` long).
 */
import { FUNCTION_WORDS, T_NUM, T_PUNCT } from '../text.js';

/** The function words, as a set (kept as themselves in skeletons; `prepare` flags them) */
export const FW = new Set(FUNCTION_WORDS);
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

export function skeletonOf(tok: string, type: number, caps: number, sentStart: boolean): string {
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
