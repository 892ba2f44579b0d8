/**
 * In-memory near-duplicate index: banded LSH over MinHash signatures, in typed arrays only.
 *
 * Layout (all growable typed arrays; "slot" = insertion order, 0-based):
 *   ids[slot]             Uint32  caller's id of the record
 *   meta[slot]            Uint8   sketch shift / truncated flag / dead flag (see sketch.ts)
 *   next[slot*B + band]   Int32   chain link: previous entry (+1) with the same band key, 0 = end of chain
 *   table                 Int32   open-addressing map (linear probing, load 0.47-0.75, any capacity), cells
 *                                 [key, head entry + 1]; one table for all bands (the band number is mixed
 *                                 into the key)
 *   verify = 'estimate':  sig16[slot*numPerm + lane]  Uint16  low 16 bits of each lane minimum (b-bit MinHash)
 *   verify = 'exact':     off[slot]..off[slot+1] into pool (Uint16 sketch codes, see sketch.ts)
 *
 * A query gathers the slots on its bands' chains, sorts them (slot order = insertion order = input order under
 * keep-first) and verifies them earliest first; the first whose similarity reaches the threshold is returned.
 * Removal marks the slot dead (lazily skipped by queries; the memory is reclaimed by a rebuild).
 */
import { ByteReader, ByteWriter } from './bytes.js';
import { bandKeys } from './lsh.js';
import { META_DEAD, META_TRUNCATED, encodeSketch, sizeBound, sketchJaccard } from './sketch.js';

export interface NearDupMatch {
  /** the caller's id of the matched record */
  id: number;
  /** verified similarity (Jaccard: exact on the sketch, or the signature estimate) */
  similarity: number;
}

/**
 * The contract every near-duplicate backend implements (memory now; file and Redis later).
 * Ids are non-negative integers < 2^32 chosen by the caller; "earliest" means first inserted.
 */
export interface NearDupIndex {
  /** live (not removed) records */
  readonly size: number;
  /** Earliest inserted live record whose verified similarity >= threshold, or null. Never throws. */
  query(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null;
  /** Index a record. `shingles` (sorted unique hashes) is required when verify = 'exact'. */
  insert(id: number, sig: Uint32Array, shingles?: Uint32Array): void;
  /** Forget a record; returns whether it was present. */
  remove?(id: number): boolean;
  /** Bytes retained (allocated typed arrays) per live record. */
  bytesPerRecord(): number;
  /** Plain little-endian byte layout, readable by `deserializeNearDupIndex`. */
  serialize(): Uint8Array;
}

export type VerifyMode = 'estimate' | 'exact';

export interface NearDupIndexParams {
  numPerm: number;
  bands: number;
  rows: number;
  threshold: number;
  verify: VerifyMode;
  /** seed of the band-key hash */
  seed: number;
  /** K of the bottom-K shingle sketch (exact verification) */
  sketchSize: number;
  /** cap on the candidates gathered per query (bounds the work on pathological chains) */
  maxCandidates: number;
}

const MAGIC = new TextEncoder().encode('SFNDIX02'); // 02: table of any capacity, scaled home cell
/** Band table load bounds: grow by TABLE_GROWTH when the load passes MAX_LOAD (so it stays in ~[0.47, 0.75]). */
const MAX_LOAD = 0.75;
const TABLE_GROWTH = 1.6;
const TWO16 = 1 / 65536;

function grown<T extends Uint8Array | Uint16Array | Uint32Array | Int32Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  let cap = Math.max(16, Math.ceil(a.length * 1.5));
  while (cap < need) cap = Math.ceil(cap * 1.5);
  const next = new (a.constructor as { new (n: number): T })(cap);
  next.set(a);
  return next;
}

/**
 * Home cell of a band key in a table of `cap` cells: the key's position in [0, 2^32) scaled to [0, cap)
 * (band keys are fmix32 outputs, uniformly spread). Any capacity works, so the table can grow by 1.6x
 * instead of doubling.
 */
