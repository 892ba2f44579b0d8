/**
 * Reference tables built from human text and shipped in the model: the word-frequency rank table (token hash to
 * rank) and the small token bigram LM, both open-addressing tables keyed by token hash, with their lookups.
 */
import { fmix32 } from '../../../text/hash.js';
import { hashStr } from './hashing.js';

/** Frequency ranks keyed by token hash (see `hashStr`); built by `buildRankTable`. */
export interface RankTable {
  /** 0-based rank of the token with this hash, or -1 */
  rankOf(h: number): number;
  /** token bigram model of human reference text (LM features are 0 without it) */
  lm?: BigramLM;
}

/**
 * A small token bigram model of human reference text: unigram counts of the most frequent tokens (open-addressing
 * table keyed by token hash) and saturating 16-bit bigram counts in a hashed table. Interpolated
 * (Jelinek-Mercer) bigram probabilities give a GLTR-like "how predictable is this text to a model of human
 * writing" profile.
 */
export interface BigramLM {
  uniKeys: Uint32Array;
  uniVals: Uint32Array;
  bi: Uint16Array;
  total: number;
}

export function uniLookup(lm: BigramLM, h: number): number {
  const mask = lm.uniKeys.length - 1;
  let i = h & mask;
  for (;;) {
    const v = lm.uniVals[i]!;
    if (v === 0) return 0;
    if (lm.uniKeys[i] === h) return v;
    i = (i + 1) & mask;
  }
}

export function biIndex(a: number, b: number, mask: number): number {
  return fmix32((Math.imul(a, 0x27d4eb2d) ^ b) + 0x165667b1) & mask;
}

/** Build the bigram LM from token-hash sequences (human training texts). */
export function buildBigramLM(seqs: readonly Uint32Array[], topTokens: number, biBits: number): BigramLM {
  const counts = new Map<number, number>();
  let total = 0;
  for (const q of seqs) {
    for (let i = 0; i < q.length; i++) counts.set(q[i]!, (counts.get(q[i]!) ?? 0) + 1);
    total += q.length;
  }
  const top = [...counts].filter(([, c]) => c >= 2).sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, topTokens);
  let size = 1024;
  while (size < top.length * 2) size <<= 1;
  const uniKeys = new Uint32Array(size);
  const uniVals = new Uint32Array(size);
  for (const [h, c] of top) {
    let i = h & (size - 1);
    while (uniVals[i] !== 0) i = (i + 1) & (size - 1);
    uniKeys[i] = h;
    uniVals[i] = c;
  }
  const bi = new Uint16Array(1 << biBits);
  const bmask = bi.length - 1;
  for (const q of seqs) {
    for (let i = 1; i < q.length; i++) {
      const j = biIndex(q[i - 1]!, q[i]!, bmask);
      if (bi[j]! < 65535) bi[j]!++;
    }
  }
  return { uniKeys, uniVals, bi, total };
}

/** Open-addressing table from token hash to rank (the first occurrence of a word wins). */
export function buildRankTable(words: readonly string[]): RankTable {
  let size = 1024;
  while (size < words.length * 2) size <<= 1;
  const keys = new Uint32Array(size);
  const vals = new Int32Array(size).fill(-1);
  const mask = size - 1;
  words.forEach((w, r) => {
    const h = hashStr(w);
    let i = h & mask;
    while (vals[i] !== -1) {
      if (keys[i] === h) return;
      i = (i + 1) & mask;
    }
    keys[i] = h;
    vals[i] = r;
  });
  return {
    rankOf(h: number): number {
      let i = h & mask;
      for (;;) {
        const v = vals[i]!;
        if (v === -1) return -1;
        if (keys[i] === h) return v;
        i = (i + 1) & mask;
      }
    },
  };
}
