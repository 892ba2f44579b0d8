/**
 * The ids of a night's records by seq, as UTF-8 bytes in one growing buffer with an end offset per seq: a few bytes
 * more than the ids' text per record, instead of a string and an object each. Seqs are added in increasing order;
 * a seq skipped (a quarantined record) has the empty id.
 */
export class RecordIds {
  private bytes: Buffer = Buffer.allocUnsafe(1 << 16);
  private ends = new Float64Array(1024);
  private used = 0;
  private count = 0;

  get length(): number {
    return this.count;
  }

  /** the id of record `seq` (at least every seq added before) */
  add(seq: number, id: string): void {
    if (seq < this.count) throw new RangeError(`record ids: seq ${seq} added after seq ${this.count - 1}`);
    const need = Buffer.byteLength(id);
    if (this.used + need > this.bytes.length) this.bytes = grown(this.bytes, this.used + need);
    this.used += this.bytes.write(id, this.used);
    if (seq >= this.ends.length) {
      const e = new Float64Array(Math.max(seq + 1, this.ends.length * 2));
      e.set(this.ends);
      this.ends = e;
    }
    const start = this.count > 0 ? this.ends[this.count - 1]! : 0;
    this.ends.fill(start, this.count, seq);
    this.ends[seq] = this.used;
    this.count = seq + 1;
  }

  get(seq: number): string {
    if (seq < 0 || seq >= this.count) throw new RangeError(`record ids: no seq ${seq} (${this.count} records)`);
    const start = seq > 0 ? this.ends[seq - 1]! : 0;
    return this.bytes.toString('utf8', start, this.ends[seq]!);
  }
}

function grown(b: Buffer, need: number): Buffer {
  const n = Buffer.allocUnsafe(Math.max(need, b.length * 2));
  b.copy(n);
  return n;
}
