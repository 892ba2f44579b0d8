/**
 * Compact exact-duplicate set: 64-bit keys (hi, lo) -> record slot, open addressing with linear probing in one
 * Uint32Array of [hi, lo, slot + 1] triples (0 in the third word marks an empty cell). Deletion shifts the
 * following cluster back, so there are no tombstones. Load is kept <= 0.7; 12 bytes per cell.
 */
import { ByteReader, ByteWriter } from './bytes.js';

const MAX_LOAD = 0.7;

function home(hi: number, lo: number, mask: number): number {
  // keys are already hashes: fold the halves and mix once more for safety against structured inputs
  let h = (lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h & mask;
}

export class ExactSet {
  private cells: Uint32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity) cap *= 2;
    this.cells = new Uint32Array(cap * 3);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Bytes held by the table. */
  bytes(): number {
    return this.cells.byteLength;
  }

  /** Slot stored for (hi, lo), or -1. */
  get(hi: number, lo: number): number {
    const c = this.cells;
    const mask = this.mask;
    hi >>>= 0;
    lo >>>= 0;
    for (let i = home(hi, lo, mask); ; i = (i + 1) & mask) {
      const v = c[i * 3 + 2]!;
      if (v === 0) return -1;
      if (c[i * 3 + 1] === lo && c[i * 3] === hi) return v - 1;
    }
  }

  /** Insert (hi, lo) -> slot if absent (keep-first). Returns the slot now stored for the key. */
  add(hi: number, lo: number, slot: number): number {
    if (!Number.isInteger(slot) || slot < 0 || slot >= 0xffffffff) throw new RangeError(`exact-set: bad slot ${slot}`);
    if ((this.count + 1) > (this.mask + 1) * MAX_LOAD) this.grow();
    const c = this.cells;
    const mask = this.mask;
    hi >>>= 0;
    lo >>>= 0;
    for (let i = home(hi, lo, mask); ; i = (i + 1) & mask) {
      const v = c[i * 3 + 2]!;
      if (v === 0) {
        c[i * 3] = hi;
        c[i * 3 + 1] = lo;
        c[i * 3 + 2] = slot + 1;
        this.count++;
        return slot;
      }
      if (c[i * 3 + 1] === lo && c[i * 3] === hi) return v - 1;
    }
  }

  /** Remove a key; returns whether it was present. Backward-shift deletion keeps probe chains intact. */
  delete(hi: number, lo: number): boolean {
    const c = this.cells;
    const mask = this.mask;
    hi >>>= 0;
    lo >>>= 0;
    let i = home(hi, lo, mask);
    for (; ; i = (i + 1) & mask) {
      const v = c[i * 3 + 2]!;
      if (v === 0) return false;
      if (c[i * 3 + 1] === lo && c[i * 3] === hi) break;
    }
    // i is the hole; pull back any later entry whose home does not lie cyclically in (i, j]
    let j = i;
    for (;;) {
      j = (j + 1) & mask;
      if (c[j * 3 + 2] === 0) break;
      const k = home(c[j * 3]!, c[j * 3 + 1]!, mask);
      const inRange = i <= j ? i < k && k <= j : i < k || k <= j;
      if (inRange) continue;
      c[i * 3] = c[j * 3]!;
      c[i * 3 + 1] = c[j * 3 + 1]!;
      c[i * 3 + 2] = c[j * 3 + 2]!;
      i = j;
    }
    c[i * 3] = 0;
    c[i * 3 + 1] = 0;
    c[i * 3 + 2] = 0;
    this.count--;
    return true;
  }

  private grow(): void {
    const old = this.cells;
    const cap = (this.mask + 1) * 2;
    this.cells = new Uint32Array(cap * 3);
    this.mask = cap - 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 3) {
      const v = old[i + 2]!;
      if (v !== 0) this.add(old[i]!, old[i + 1]!, v - 1);
    }
  }

  /** Visit every (hi, lo, slot). */
  forEach(fn: (hi: number, lo: number, slot: number) => void): void {
    const c = this.cells;
    for (let i = 0; i < c.length; i += 3) if (c[i + 2] !== 0) fn(c[i]!, c[i + 1]!, c[i + 2]! - 1);
  }

  write(w: ByteWriter): void {
    w.u32(this.mask + 1);
    w.u32(this.count);
    w.array(this.cells);
  }

  static read(r: ByteReader): ExactSet {
    const cap = r.u32();
    const count = r.u32();
    if (cap < 16 || (cap & (cap - 1)) !== 0 || count >= cap) throw new RangeError('exact-set: corrupt header');
    const cells = r.u32array(cap * 3);
    const s = new ExactSet(16);
    s.cells = cells;
    s.mask = cap - 1;
    let n = 0;
    for (let i = 2; i < cells.length; i += 3) if (cells[i] !== 0) n++;
    if (n !== count) throw new RangeError('exact-set: corrupt body');
    s.count = count;
    return s;
  }
}
