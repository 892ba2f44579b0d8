/**
 * A word-level trigram language model with interpolated Kneser-Ney smoothing, small enough to train in about a
 * second on CPU. Token ids come from a shared `Vocab`; counts live in typed arrays and an open-addressing table.
 *
 *   P3(w | u v) = (max(c(u v w) - D3, 0) + D3 * N1+(u v .) * P2(w | v)) / c(u v .)          (P2 when c(u v .) = 0)
 *   P2(w | v)   = (max(N1+(. v w) - D2, 0) + D2 * N1+(v .) * P1(w)) / N1+(. v .)           (P1 when N1+(. v .) = 0)
 *   P1(w)       = (max(N1+(. w) - D1, 0) + D1 * N1+(. .) types * 1/O) / N1+(. .)
 *
 * N1+ are continuation counts (number of distinct left contexts), O is the number of predictable outcomes of the
 * shared vocabulary (every id except <s>). The uniform 1/O term is the unknown-word floor: a word the model never
 * saw (or <unk>) gets D1 * T1 / (N1+(. .) * O) at the lowest order, the same rule for every model of a run.
 * Discounts are estimated per order as n1 / (n1 + 2 n2) unless fixed by the caller.
 *
 * Sampling is truncated as deployed decoders are: top-k of the full interpolated distribution, then temperature.
 */
import { BOS, EOS, UNK } from './tokenize.js';
import type { Rng } from './rng.js';

/** Open-addressing count table keyed by non-negative integers below 2^53. */
class CountTable {
  private keys: Float64Array;
  private vals: Uint32Array;
  private mask: number;
  size = 0;

  constructor(capacity = 1 << 16) {
    let n = 1 << 4;
    while (n < capacity * 2) n <<= 1;
    this.keys = new Float64Array(n).fill(-1);
    this.vals = new Uint32Array(n);
    this.mask = n - 1;
  }

  private slot(key: number): number {
    const lo = key >>> 0;
    const hi = (key / 4294967296) >>> 0;
    let h = Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    let i = h & this.mask;
    const keys = this.keys;
    while (keys[i] !== -1 && keys[i] !== key) i = (i + 1) & this.mask;
    return i;
  }

  inc(key: number, by = 1): void {
    const i = this.slot(key);
    if (this.keys[i] === -1) {
      this.keys[i] = key;
      this.size++;
      if (this.size * 2 > this.mask) {
        this.vals[i] = by;
        this.grow();
        return;
      }
    }
    this.vals[i] += by;
  }

  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    const n = oldK.length * 2;
    this.keys = new Float64Array(n).fill(-1);
    this.vals = new Uint32Array(n);
    this.mask = n - 1;
    for (let i = 0; i < oldK.length; i++) {
      const k = oldK[i]!;
      if (k === -1) continue;
      const j = this.slot(k);
      this.keys[j] = k;
      this.vals[j] = oldV[i]!;
    }
  }

  /** Keys in ascending order and their counts. */
  sorted(): { keys: Float64Array; counts: Uint32Array } {
    const keys = new Float64Array(this.size);
    let n = 0;
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== -1) keys[n++] = this.keys[i]!;
    keys.sort();
    const counts = new Uint32Array(n);
    for (let i = 0; i < n; i++) counts[i] = this.vals[this.slot(keys[i]!)]!;
    return { keys, counts };
  }
}

/** Lowest index in sorted `a[lo, hi)` equal to `x`, or -1. */
function find(a: Int32Array, lo: number, hi: number, x: number): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const m = a[mid]!;
    if (m < x) lo = mid + 1;
    else if (m > x) hi = mid;
    else return mid;
  }
  return -1;
}

/** n1 / (n1 + 2 n2), clamped to a sane range. */
function estimateDiscount(counts: ArrayLike<number>): number {
  let n1 = 0;
  let n2 = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (c === 1) n1++;
    else if (c === 2) n2++;
  }
  if (n1 + 2 * n2 === 0) return 0.5;
  return Math.min(0.95, Math.max(0.05, n1 / (n1 + 2 * n2)));
}

