/**
 * The one place text is normalised, tokenised and shingled. `createFeaturizer(opts)` returns a function that
 * builds a lazy `Features` object per record: each member is computed at most once and shared by all scorers.
 */
import type { Features } from '../types.js';
import { fmix32, hash64, hashInts, hashRange, hashString, hex32, mix32 } from './hash.js';

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

/** Unicode whitespace as JS `\s` defines it. */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

// lower-case of each BMP code unit, when it is one code unit; 0 = not computed yet, 0xffff = changes length
const LOWER = new Uint16Array(65536);
function lowerUnit(c: number): number {
  if (c < 0x80) return c >= 65 && c <= 90 ? c + 32 : c;
  let l = LOWER[c]!;
  if (l === 0) {
    const s = String.fromCharCode(c).toLowerCase();
    l = s.length === 1 ? s.charCodeAt(0) : 0xffff;
    LOWER[c] = l;
  }
  return l;
}

const mix = mix32;
const fmix = fmix32;

interface Scan {
  wordHashes: Uint32Array;
  exact: Uint32Array;
  nwords: number;
}

let scratch = new Uint32Array(1024);

/** Append a word hash to the shared scratch buffer (grown on demand); returns the new count. */
function pushWord(n: number, h: number): number {
  if (n === scratch.length) {
    const b = new Uint32Array(n * 2);
    b.set(scratch);
    scratch = b;
  }
  scratch[n] = h;
  return n + 1;
}

/**
 * One pass over the text's code units that yields exactly what `normalize` + split(' ') + hashString per word +
 * hash64(norm) would, without building the normalised string. Returns null when the fast path does not apply
 * (punctuation stripping, no whitespace collapsing, or a character whose lower case changes length); the caller
 * then takes the reference path.
 */
function scanFused(text: string, o: TextOptions): Scan | null {
  if (o.stripPunctuation || !o.collapseWhitespace) return null;
  const lower = o.lowercase;
  const seed = o.seed | 0;
  const sA = (seed ^ 0x9e3779b9) | 0;
  const sB = ((seed ^ 0x7f4a7c15) + 0x632be5ab) | 0;
  let hA = sA;
  let hB = sB;
  let pendE = -1; // pending code unit of the exact-hash pair
  let total = 0; // normalised length
  let w = seed; // word hash state
  let pendW = -1;
  let wlen = 0;
  let n = 0;
  let inWord = false;
  const len = text.length;
  for (let i = 0; i < len; i++) {
    let c = text.charCodeAt(i);
    if (isSpace(c)) {
      if (inWord) {
        if (pendW >= 0) w = mix(w, pendW);
        n = pushWord(n, fmix(w ^ wlen));
        inWord = false;
      }
      continue;
    }
    if (lower) {
      if (c >= 0xd800 && c <= 0xdbff) {
        // astral character: a few scripts (Deseret, Medefaidrin, ...) have case; take the reference path for them
        const pair = text.slice(i, i + 2);
        if (pair.toLowerCase() !== pair) return null;
      } else {
        c = lowerUnit(c);
        if (c === 0xffff) return null;
      }
    }
    if (!inWord) {
      inWord = true;
      w = seed;
      pendW = -1;
      wlen = 0;
      if (n > 0) {
        // the single space between words, in the exact hash
        if (pendE < 0) pendE = 0x20;
        else {
          const k = pendE | (0x20 << 16);
          hA = mix(hA, k);
          hB = mix(hB, k);
          pendE = -1;
        }
        total++;
      }
    }
    if (pendW < 0) pendW = c;
    else {
      w = mix(w, pendW | (c << 16));
      pendW = -1;
    }
    wlen++;
    if (pendE < 0) pendE = c;
    else {
      const k = pendE | (c << 16);
      hA = mix(hA, k);
      hB = mix(hB, k);
      pendE = -1;
    }
    total++;
  }
  if (inWord) {
    if (pendW >= 0) w = mix(w, pendW);
    n = pushWord(n, fmix(w ^ wlen));
  }
  if (pendE >= 0) {
    hA = mix(hA, pendE);
    hB = mix(hB, pendE);
  }
  const exact = new Uint32Array(2);
  exact[0] = fmix(hA ^ total);
  exact[1] = fmix(hB ^ total);
  return { wordHashes: scratch.slice(0, n), exact, nwords: n };
}

class LazyFeatures implements Features {
  wordSet?: Uint32Array;
  signature?: Uint32Array;
  private _norm?: string;
  private _words?: string[];
  private _wordHashes?: Uint32Array;
  private _exact?: Uint32Array;
  private _exactHex?: string;
  private _shingles?: Uint32Array;
  private _bytes = -1;
  private scanned = false;

  constructor(readonly text: string, private readonly o: TextOptions) {}

  /** Fused fast path for wordHashes + exactHash; leaves them unset when it does not apply. */
  private scan(): void {
    if (this.scanned) return;
    this.scanned = true;
    let t = this.text;
    if (this.o.unicode !== 'none' && NON_ASCII.test(t)) t = t.normalize(this.o.unicode);
    const r = scanFused(t, this.o);
    if (r) {
      this._wordHashes = r.wordHashes;
      this._exact = r.exact;
    }
  }

  preset(p: FeatureParts): void {
    this._bytes = p.byteLength;
    this._exact = p.exactHash;
    if (p.shingles) this._shingles = p.shingles;
    this.wordSet = p.wordSet;
    if (p.signature) this.signature = p.signature;
  }

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
    if (this._wordHashes === undefined) this.scan();
    if (this._wordHashes === undefined) {
      const w = this.words;
      const h = new Uint32Array(w.length);
      for (let i = 0; i < w.length; i++) h[i] = hashString(w[i]!, this.o.seed);
      this._wordHashes = h;
    }
    return this._wordHashes;
  }
  get exactHash(): Uint32Array {
    if (this._exact === undefined) this.scan();
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

/** Parts of a record's features computed elsewhere (the nightly job's scoring threads) and carried in its spool. */
export interface FeatureParts {
  byteLength: number;
  exactHash: Uint32Array;
  /** null: not computed (dedup off); computed lazily if ever read */
  shingles: Uint32Array | null;
  wordSet: Uint32Array;
  signature: Uint32Array | null;
}

/**
 * Features of `text` with the given parts already in place (anything else is still computed lazily from the text
 * by `featurize`'s options). The parts must come from the same text options, as the nightly job's spools do.
 */
export function presetFeatures(featurize: Featurizer, text: string, parts: FeatureParts): Features {
  const f = featurize(text) as LazyFeatures;
  f.preset(parts);
  return f;
}

export function createFeaturizer(opts: Partial<TextOptions> = {}): Featurizer {
  const o: TextOptions = { ...TEXT_DEFAULTS, ...opts };
  return (text: string) => new LazyFeatures(text, o);
}
