/**
 * A set of record seqs (a night's input order) as a bitset: one bit per record of the night instead of a Set
 * entry per member (the routed night's accepted records: most of the night).
 */
export class SeqSet implements Iterable<number> {
  private bits = new Uint32Array(1024);
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(s: number): this {
    const w = s >>> 5;
    if (w >= this.bits.length) {
      const b = new Uint32Array(Math.max(w + 1, this.bits.length * 2));
      b.set(this.bits);
      this.bits = b;
    }
    const m = 1 << (s & 31);
    if ((this.bits[w]! & m) === 0) {
      this.bits[w] = this.bits[w]! | m;
      this.count++;
    }
    return this;
  }

  has(s: number): boolean {
    const w = s >>> 5;
    return w < this.bits.length && (this.bits[w]! & (1 << (s & 31))) !== 0;
  }

  /** the seqs in increasing order */
  *[Symbol.iterator](): IterableIterator<number> {
    for (let w = 0; w < this.bits.length; w++) {
      let x = this.bits[w]!;
      while (x !== 0) {
        const low = x & -x;
        yield (w << 5) + (31 - Math.clz32(low));
        x ^= low;
      }
    }
  }
}
