/**
 * In-memory near-duplicate index: banded LSH over MinHash signatures, in typed arrays only.
 *
 * Layout (all growable typed arrays; "slot" = insertion order, 0-based):
 *   ids[slot]             Uint32  caller's id of the record
 *   meta[slot]            Uint8   sketch shift / truncated flag / dead flag (see sketch.ts)
 *   next[slot*B + band]   Int32   chain link: previous entry (+1) with the same band key, 0 = end of chain
 *   bandTable             open-addressing map band key -> head entry + 1 of its chain (band-table.ts); one
 *                                 table for all bands (the band number is mixed into the key)
 *   verify = 'estimate':  sig16[slot*numPerm + lane]  Uint16  low 16 bits of each lane minimum (b-bit MinHash)
 *   verify = 'exact':     off[slot]..off[slot+1] into pool (Uint16 sketch codes, see sketch.ts)
 *
 * A query gathers the slots on its bands' chains, sorts them (slot order = insertion order = input order under
 * keep-first) and verifies them earliest first; the first whose similarity reaches the threshold is returned.
 * Removal marks the slot dead (lazily skipped by queries; the memory is reclaimed by a rebuild). The contract and
 * its parameters are in near-dup-index.ts, the snapshot format in memory-index-snapshot.ts.
 */
import { BandTable } from './band-table.js';
import { grown } from './grown.js';
import { bandKeys } from './lsh.js';
import { readSnapshot, writeSnapshot } from './memory-index-snapshot.js';
import { checkNearDupParams, type NearDupIndex, type NearDupIndexParams, type NearDupMatch } from './near-dup-index.js';
import { META_DEAD, META_TRUNCATED, encodeSketch, sizeBound, sketchJaccard } from './sketch.js';
import type { ByteWriter } from './bytes.js';

export type { NearDupIndex, NearDupIndexParams, NearDupMatch, VerifyMode } from './near-dup-index.js';

const TWO16 = 1 / 65536;

export class MemoryNearDupIndex implements NearDupIndex {
  readonly params: Readonly<NearDupIndexParams>;
  private slots = 0;
  private live = 0;
  private monotone = true;
  private ids = new Uint32Array(0);
  private meta = new Uint8Array(0);
  private next = new Int32Array(0);
  private bandTable = new BandTable();
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
    checkNearDupParams(p);
    this.params = Object.freeze(p);
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
      this.next[e] = this.bandTable.pushHead(keys[b]!, e + 1);
    }
    this.slots = slot + 1;
    this.live++;
  }

  query(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null {
    try {
      return this.queryUnsafe(sig, shingles);
    } catch {
      return null; // contract: never throws (malformed input => no match)
    }
  }

  private queryUnsafe(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch | null {
    let first: NearDupMatch | null = null;
    this.verifyCandidates(sig, shingles, (m) => {
      first = m;
      return false;
    });
    return first;
  }

  /** Every live record whose verified similarity reaches the threshold, earliest inserted first (the candidates
   * `query` would verify, all of them). Never throws (malformed input => none). */
  matches(sig: Uint32Array, shingles?: Uint32Array): NearDupMatch[] {
    const out: NearDupMatch[] = [];
    try {
      this.verifyCandidates(sig, shingles, (m) => {
        out.push(m);
        return true;
      });
    } catch {
      return [];
    }
    return out;
  }

  /** Verifies the signature's candidates earliest first, handing each match to `onMatch` until it returns false. */
  private verifyCandidates(sig: Uint32Array, shingles: Uint32Array | undefined, onMatch: (m: NearDupMatch) => boolean): void {
    const n = this.gather(sig, shingles);
    const list = this.cand;
    const exact = this.params.verify === 'exact';
    const t = this.params.threshold;
    let prev = -1;
    for (let c = 0; c < n; c++) {
      const slot = list[c]!;
      if (slot === prev) continue;
      prev = slot;
      this.nVerified++;
      const sim = exact ? this.sketchSim(slot, shingles!, t) : this.estimateSim(slot, sig);
      if (sim >= t && !onMatch({ id: this.ids[slot]!, similarity: sim })) return;
    }
  }

  /** The live slots sharing a band with the signature, sorted (duplicates adjacent), in `this.cand[0..n)`. */
  private gather(sig: Uint32Array, shingles?: Uint32Array): number {
    const p = this.params;
    if (this.live === 0) return 0;
    if (!(sig instanceof Uint32Array) || sig.length < this.lanesNeeded) return 0;
    if (p.verify === 'exact' && !(shingles instanceof Uint32Array && shingles.length > 0)) return 0;
    const B = p.bands;
    this.nQueries++;
    const keys = bandKeys(sig, B, p.rows, p.seed, this.keys);
    const next = this.next;
    const meta = this.meta;
    let cand = this.cand;
    let n = 0;
    const cap = p.maxCandidates;
    outer: for (let b = 0; b < B; b++) {
      let e = this.bandTable.head(keys[b]!) - 1;
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
    if (n > 1) cand.subarray(0, n).sort();
    return n;
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
      this.bandTable.cells.byteLength +
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
      table: this.bandTable.cells.byteLength,
      tableKeys: this.bandTable.keys,
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
    const t = this.bandTable;
    const { slots, live, monotone, ids, meta, next, sig16, off, pool, poolLen } = this;
    return writeSnapshot(this.params, { slots, live, monotone, ids, meta, next, table: t.cells, tableCap: t.capacity, tableUsed: t.keys, sig16, off, pool, poolLen }, parts);
  }

  /** Inverse of `serialize`. Throws RangeError on a corrupt or truncated snapshot. */
  static deserialize(bytes: Uint8Array): MemoryNearDupIndex {
    const { params, arrays: a } = readSnapshot(bytes);
    const idx = new MemoryNearDupIndex(params);
    idx.slots = a.slots;
    idx.live = a.live;
    idx.monotone = a.monotone;
    idx.ids = a.ids;
    idx.meta = a.meta;
    idx.next = a.next;
    idx.bandTable = new BandTable(a.table, a.tableCap, a.tableUsed);
    idx.sig16 = a.sig16;
    idx.off = a.off;
    idx.pool = a.pool;
    idx.poolLen = a.poolLen;
    return idx;
  }
}

/** Backend-agnostic entry point for snapshots written by `MemoryNearDupIndex.serialize`. */
export function deserializeNearDupIndex(bytes: Uint8Array): MemoryNearDupIndex {
  return MemoryNearDupIndex.deserialize(bytes);
}
