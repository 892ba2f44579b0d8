/**
 * Per-text preparation: the token attributes every window of a text shares, computed once (token and skeleton
 * hashes, word positions, punctuation classes and word flags).
 */
import { T_PUNCT, T_WORD, type Tokens } from '../text.js';
import { hashStr } from './hashing.js';
import { FW, skeletonOf } from './skeleton.js';

/** Per-token attributes computed once per text and shared by all windows. */
export interface Prepared {
  toks: Tokens;
  th: Uint32Array; // hash of each token
  sk: Uint32Array; // hash of the skeleton class of each token
  skName?: string[];
  /** token index of each word (type WORD or NUM) */
  wordPos: Int32Array;
  /** punctuation class (PC_*) of punctuation tokens, 0 for words */
  pc: Uint8Array;
  /** word flags (F_*) */
  fl: Uint8Array;
}

const CONTRACTION = /'(s|re|ve|ll|d|m|t)$|n't$/;
const I_WORDS = new Set(['i', 'me', 'my', 'mine', 'myself', "i'm", "i've", "i'd", "i'll"]);
const YOU_WORDS = new Set(['you', 'your', 'yours', 'yourself', "you're", "you've", "you'd", "you'll"]);
const WE_WORDS = new Set(['we', 'us', 'our', 'ours', 'ourselves', "we're", "we've", "we'd", "we'll"]);

// punctuation classes, in the order of the *_rate dense features
const PUNCT_CLASS: Record<string, number> = { ',': 1, '.': 2, ';': 3, ':': 4, '!': 5, '?': 6, '(': 7, '"': 8, "'": 9, '—': 10, '...': 11 };
export const PC_OTHER = 12;
export const F_FW = 1;
export const F_CONTR = 2;
export const F_HYPH = 4;
export const F_I = 8;
export const F_YOU = 16;
export const F_WE = 32;
export const F_SENTSTART = 64;

export function prepare(toks: Tokens, keepNames = false): Prepared {
  const n = toks.tok.length;
  const th = new Uint32Array(n);
  const sk = new Uint32Array(n);
  const pc = new Uint8Array(n);
  const fl = new Uint8Array(n);
  const skName: string[] | undefined = keepNames ? new Array(n) : undefined;
  const wordPos = new Int32Array(toks.nWords);
  let w = 0;
  let sentStart = true;
  for (let i = 0; i < n; i++) {
    const t = toks.tok[i]!;
    const ty = toks.type[i]!;
    th[i] = hashStr(t);
    const s = skeletonOf(t, ty, toks.caps[i]!, sentStart);
    sk[i] = s === t ? th[i]! : hashStr(s);
    if (skName) skName[i] = s;
    if (ty === T_PUNCT) {
      pc[i] = PUNCT_CLASS[t] ?? PC_OTHER;
    } else {
      wordPos[w++] = i;
      let f = sentStart ? F_SENTSTART : 0;
      if (ty === T_WORD) {
        if (FW.has(t)) f |= F_FW;
        if (t.indexOf("'") > 0 && CONTRACTION.test(t)) f |= F_CONTR;
        if (t.indexOf('-') > 0) f |= F_HYPH;
        if (I_WORDS.has(t)) f |= F_I;
        else if (YOU_WORDS.has(t)) f |= F_YOU;
        else if (WE_WORDS.has(t)) f |= F_WE;
      }
      fl[i] = f;
    }
    sentStart = ty === T_PUNCT ? t === '.' || t === '!' || t === '?' || t === '...' || (sentStart && t === '"') : false;
  }
  return { toks, th, sk, skName, wordPos, pc, fl };
}