export interface NgramOptions {
  /** fixed discounts [D1, D2, D3]; default: estimated from counts-of-counts */
  discounts?: [number, number, number];
}

export interface SampleOptions {
  topK: number;
  temperature: number;
  /** maximum tokens per sample (</s> excluded); generation stops there */
  maxLen: number;
}

interface TopList {
  ids: Int32Array;
  p: Float64Array;
}

export class TrigramKN {
  /** size of the id space (vocab.size) */
  readonly U: number;
  /** predictable outcomes (vocab.size - 1): the unknown-word floor is 1/O */
  readonly O: number;
  readonly discounts: [number, number, number];
  /** raw training token counts per id (</s> included, <s> excluded) */
  readonly tokenCounts: Uint32Array;
  readonly trainTokens: number;
  readonly trainDocs: number;
  /** lowest-order distribution, floor included; sums to 1 over every id except <s> */
  readonly p1: Float64Array;
  // bigram level (continuation counts), indexed by context v
  private readonly bStart: Int32Array;
  private readonly bLen: Int32Array;
  private readonly bTotal: Float64Array;
  private readonly bW: Int32Array;
  private readonly bN: Uint32Array;
  // trigram level (raw counts), contexts u*U+v
  private readonly tCtx = new Map<number, number>();
  private readonly tStart: Int32Array;
  private readonly tLen: Int32Array;
  private readonly tTotal: Float64Array;
  private readonly tW: Int32Array;
  private readonly tC: Uint32Array;

  private constructor(docs: readonly Int32Array[], vocabSize: number, opts: NgramOptions) {
    const U = vocabSize;
    if (U ** 3 >= 2 ** 53) throw new Error(`vocabulary too large for trigram keys: ${U}`);
    this.U = U;
    this.O = U - 1;
    // trigram counts
    const tri = new CountTable(1 << 16);
    const tokenCounts = new Uint32Array(U);
    let tokens = 0;
    for (const d of docs) {
      let u = BOS;
      let v = BOS;
      for (let i = 0; i <= d.length; i++) {
        const w = i < d.length ? d[i]! : EOS;
        if (w < 0 || w >= U || w === BOS) throw new Error(`token id out of range: ${w}`);
        tri.inc((u * U + v) * U + w);
        tokenCounts[w]!++;
        tokens++;
        u = v;
        v = w;
      }
    }
    this.tokenCounts = tokenCounts;
    this.trainTokens = tokens;
    this.trainDocs = docs.length;
    const T = tri.sorted();
    const nT = T.keys.length;
    this.tW = new Int32Array(nT);
    this.tC = T.counts;
    const starts: number[] = [];
    const lens: number[] = [];
    const totals: number[] = [];
    const big = new CountTable(Math.max(16, nT >> 1));
    let prevCtx = -1;
    for (let i = 0; i < nT; i++) {
      const key = T.keys[i]!;
      const ctx = Math.floor(key / U);
      const w = key - ctx * U;
      this.tW[i] = w;
      if (ctx !== prevCtx) {
        this.tCtx.set(ctx, starts.length);
        starts.push(i);
        lens.push(0);
        totals.push(0);
        prevCtx = ctx;
      }
      lens[lens.length - 1]!++;
      totals[totals.length - 1]! += T.counts[i]!;
      const v = ctx % U;
      big.inc(v * U + w);
    }
    this.tStart = Int32Array.from(starts);
    this.tLen = Int32Array.from(lens);
    this.tTotal = Float64Array.from(totals);
    // bigram continuation counts N1+(. v w)
    const B = big.sorted();
    const nB = B.keys.length;
    this.bW = new Int32Array(nB);
    this.bN = B.counts;
    this.bStart = new Int32Array(U);
    this.bLen = new Int32Array(U);
    this.bTotal = new Float64Array(U);
    const cont1 = new Float64Array(U);
    for (let i = 0; i < nB; i++) {
      const key = B.keys[i]!;
      const v = Math.floor(key / U);
      const w = key - v * U;
      this.bW[i] = w;
      if (this.bLen[v] === 0) this.bStart[v] = i;
      this.bLen[v]!++;
      this.bTotal[v]! += B.counts[i]!;
      cont1[w]!++;
    }
    // discounts
    const c1: number[] = [];
    for (let w = 0; w < U; w++) if (cont1[w]! > 0) c1.push(cont1[w]!);
    this.discounts = opts.discounts ?? [estimateDiscount(c1), estimateDiscount(B.counts), estimateDiscount(T.counts)];
    // lowest order with the uniform floor
    const D1 = this.discounts[0];
    const p1 = new Float64Array(U);
    const types1 = c1.length;
    if (nB === 0) {
      for (let w = 1; w < U; w++) p1[w] = 1 / this.O;
    } else {
      const floor = (D1 * types1) / nB / this.O;
      for (let w = 1; w < U; w++) p1[w] = Math.max(cont1[w]! - D1, 0) / nB + floor;
    }
    this.p1 = p1;
  }