function tableHome(key: number, cap: number): number {
  const i = Math.floor((key >>> 0) * (cap / 4294967296));
  return i < cap ? i : cap - 1;
}

export class MemoryNearDupIndex implements NearDupIndex {
  readonly params: Readonly<NearDupIndexParams>;
  private slots = 0;
  private live = 0;
  private monotone = true;
  private ids = new Uint32Array(0);
  private meta = new Uint8Array(0);
  private next = new Int32Array(0);
  private table: Int32Array;
  private tableCap: number;
  private tableUsed = 0;
  private sig16 = new Uint16Array(0);
  private off = new Uint32Array(1);
  private pool = new Uint16Array(0);
  private poolLen = 0;
  // scratch (not retained per record)
  private keys: Uint32Array;
  private cand = new Int32Array(64);
  // counters (not persisted): queries that reached the tables, candidates verified
  private nQueries = 0;
  private nVerified = 0;

  constructor(params: NearDupIndexParams) {
    const p = { ...params };
    if (!Number.isInteger(p.numPerm) || p.numPerm < 1 || p.numPerm > 4096) throw new RangeError(`near index: bad numPerm ${p.numPerm}`);
    if (!Number.isInteger(p.bands) || !Number.isInteger(p.rows) || p.bands < 1 || p.rows < 1 || p.bands * p.rows > p.numPerm) {
      throw new RangeError(`near index: bands x rows (${p.bands} x ${p.rows}) must be positive and fit numPerm ${p.numPerm}`);
    }
    if (!(p.threshold > 0 && p.threshold <= 1)) throw new RangeError(`near index: bad threshold ${p.threshold}`);
    if (p.verify !== 'estimate' && p.verify !== 'exact') throw new RangeError(`near index: bad verify ${String(p.verify)}`);
    if (!Number.isInteger(p.sketchSize) || p.sketchSize < 1 || p.sketchSize > 65535) throw new RangeError('near index: bad sketchSize');
    if (!Number.isInteger(p.maxCandidates) || p.maxCandidates < 1) throw new RangeError('near index: bad maxCandidates');
    this.params = Object.freeze(p);
    this.table = new Int32Array(2 * 1024);
    this.tableCap = 1024;
    this.keys = new Uint32Array(p.bands);
  }

  get size(): number {
    return this.live;
  }

  /** Lanes a signature must have: all of them for 'estimate', bands*rows for 'exact'. */
  get lanesNeeded(): number {
    return this.params.verify === 'estimate' ? this.params.numPerm : this.params.bands * this.params.rows;
  }

