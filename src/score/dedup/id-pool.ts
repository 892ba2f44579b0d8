/**
 * Slot -> record id strings, stored compactly: UTF-8 bytes of every id back to back in one growable Uint8Array,
 * plus a Uint32Array of end offsets. A 10-character ASCII id costs 14 bytes instead of a ~40-byte JS string and
 * array slot. Ids are decoded only when a duplicate is reported.
 */
import { ByteReader, ByteWriter } from './bytes.js';

const enc = new TextEncoder();
const dec = new TextDecoder();

export class IdPool {
  private bytes: Uint8Array = new Uint8Array(1024);
  private used = 0;
  private ends: Uint32Array = new Uint32Array(256);
  private n = 0;

  get size(): number {
    return this.n;
  }

  /** Append an id; returns its slot. */
  push(id: string): number {
    // fast path for ASCII ids, the common case
    let ascii = true;
    for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) > 0x7f) { ascii = false; break; }
    const bytes = ascii ? null : enc.encode(id);
    const len = ascii ? id.length : bytes!.length;
    if (this.used + len > this.bytes.length) {
      let cap = Math.ceil(this.bytes.length * 1.5);
      while (cap < this.used + len) cap = Math.ceil(cap * 1.5);
      const next = new Uint8Array(cap);
      next.set(this.bytes.subarray(0, this.used));
      this.bytes = next;
    }
    if (ascii) for (let i = 0; i < len; i++) this.bytes[this.used + i] = id.charCodeAt(i);
    else this.bytes.set(bytes!, this.used);
    this.used += len;
    if (this.n === this.ends.length) {
      const next = new Uint32Array(Math.ceil(this.ends.length * 1.5));
      next.set(this.ends);
      this.ends = next;
    }
    this.ends[this.n] = this.used;
    return this.n++;
  }

  get(slot: number): string {
    if (!(slot >= 0 && slot < this.n)) throw new RangeError(`id pool: no slot ${slot}`);
    const start = slot === 0 ? 0 : this.ends[slot - 1]!;
    const end = this.ends[slot]!;
    const b = this.bytes;
    let ascii = true;
    for (let i = start; i < end; i++) if (b[i]! > 0x7f) { ascii = false; break; }
    if (!ascii) return dec.decode(b.subarray(start, end));
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(b[i]!);
    return s;
  }

  /** Slots holding `id` (linear scan; used only by removal without features). */
  find(id: string): number[] {
    const want = enc.encode(id);
    const out: number[] = [];
    const b = this.bytes;
    for (let s = 0, start = 0; s < this.n; start = this.ends[s]!, s++) {
      const end = this.ends[s]!;
      if (end - start !== want.length) continue;
      let eq = true;
      for (let i = 0; i < want.length; i++) if (b[start + i] !== want[i]) { eq = false; break; }
      if (eq) out.push(s);
    }
    return out;
  }

  bytesRetained(): number {
    return this.bytes.byteLength + this.ends.byteLength;
  }

  write(w: ByteWriter): void {
    w.u32(this.n);
    w.array(this.ends.subarray(0, this.n));
    w.array(this.bytes.subarray(0, this.used));
  }

  static read(r: ByteReader): IdPool {
    const p = new IdPool();
    const n = r.u32();
    const ends = r.u32array(n);
    const bytes = r.array(Uint8Array);
    let prev = 0;
    for (let i = 0; i < n; i++) {
      if (ends[i]! < prev) throw new RangeError('id pool: corrupt offsets');
      prev = ends[i]!;
    }
    if (prev !== bytes.length) throw new RangeError('id pool: corrupt length');
    p.n = n;
    p.ends = n > 0 ? ends : new Uint32Array(256);
    p.bytes = bytes.length > 0 ? bytes : new Uint8Array(1024);
    p.used = bytes.length;
    return p;
  }
}