  static train(docs: readonly Int32Array[], vocabSize: number, opts: NgramOptions = {}): TrigramKN {
    return new TrigramKN(docs, vocabSize, opts);
  }

  /** Did the model see `w` in training (so it carries more than the unknown-word floor)? */
  knows(w: number): boolean {
    return this.tokenCounts[w]! > 0;
  }

  /** Number of distinct ids seen in training. */
  get vocabUsed(): number {
    let n = 0;
    for (let w = 0; w < this.U; w++) if (this.tokenCounts[w]! > 0) n++;
    return n;
  }

  p2(w: number, v: number): number {
    const tot = this.bTotal[v]!;
    const p1 = this.p1[w]!;
    if (tot === 0) return p1;
    const s = this.bStart[v]!;
    const n = this.bLen[v]!;
    const i = find(this.bW, s, s + n, w);
    const c = i < 0 ? 0 : this.bN[i]!;
    const D2 = this.discounts[1];
    return (Math.max(c - D2, 0) + D2 * n * p1) / tot;
  }

  /** P(w | u v). */
  prob(w: number, u: number, v: number): number {
    const p2 = this.p2(w, v);
    const ci = this.tCtx.get(u * this.U + v);
    if (ci === undefined) return p2;
    const s = this.tStart[ci]!;
    const n = this.tLen[ci]!;
    const i = find(this.tW, s, s + n, w);
    const c = i < 0 ? 0 : this.tC[i]!;
    const D3 = this.discounts[2];
    return (Math.max(c - D3, 0) + D3 * n * p2) / this.tTotal[ci]!;
  }

  /** Sum of log P over a document's tokens plus </s>, and the number of predictions. */
  docLogProb(doc: ArrayLike<number>): { logp: number; n: number } {
    let u = BOS;
    let v = BOS;
    let logp = 0;
    for (let i = 0; i <= doc.length; i++) {
      const w = i < doc.length ? doc[i]! : EOS;
      logp += Math.log(this.prob(w, u, v));
      u = v;
      v = w;
    }
    return { logp, n: doc.length + 1 };
  }

  // ---- truncated sampling ----

  private stamp: Int32Array | null = null;
  private stampGen = 0;
  private topP1: Int32Array | null = null;
  private readonly top2Cache = new Map<string, TopList>();
  private readonly top3Cache = new Map<string, TopList>();

  private nextStamp(): Int32Array {
    this.stamp ??= new Int32Array(this.U);
    this.stampGen++;
    return this.stamp;
  }

  /** Keep the k most probable (ties: lower id) of the candidates; returns them in descending probability. */
  private static select(ids: number[], ps: number[], k: number): TopList {
    const order = ids.map((_, i) => i).sort((a, b) => ps[b]! - ps[a]! || ids[a]! - ids[b]!);
    const m = Math.min(k, order.length);
    const out: TopList = { ids: new Int32Array(m), p: new Float64Array(m) };
    for (let i = 0; i < m; i++) {
      out.ids[i] = ids[order[i]!]!;
      out.p[i] = ps[order[i]!]!;
    }
    return out;
  }

