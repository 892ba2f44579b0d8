/**
 * The per-token arrays every word metric reads, and the one pass over the tokens that fills them: code-point
 * lengths, symbol/alpha flags, stop words, identity hashes, lower-cased identity hashes and the prefix arrays of
 * the concatenation hashes (concat-hash.ts). The arrays are scratch space reused across documents (grown, never
 * shrunk), so the pass allocates nothing per token.
 */
import { isAlpha, isDatatrovePunct, lowerUnit } from './chars.js';
import { B1, B2, IB1, IB2, IPOW1, IPOW2, POW1, POW2, POW_N, powOf } from './concat-hash.js';
import { fmix32 } from './hashtable.js';
import type { TokenBuffer } from './token-buffer.js';

/** token flag: the token is not only punctuation (datatrove's "non-symbol word") */
export const F_NONSYM = 1;
/** token flag: the token has an alphabetic character */
export const F_ALPHA_TOK = 2;

/** Per-token scratch arrays, indexed by token (length at least T+1 after `ensure(T)`). */
export class TokenArrays {
  cap = 0;
  /** prefix sums of token code-point lengths, length T+1 */
  cps = new Int32Array(0);
  /** prefix sums for concatenation hashes (base B1), length T+1 */
  s1 = new Int32Array(0);
  s2 = new Int32Array(0);
  /** B1^(code units before token k), length T+1 */
  cum1 = new Int32Array(0);
  cum2 = new Int32Array(0);
  /** token identity hash halves */
  id1 = new Int32Array(0);
  id2 = new Int32Array(0);
  /** lower-cased token identity */
  lid1 = new Int32Array(0);
  lid2 = new Int32Array(0);
  /** F_NONSYM | F_ALPHA_TOK */
  flags = new Uint8Array(0);
  /** lexical.ts: type id of each non-symbol token, and counts per type */
  lexIds = new Int32Array(0);
  typeCounts = new Int32Array(0);

  ensure(t: number): void {
    if (t + 1 <= this.cap) return;
    let c = Math.max(1024, this.cap);
    while (c < t + 1) c *= 2;
    this.cap = c;
    this.cps = new Int32Array(c);
    this.s1 = new Int32Array(c);
    this.s2 = new Int32Array(c);
    this.cum1 = new Int32Array(c);
    this.cum2 = new Int32Array(c);
    this.id1 = new Int32Array(c);
    this.id2 = new Int32Array(c);
    this.lid1 = new Int32Array(c);
    this.lid2 = new Int32Array(c);
    this.flags = new Uint8Array(c);
    this.lexIds = new Int32Array(c);
    this.typeCounts = new Int32Array(c);
  }
}

// The 8 Gopher stop words, as datatrove spells them (case-sensitive).
const STOP_WORDS = ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'];
function stopWordIndex(s: string, a: number, b: number): number {
  const n = b - a;
  if (n < 2 || n > 4) return -1;
  for (let k = 0; k < STOP_WORDS.length; k++) {
    const w = STOP_WORDS[k]!;
    if (w.length === n && s.startsWith(w, a)) return k;
  }
  return -1;
}

export interface TokenStats {
  nonSymbol: number;
  nonSymbolChars: number;
  alphaTokens: number;
  /** bit k set: stop word k was seen */
  stopMask: number;
}
const tokenStats: TokenStats = { nonSymbol: 0, nonSymbolChars: 0, alphaTokens: 0, stopMask: 0 };

/**
 * One pass over the T tokens of `tok`: fills `arr` (code-point lengths, symbol/alpha flags, identity hashes,
 * lower-cased hashes when `lower`, the prefix arrays of the concatenation hashes) and counts non-symbol words,
 * their characters, alphabetic tokens and the stop words seen. The returned object is reused by the next call.
 */
