/**
 * Open-addressing hash table keyed by a 64-bit hash given as two 32-bit halves, with an int32 value and an
 * int32 auxiliary slot per entry. Clearing is O(1) (generation stamps), so one table is reused across documents
 * and no per-n-gram objects or strings are allocated. Entries are interleaved in one Int32Array
 * (stamp, key1, key2, value) so a probe touches one cache line.
 *
 * The caller sizes the table with `reset(maxEntries)` before inserting at most `maxEntries` keys; the capacity is
 * kept at >= 2x that, so probing always ends and the table never grows mid-document.
 */
import { fmix32 as fmix32u } from '../../text/hash.js';
export class HashTable64 {
  private cap = 0;
  private mask = 0;
  /** [stamp, k1, k2, val] per slot */
  private d = new Int32Array(0);
  private gen = 0;
  /** per-slot auxiliary int (first position, ...); set by the caller after an insert */
  aux = new Int32Array(0);
  size = 0;

  reset(maxEntries: number): void {
    let need = 16;
    while (need < maxEntries * 2) need *= 2;
    if (need > this.cap) {
      this.cap = need;
      this.d = new Int32Array(need * 4);
      this.aux = new Int32Array(need);
      this.gen = 0;
    }
    // probe only the first `need` slots: a small document stays in a small, cache-resident part of the arrays
    this.mask = need - 1;
    this.gen++;
    if (this.gen === 0x7fffffff) {
      this.d.fill(0);
      this.gen = 1;
    }
    this.size = 0;
  }

  /**
   * Find the slot of key (h1, h2), inserting it when absent. Returns the slot index, or ~slot (a negative
   * number) when the key was inserted by this call; new entries have value 0.
   */
  upsert(h1: number, h2: number): number {
    const d = this.d;
    const gen = this.gen;
    const mask = this.mask;
    let i = (Math.imul(h1 ^ (h2 >>> 15), 0x2c1b3c6d) ^ h2) & mask;
    for (;;) {
      const o = i << 2;
      if (d[o] !== gen) {
        d[o] = gen;
        d[o + 1] = h1;
        d[o + 2] = h2;
        d[o + 3] = 0;
        this.size++;
        return ~i;
      }
      if (d[o + 1] === h1 && d[o + 2] === h2) return i;
      i = (i + 1) & mask;
    }
  }

  /** value of a slot */
  get(slot: number): number {
    return this.d[(slot << 2) + 3]!;
  }

  set(slot: number, v: number): void {
    this.d[(slot << 2) + 3] = v;
  }

  /** increment the value of a slot, returning the new value */
  inc(slot: number): number {
    return ++this.d[(slot << 2) + 3]!;
  }
}

/** murmur3 finaliser as a signed 32-bit value (the shared unsigned one is in text/hash.ts) */
export function fmix32(h: number): number {
  return fmix32u(h) | 0;
}
