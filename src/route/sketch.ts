/**
 * Compact running statistics for the router: a count-min sketch of document frequencies over word hashes, a
 * saturating count table, and a topic-cluster key. All typed arrays; all deterministic.
 */
import { fmix32, hashString } from '../text/hash.js';

const WIDTH_BITS = 20; // 2 x 1M counters = 8 MB

/** Sorted distinct word hashes of a document (computed once per record by the router). */
export function distinct(words: Uint32Array): Uint32Array {
  const a = words.slice().sort(); // a typed-array copy (Uint32Array.from would iterate)
  let w = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[w - 1]) a[w++] = a[i]!;
  return a.subarray(0, w);
}

/** Document frequency of word hashes: count-min sketch, depth 2, conservative update. */
export class DocFreqSketch {
  readonly table = new Uint32Array(2 << WIDTH_BITS);
  private readonly mask = (1 << WIDTH_BITS) - 1;
  constructor(private readonly seed: number) {}

  // the two rows' slots are computed inline (no [a, b] pair per word): this runs for every word of every record
  // on the routing thread, and the table's cache misses are the rest of its cost
  estimate(h: number): number {
    const t = this.table;
    const x = t[h & this.mask]!;
    const y = t[(1 << WIDTH_BITS) + (fmix32(h ^ this.seed) & this.mask)]!;
    return x < y ? x : y;
  }

  /** Count one document; `d` is its distinct word hashes. */
  add(d: Uint32Array): void {
    const t = this.table;
    const mask = this.mask;
    const seed = this.seed;
    for (let i = 0; i < d.length; i++) {
      const h = d[i]!;
      const a = h & mask;
      const b = (1 << WIDTH_BITS) + (fmix32(h ^ seed) & mask);
      const x = t[a]!;
      const y = t[b]!;
      const m = x < y ? x : y;
      if (x === m) t[a] = m + 1;
      if (y === m) t[b] = m + 1;
    }
  }

  /** Share of a document's distinct words (`d`) whose document frequency is <= maxDf; null under minWords words. */
  rareShare(d: Uint32Array, maxDf: number, minWords: number): number | null {
    if (d.length < minWords || d.length === 0) return null;
    let rare = 0;
    for (let i = 0; i < d.length; i++) if (this.estimate(d[i]!) <= maxDf) rare++;
    return rare / d.length;
  }
}

/** Saturating 16-bit counters addressed by a 32-bit key (collisions only ever over-count). */
export class CountTable {
  private readonly t: Uint16Array;
  private readonly mask: number;
  constructor(size: number) {
    this.t = new Uint16Array(size);
    this.mask = size - 1;
  }
  get(key: number): number {
    return this.t[key & this.mask]!;
  }
  inc(key: number): void {
    const i = key & this.mask;
    if (this.t[i]! < 0xffff) this.t[i]!++;
  }
}

// Function words left out of topic keys (they say nothing about topic).
const STOP = `a about above after again against all am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here hers
herself him himself his how i if in into is it its itself just me more most my myself no nor not now of off on once
only or other our ours out over own same she should so some such than that the their theirs them themselves then
there these they this those through to too under until up very was we were what when where which while who whom why
will with would you your yours also one two may might must shall like get got just really well`.split(/\s+/);

/**
 * Topic-cluster key: two min-hashes over a document's distinct content words (function words removed). Two
 * documents share a key with probability ~J^2, J the Jaccard similarity of their content vocabularies, so
 * near-duplicates and same-topic texts group together while unrelated texts almost never do.
 */
export class ClusterKeyer {
  private readonly stop: Set<number>;
  constructor(private readonly seed: number, textSeed: number) {
    this.stop = new Set(STOP.map((w) => hashString(w, textSeed)));
  }
  key(f: { wordHashes: Uint32Array; wordSet?: Uint32Array }): number {
    let m1 = 0xffffffff;
    let m2 = 0xffffffff;
    let any = false;
    // minima over the words: the same on the word list and on its sorted set (cheaper when there)
    for (const h of f.wordSet ?? f.wordHashes) {
      if (this.stop.has(h)) continue;
      any = true;
      const a = fmix32(h ^ this.seed);
      const b = fmix32(h ^ (this.seed + 0x6a09e667));
      if (a < m1) m1 = a;
      if (b < m2) m2 = b;
    }
    return any ? fmix32(m1 ^ Math.imul(m2, 0x9e3779b1)) : 0;
  }
}