export function tokenPass(tok: TokenBuffer, arr: TokenArrays, text: string, T: number, stopWords: boolean, lower: boolean): TokenStats {
  const starts = tok.start;
  const ends = tok.end;
  const pieceOf = tok.piece;
  const CP = arr.cps;
  const S1 = arr.s1;
  const S2 = arr.s2;
  const C1 = arr.cum1;
  const C2 = arr.cum2;
  const I1 = arr.id1;
  const I2 = arr.id2;
  const LI1 = arr.lid1;
  const LI2 = arr.lid2;
  const FL = arr.flags;
  let nonSymbol = 0;
  let nonSymbolChars = 0;
  let alphaTokens = 0;
  let stopMask = 0;
  CP[0] = 0;
  S1[0] = 0;
  S2[0] = 0;
  C1[0] = 1;
  C2[0] = 1;
  let icum1 = 1;
  let icum2 = 1;
  for (let k = 0; k < T; k++) {
    const pieceIdx = pieceOf[k]!;
    const src = pieceIdx > 0 ? tok.pieces[pieceIdx - 1]! : text;
    const a = pieceIdx > 0 ? 0 : starts[k]!;
    const b = pieceIdx > 0 ? src.length : ends[k]!;
    let p1 = 0;
    let p2 = 0;
    let l1 = 0x811c9dc5;
    let cp = 0;
    let nonSym = false;
    let alpha = false;
    for (let i = a; i < b; i++) {
      const c = src.charCodeAt(i);
      p1 = (Math.imul(p1, B1) + c) | 0;
      p2 = (Math.imul(p2, B2) + c) | 0;
      if (lower) l1 = Math.imul(l1 ^ (c < 0x80 ? (c >= 0x41 && c <= 0x5a ? c + 32 : c) : lowerUnit(c)), 0x01000193);
      if ((c & 0xfc00) !== 0xdc00) {
        cp++;
        if (c < 0x80) {
          const u = c | 0x20;
          if (u >= 0x61 && u <= 0x7a) {
            alpha = true;
            nonSym = true;
          } else if (!nonSym && !isDatatrovePunct(c)) nonSym = true;
        } else {
          if (!nonSym && !isDatatrovePunct(c)) nonSym = true;
          if (!alpha) alpha = isAlpha((c & 0xfc00) === 0xd800 ? src.codePointAt(i)! : c);
        }
      }
    }
    const L = b - a;
    if (L < POW_N) {
      icum1 = Math.imul(icum1, IPOW1[L]!);
      icum2 = Math.imul(icum2, IPOW2[L]!);
      C1[k + 1] = Math.imul(C1[k]!, POW1[L]!);
      C2[k + 1] = Math.imul(C2[k]!, POW2[L]!);
    } else {
      icum1 = Math.imul(icum1, powOf(IPOW1, IB1, L));
      icum2 = Math.imul(icum2, powOf(IPOW2, IB2, L));
      C1[k + 1] = Math.imul(C1[k]!, powOf(POW1, B1, L));
      C2[k + 1] = Math.imul(C2[k]!, powOf(POW2, B2, L));
    }
    S1[k + 1] = (S1[k]! + Math.imul(p1, icum1)) | 0;
    S2[k + 1] = (S2[k]! + Math.imul(p2, icum2)) | 0;
    CP[k + 1] = CP[k]! + cp;
    I1[k] = fmix32(p1 ^ Math.imul(L, 0x9e3779b1));
    I2[k] = (p2 + Math.imul(L, 0x85ebca6b)) | 0;
    if (lower) {
      // lower-cased identity: FNV-1a of the lower-cased units plus the length (a collision merges two types,
      // which moves a ratio by 1/N; acceptable for these metrics)
      LI1[k] = l1;
      LI2[k] = L;
    }
    let f = 0;
    if (nonSym) {
      f = F_NONSYM;
      nonSymbol++;
      nonSymbolChars += cp;
    }
    if (alpha) {
      f |= F_ALPHA_TOK;
      alphaTokens++;
    }
    FL[k] = f;
    if (stopWords && L >= 2 && L <= 4) {
      const sw = stopWordIndex(src, a, b);
      if (sw >= 0) stopMask |= 1 << sw;
    }
  }
  const r = tokenStats;
  r.nonSymbol = nonSymbol;
  r.nonSymbolChars = nonSymbolChars;
  r.alphaTokens = alphaTokens;
  r.stopMask = stopMask;
  return r;
}