  insert(id: number, sig: Uint32Array, shingles?: Uint32Array): void {
    const p = this.params;
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) throw new RangeError(`near index: id must be an integer in [0, 2^32), got ${id}`);
    if (!(sig instanceof Uint32Array) || sig.length < this.lanesNeeded) throw new TypeError('near index: signature too short');
    if (p.verify === 'exact' && !(shingles instanceof Uint32Array)) throw new TypeError('near index: exact verification needs shingles');
    const slot = this.slots;
    if (slot >= 0x7fffffff / p.bands) throw new RangeError('near index: full');
    const B = p.bands;
    // per-slot arrays
    this.ids = grown(this.ids, slot + 1);
    this.meta = grown(this.meta, slot + 1);
    this.next = grown(this.next, (slot + 1) * B);
    if (slot > 0 && id <= this.ids[slot - 1]!) this.monotone = false;
    this.ids[slot] = id;
    let meta = 0;
    if (p.verify === 'estimate') {
      const k = p.numPerm;
      this.sig16 = grown(this.sig16, (slot + 1) * k);
      const s16 = this.sig16;
      const base = slot * k;
      for (let i = 0; i < k; i++) s16[base + i] = sig[i]! & 0xffff;
    } else {
      const sh = shingles!;
      const want = Math.min(sh.length, p.sketchSize);
      this.pool = grown(this.pool, this.poolLen + want);
      this.off = grown(this.off, slot + 2);
      const { count, meta: m } = encodeSketch(sh, p.sketchSize, this.pool, this.poolLen);
      this.poolLen += count;
      this.off[slot + 1] = this.poolLen;
      meta = m;
    }
    this.meta[slot] = meta;
    // band chains
    const keys = bandKeys(sig, B, p.rows, p.seed, this.keys);
    for (let b = 0; b < B; b++) {
      const e = slot * B + b;
      this.next[e] = this.pushHead(keys[b]!, e + 1);
    }
    this.slots = slot + 1;
    this.live++;
  }

  /** Set the chain head for `key` to `entryPlus1`; returns the previous head (+1) or 0. */
  private pushHead(key: number, entryPlus1: number): number {
    if (this.tableUsed + 1 > this.tableCap * MAX_LOAD) this.growTable();
    const t = this.table;
    const cap = this.tableCap;
    key |= 0;
    for (let i = tableHome(key, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const h = t[2 * i + 1]!;
      if (h === 0) {
        t[2 * i] = key;
        t[2 * i + 1] = entryPlus1;
        this.tableUsed++;
        return 0;
      }
      if (t[2 * i] === key) {
        t[2 * i + 1] = entryPlus1;
        return h;
      }
    }
  }

  private head(key: number): number {
    const t = this.table;
    const cap = this.tableCap;
    key |= 0;
    for (let i = tableHome(key, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const h = t[2 * i + 1]!;
      if (h === 0) return 0;
      if (t[2 * i] === key) return h;
    }
  }

  private growTable(): void {
    const old = this.table;
    const cap = Math.ceil(this.tableCap * TABLE_GROWTH);
    const t = new Int32Array(2 * cap);
    for (let c = 0; c < old.length; c += 2) {
      const h = old[c + 1]!;
      if (h === 0) continue;
      const key = old[c]!;
      let i = tableHome(key, cap);
      while (t[2 * i + 1] !== 0) i = i + 1 === cap ? 0 : i + 1;
      t[2 * i] = key;
      t[2 * i + 1] = h;
    }
    this.table = t;
    this.tableCap = cap;
  }

  query(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null {
    try {
      return this.queryUnsafe(sig, shingles);
    } catch {
      return null; // contract: never throws (malformed input => no match)
    }
  }

  private queryUnsafe(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null {
    const p = this.params;
    if (this.live === 0) return null;
    if (!(sig instanceof Uint32Array) || sig.length < this.lanesNeeded) return null;
    const exact = p.verify === 'exact';
    if (exact && !(shingles instanceof Uint32Array && shingles.length > 0)) return null;
    const B = p.bands;
    this.nQueries++;
    const keys = bandKeys(sig, B, p.rows, p.seed, this.keys);
    const next = this.next;
    const meta = this.meta;
    let cand = this.cand;
    let n = 0;
    const cap = p.maxCandidates;
    outer: for (let b = 0; b < B; b++) {
      let e = this.head(keys[b]!) - 1;
      while (e >= 0) {
        const slot = (e / B) | 0;
        if ((meta[slot]! & META_DEAD) === 0) {
          if (n === cand.length) cand = this.cand = grown(cand, n + 1);
          cand[n++] = slot;
          if (n >= cap) break outer;
        }
        e = next[e]! - 1;
      }
    }
    if (n === 0) return null;
    const list = cand.subarray(0, n);
    if (n > 1) list.sort();
    const t = p.threshold;
    let prev = -1;
    for (let c = 0; c < n; c++) {
      const slot = list[c]!;
      if (slot === prev) continue;
      prev = slot;
      this.nVerified++;
      const sim = exact ? this.sketchSim(slot, shingles!, t) : this.estimateSim(slot, sig);
      if (sim >= t) return { id: this.ids[slot]!, similarity: sim };
    }
    return null;
  }

  private estimateSim(slot: number, sig: Uint32Array): number {
    const k = this.params.numPerm;
    const s16 = this.sig16;
    const base = slot * k;
    let eq = 0;
    for (let i = 0; i < k; i++) if (s16[base + i] === (sig[i]! & 0xffff)) eq++;
    // b-bit correction: unequal minima still agree on 16 bits with probability 2^-16
    const est = (eq / k - TWO16) / (1 - TWO16);
    return est < 0 ? 0 : est > 1 ? 1 : est;
  }

  private sketchSim(slot: number, shingles: Uint32Array, t: number): number {
    const start = this.off[slot]!;
    const count = this.off[slot + 1]! - start;
    const m = this.meta[slot]!;
    // size filter: for complete sets, J <= min/max of the sizes
    if ((m & META_TRUNCATED) === 0 && shingles.length <= this.params.sketchSize && sizeBound(shingles.length, count) < t) return 0;
    return sketchJaccard(shingles, this.pool, start, count, m);
  }

  remove(id: number): boolean {
    const slot = this.slotOf(id);
    if (slot < 0) return false;
    this.meta[slot] = this.meta[slot]! | META_DEAD;
    this.live--;
    return true;
  }

  private slotOf(id: number): number {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff) return -1;
    const ids = this.ids;
    if (this.monotone) {
      let lo = 0;
      let hi = this.slots;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (ids[mid]! < id) lo = mid + 1;
        else hi = mid;
      }
      return lo < this.slots && ids[lo] === id && (this.meta[lo]! & META_DEAD) === 0 ? lo : -1;
    }
    for (let s = 0; s < this.slots; s++) if (ids[s] === id && (this.meta[s]! & META_DEAD) === 0) return s;
    return -1;
  }

  /** Allocated bytes of every retained array. */
  bytes(): number {
    return (
      this.ids.byteLength +
      this.meta.byteLength +
      this.next.byteLength +
      this.table.byteLength +
      this.sig16.byteLength +
      this.off.byteLength +
      this.pool.byteLength
    );
  }

  bytesPerRecord(): number {
    return this.live === 0 ? 0 : this.bytes() / this.live;
  }

  /** Byte breakdown (allocated) for reports. */
  stats(): Record<string, number> {
    return {
      records: this.live,
      slots: this.slots,
      ids: this.ids.byteLength,
      meta: this.meta.byteLength,
      chains: this.next.byteLength,
      table: this.table.byteLength,
      tableKeys: this.tableUsed,
      signatures: this.sig16.byteLength,
      sketchOffsets: this.off.byteLength,
      sketchPool: this.pool.byteLength,
      queries: this.nQueries,
      verified: this.nVerified,
    };
  }

  serialize(): Uint8Array {
    return this.write(false).finish();
  }

  /** The same bytes as `serialize`, as pieces: the large sections are views of the live arrays, not copies. Write
   * them out before the index changes. */
  serializeParts(): Uint8Array[] {
    return this.write(true).finishParts();
  }

  private write(parts: boolean): ByteWriter {
    const p = this.params;
    const sections = [this.ids.subarray(0, this.slots), this.meta.subarray(0, this.slots), this.next.subarray(0, this.slots * p.bands), this.table];
    const extra = p.verify === 'estimate' ? this.slots * p.numPerm * 2 : (this.slots + 1) * 4 + this.poolLen * 2;
    const w = new ByteWriter(256 + extra + sections.reduce((a, x) => a + x.byteLength + 16, 0), { parts });
    w.raw(MAGIC);
    w.u32(p.numPerm).u32(p.bands).u32(p.rows).u32(p.seed >>> 0).u32(p.verify === 'exact' ? 1 : 0);
    w.u32(p.sketchSize).u32(p.maxCandidates).f64(p.threshold);
    w.u32(this.slots).u32(this.live).u32(this.monotone ? 1 : 0).u32(this.tableCap).u32(this.tableUsed);
    w.array(this.ids.subarray(0, this.slots));
    w.array(this.meta.subarray(0, this.slots));
    w.array(this.next.subarray(0, this.slots * p.bands));
    w.array(this.table);
    if (p.verify === 'estimate') w.array(this.sig16.subarray(0, this.slots * p.numPerm));
    else {
      w.array(this.off.subarray(0, this.slots + 1));
      w.array(this.pool.subarray(0, this.poolLen));
    }
    return w;
  }

  /** Inverse of `serialize`. Throws RangeError on a corrupt or truncated snapshot. */
  static deserialize(bytes: Uint8Array): MemoryNearDupIndex {
    const r = new ByteReader(bytes);
    const magic = r.raw(MAGIC.length);
    if (!magic.every((b, i) => b === MAGIC[i])) throw new RangeError('near index: not a snapshot (bad magic)');
    const numPerm = r.u32();
    const bands = r.u32();
    const rows = r.u32();
    const seed = r.u32() | 0;
    const verify: VerifyMode = r.u32() === 1 ? 'exact' : 'estimate';
    const sketchSize = r.u32();
    const maxCandidates = r.u32();
    const threshold = r.f64();
    const idx = new MemoryNearDupIndex({ numPerm, bands, rows, seed, verify, sketchSize, maxCandidates, threshold });
    const slots = r.u32();
    const live = r.u32();
    const monotone = r.u32() === 1;
    const tableCap = r.u32();
    const tableUsed = r.u32();
    if (live > slots || tableCap < 16 || tableUsed >= tableCap) {
      throw new RangeError('near index: corrupt header');
    }
    idx.slots = slots;
    idx.live = live;
    idx.monotone = monotone;
    idx.ids = r.array(Uint32Array, slots);
    idx.meta = r.array(Uint8Array, slots);
    idx.next = r.array(Int32Array, slots * bands);
    idx.table = r.array(Int32Array, 2 * tableCap);
    idx.tableCap = tableCap;
    idx.tableUsed = tableUsed;
    if (verify === 'estimate') idx.sig16 = r.array(Uint16Array, slots * numPerm);
    else {
      idx.off = r.array(Uint32Array, slots + 1);
      idx.poolLen = idx.off[slots]!;
      idx.pool = r.array(Uint16Array, idx.poolLen);
    }
    // structural checks so a damaged snapshot cannot send queries out of bounds
    const maxEntry = slots * bands;
    for (let i = 0; i < idx.next.length; i++) if (idx.next[i]! < 0 || idx.next[i]! > maxEntry || idx.next[i]! > i) throw new RangeError('near index: corrupt chains');
    let used = 0;
    for (let c = 1; c < idx.table.length; c += 2) {
      if (idx.table[c]! < 0 || idx.table[c]! > maxEntry) throw new RangeError('near index: corrupt table');
      if (idx.table[c] !== 0) used++;
    }
    // an exact count also guarantees an empty cell, which every probe loop relies on to terminate
    if (used !== tableUsed) throw new RangeError('near index: corrupt table count');
    if (verify === 'exact') {
      if (idx.off[0] !== 0) throw new RangeError('near index: corrupt offsets');
      for (let s = 0; s < slots; s++) if (idx.off[s + 1]! < idx.off[s]!) throw new RangeError('near index: corrupt offsets');
    }
    let dead = 0;
    for (let s = 0; s < slots; s++) if ((idx.meta[s]! & META_DEAD) !== 0) dead++;
    if (slots - dead !== live) throw new RangeError('near index: corrupt live count');
    return idx;
  }
}

/** Backend-agnostic entry point for snapshots written by `MemoryNearDupIndex.serialize`. */
export function deserializeNearDupIndex(bytes: Uint8Array): MemoryNearDupIndex {
  return MemoryNearDupIndex.deserialize(bytes);
}