  private banned(w: number, banEos: boolean): boolean {
    return w === BOS || w === UNK || (banEos && w === EOS);
  }

  private top1(k: number): Int32Array {
    if (this.topP1 && this.topP1.length >= Math.min(k, this.U)) return this.topP1;
    const ids: number[] = [];
    const ps: number[] = [];
    for (let w = 0; w < this.U; w++) {
      if (this.banned(w, false)) continue;
      ids.push(w);
      ps.push(this.p1[w]!);
    }
    this.topP1 = TrigramKN.select(ids, ps, k).ids;
    return this.topP1;
  }

  /** Top-k of P2(. | v): by monotonicity the winners are among v's continuations and the top of P1. */
  private top2(v: number, k: number): TopList {
    const key = `${v}:${k}`;
    const hit = this.top2Cache.get(key);
    if (hit) return hit;
    const stamp = this.nextStamp();
    const g = this.stampGen;
    const ids: number[] = [];
    const ps: number[] = [];
    const s = this.bStart[v]!;
    const n = this.bTotal[v]! > 0 ? this.bLen[v]! : 0;
    const consider = (w: number) => {
      if (stamp[w] === g || this.banned(w, false)) return;
      stamp[w] = g;
      ids.push(w);
      ps.push(this.p2(w, v));
    };
    for (let i = s; i < s + n; i++) consider(this.bW[i]!);
    for (const w of this.top1(k)) consider(w);
    const out = TrigramKN.select(ids, ps, k);
    this.top2Cache.set(key, out);
    return out;
  }

  /** Top-k of P3(. | u v), with </s> banned at the first position (context <s> <s>). */
  topK(u: number, v: number, k: number): TopList {
    const ctx = u * this.U + v;
    const ci = this.tCtx.get(ctx);
    const n = ci === undefined ? 0 : this.tLen[ci]!;
    const key = `${ctx}:${k}`;
    if (n > 8) {
      const hit = this.top3Cache.get(key);
      if (hit) return hit;
    }
    const banEos = u === BOS && v === BOS;
    // k + 1 from the lower order so that banning </s> still leaves k
    const lower = this.top2(v, k + 1);
    const stamp = this.nextStamp();
    const g = this.stampGen;
    const ids: number[] = [];
    const ps: number[] = [];
    const consider = (w: number) => {
      if (stamp[w] === g || this.banned(w, banEos)) return;
      stamp[w] = g;
      ids.push(w);
      ps.push(this.prob(w, u, v));
    };
    if (ci !== undefined) {
      const s = this.tStart[ci]!;
      for (let i = s; i < s + n; i++) consider(this.tW[i]!);
    }
    for (const w of lower.ids) consider(w);
    const out = TrigramKN.select(ids, ps, k);
    if (n > 8) this.top3Cache.set(key, out);
    return out;
  }

  /** One document: top-k truncation, then temperature, until </s> or maxLen tokens. Never empty. */
  sample(rng: Rng, o: SampleOptions): Int32Array {
    const out: number[] = [];
    let u = BOS;
    let v = BOS;
    const inv = 1 / o.temperature;
    while (out.length < o.maxLen) {
      const t = this.topK(u, v, o.topK);
      if (t.ids.length === 0) break;
      let sum = 0;
      const wts = new Float64Array(t.ids.length);
      for (let i = 0; i < wts.length; i++) sum += wts[i] = inv === 1 ? t.p[i]! : Math.pow(t.p[i]!, inv);
      let r = rng.next() * sum;
      let j = 0;
      while (j < wts.length - 1 && r >= wts[j]!) r -= wts[j++]!;
      const w = t.ids[j]!;
      if (w === EOS) break;
      out.push(w);
      u = v;
      v = w;
    }
    return Int32Array.from(out);
  }

  /** Drop sampling caches (they grow with the contexts visited). */
  clearCaches(): void {
    this.top2Cache.clear();
    this.top3Cache.clear();
  }
}
