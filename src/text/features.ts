/**
 * The one place text is normalised, tokenised and shingled. `createFeaturizer(opts)` returns a function that
 * builds a lazy `Features` object per record: each member is computed at most once and shared by all scorers.
 */
import type { Features } from '../types.js';
import { hash64, hashInts, hashRange, hashString, hex32 } from './hash.js';

export interface TextOptions {
  /** lower-case before hashing/shingling */
  lowercase: boolean;
  /** collapse runs of whitespace to one space and trim */
  collapseWhitespace: boolean;
  /** drop Unicode punctuation and symbols before shingling (off by default) */
  stripPunctuation: boolean;
  /** Unicode normalisation form applied first */
  unicode: 'NFC' | 'NFKC' | 'none';
  /** shingle unit and size: word 5-grams by default */
  shingleUnit: 'word' | 'char';
  shingleSize: number;
  /** seed of every text hash (token ids, shingles, exact hash) */
  seed: number;
}

export const TEXT_DEFAULTS: TextOptions = {
  lowercase: true,
  collapseWhitespace: true,
  stripPunctuation: false,
  unicode: 'NFC',
  shingleUnit: 'word',
  shingleSize: 5,
  seed: 1,
};

const WS = /\s+/gu;
const PUNCT = /[\p{P}\p{S}]+/gu;
// Fast check: pure ASCII strings are already NFC/NFKC.
const NON_ASCII = /[^\x00-\x7f]/;

export function normalize(text: string, o: TextOptions): string {
  let s = text;
  if (o.unicode !== 'none' && NON_ASCII.test(s)) s = s.normalize(o.unicode);
  if (o.lowercase) s = s.toLowerCase();
  if (o.stripPunctuation) s = s.replace(PUNCT, ' ');
  if (o.collapseWhitespace) s = s.replace(WS, ' ').trim();
  return s;
}

/** Sort and de-duplicate a Uint32Array in place; returns the unique prefix view. */
export function uniqueSorted(a: Uint32Array): Uint32Array {
  if (a.length < 2) return a;
  a.sort();
  let w = 1;
  for (let i = 1; i < a.length; i++) if (a[i] !== a[w - 1]) a[w++] = a[i]!;
  return a.subarray(0, w);
}

export function wordShingles(wordHashes: Uint32Array, size: number, seed: number): Uint32Array {
  const n = wordHashes.length - size + 1;
  if (n <= 0) return new Uint32Array(0);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = hashInts(wordHashes, i, size, seed);
  return uniqueSorted(out);
}

export function charShingles(norm: string, size: number, seed: number): Uint32Array {
  const n = norm.length - size + 1;
  if (n <= 0) return new Uint32Array(0);
  const out = new Uint32Array(n);
  for (let i = 0; i < n; i++) out[i] = hashRange(norm, i, size, seed);
  return uniqueSorted(out);
}

class LazyFeatures implements Features {
  private _norm?: string;
  private _words?: string[];
  private _wordHashes?: Uint32Array;
  private _exact?: Uint32Array;
  private _exactHex?: string;
  private _shingles?: Uint32Array;
  private _bytes = -1;

  constructor(readonly text: string, private readonly o: TextOptions) {}

  get norm(): string {
    return (this._norm ??= normalize(this.text, this.o));
  }
  get words(): readonly string[] {
    if (this._words === undefined) {
      const n = this.norm;
      this._words = n.length === 0 ? [] : this.o.collapseWhitespace ? n.split(' ') : n.split(/\s+/u).filter(Boolean);
    }
    return this._words;
  }
  get wordHashes(): Uint32Array {
    if (this._wordHashes === undefined) {
      const w = this.words;
      const h = new Uint32Array(w.length);
      for (let i = 0; i < w.length; i++) h[i] = hashString(w[i]!, this.o.seed);
      this._wordHashes = h;
    }
    return this._wordHashes;
  }
  get exactHash(): Uint32Array {
    return (this._exact ??= hash64(this.norm, this.o.seed));
  }
  get exactHex(): string {
    return (this._exactHex ??= hex32(this.exactHash[0]!) + hex32(this.exactHash[1]!));
  }
  get shingles(): Uint32Array {
    if (this._shingles === undefined) {
      this._shingles =
        this.o.shingleUnit === 'word'
          ? wordShingles(this.wordHashes, this.o.shingleSize, this.o.seed ^ 0x5bd1e995)
          : charShingles(this.norm, this.o.shingleSize, this.o.seed ^ 0x5bd1e995);
    }
    return this._shingles;
  }
  get byteLength(): number {
    if (this._bytes < 0) this._bytes = Buffer.byteLength(this.text, 'utf8');
    return this._bytes;
  }
}

export type Featurizer = (text: string) => Features;

export function createFeaturizer(opts: Partial<TextOptions> = {}): Featurizer {
  const o: TextOptions = { ...TEXT_DEFAULTS, ...opts };
  return (text: string) => new LazyFeatures(text, o);
}
