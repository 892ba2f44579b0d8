/**
 * Minimal little-endian byte layout for index snapshots: scalars (u32, f64), raw byte strings and typed-array
 * sections. A section is `u32 byteLength`, zero padding to an 8-byte boundary, then the array's bytes, so a
 * reader (or another backend, in any language) can map each section directly.
 */

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
type TypedCtor<T extends Typed> = { new (length: number): T; new (buf: ArrayBuffer, off: number, len: number): T; BYTES_PER_ELEMENT: number };

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;

  /** `sizeHint`: expected total bytes, so a large snapshot is written without regrowing (each regrowth copies). */
  constructor(sizeHint = 1024) {
    if (!LITTLE_ENDIAN) throw new Error('dedup snapshot: big-endian hosts are not supported');
    this.buf = new Uint8Array(Math.max(64, sizeHint));
    this.view = new DataView(this.buf.buffer);
  }

  private ensure(extra: number): void {
    if (this.len + extra <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + extra) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u32(x: number): this {
    this.ensure(4);
    this.view.setUint32(this.len, x >>> 0, true);
    this.len += 4;
    return this;
  }

  f64(x: number): this {
    this.ensure(8);
    this.view.setFloat64(this.len, x, true);
    this.len += 8;
    return this;
  }

  /** Raw bytes without a length prefix (magic strings). */
  raw(bytes: Uint8Array): this {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
    return this;
  }

  /** A typed-array section (the whole view given). */
  array(a: Typed): this {
    this.u32(a.byteLength);
    const pad = (8 - (this.len % 8)) % 8;
    this.ensure(pad + a.byteLength);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
    this.buf.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), this.len);
    this.len += a.byteLength;
    return this;
  }

  /** The bytes written: a view, not a copy (a snapshot of a million records is ~0.6 GB). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.len);
  }
}

/**
 * Snapshot buffers that belong to the reader alone (read fresh from disk, referenced nowhere else): their aligned
 * sections are returned as views instead of copies, so loading a million-record index does not copy ~0.6 GB twice.
 * Anything not marked is copied, so a caller's buffer is never aliased by the structure built from it.
 */
const OWNED = new WeakSet<Uint8Array>();

/** Hand a buffer over to snapshot readers (see OWNED): the caller must not use or mutate it afterwards. */
export function handOver(bytes: Uint8Array): Uint8Array {
  OWNED.add(bytes);
  return bytes;
}

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    if (!LITTLE_ENDIAN) throw new Error('dedup snapshot: big-endian hosts are not supported');
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.pos + n > this.bytes.length) throw new RangeError('dedup snapshot: truncated input');
  }

  u32(): number {
    this.need(4);
    const x = this.view.getUint32(this.pos, true);
    this.pos += 4;
    return x;
  }

  f64(): number {
    this.need(8);
    const x = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return x;
  }

  raw(n: number): Uint8Array {
    this.need(n);
    const out = this.bytes.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  /** Read a section into a fresh (aligned, owned) typed array; `length` (elements) is checked when given. */
  array<T extends Typed>(ctor: TypedCtor<T>, length?: number): T {
    const byteLength = this.u32();
    const pad = (8 - (this.pos % 8)) % 8;
    this.need(pad + byteLength);
    this.pos += pad;
    if (byteLength % ctor.BYTES_PER_ELEMENT !== 0) throw new RangeError('dedup snapshot: misaligned section');
    const n = byteLength / ctor.BYTES_PER_ELEMENT;
    if (length !== undefined && n !== length) throw new RangeError(`dedup snapshot: section has ${n} elements, expected ${length}`);
    const at = this.bytes.byteOffset + this.pos;
    let out: T;
    if (OWNED.has(this.bytes) && at % ctor.BYTES_PER_ELEMENT === 0) {
      out = new ctor(this.bytes.buffer as ArrayBuffer, at, n);
      if (out instanceof Uint8Array) OWNED.add(out); // a nested snapshot inside an owned one is owned too
    } else {
      out = new ctor(n);
      new Uint8Array(out.buffer).set(this.bytes.subarray(this.pos, this.pos + byteLength));
    }
    this.pos += byteLength;
    return out;
  }

  u32array(length?: number): Uint32Array {
    return this.array(Uint32Array, length);
  }

  get remaining(): number {
    return this.bytes.length - this.pos;
  }
}
