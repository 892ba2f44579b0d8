/**
 * Minimal little-endian byte layout for index snapshots: scalars (u32, f64), raw byte strings and typed-array
 * sections. A section is `u32 byteLength`, zero padding to an 8-byte boundary, then the array's bytes, so a
 * reader (or another backend, in any language) can map each section directly.
 */

/** The host stores typed arrays little-endian (every snapshot and model file is little-endian bytes). */
export const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array;
type TypedCtor<T extends Typed> = { new (length: number): T; new (buf: ArrayBuffer, off: number, len: number): T; BYTES_PER_ELEMENT: number };

/** Sections at least this large are referenced, not copied, by a writer in parts mode. */
const PART_MIN = 1 << 16;

export class ByteWriter {
  private buf: Uint8Array;
  private view: DataView;
  private len = 0;
  /** parts mode: bytes already handed to `parts` (the current buffer starts at this offset) */
  private flushed = 0;
  private readonly parts: Uint8Array[] | null;

  /**
   * `sizeHint`: expected total bytes, so a large snapshot is written without regrowing (each regrowth copies).
   * `parts`: large sections are not copied; `finishParts()` returns the byte string as a list of pieces (small
   * buffers of scalars and padding, and views of the large arrays themselves), for writing straight to a file.
   */
  constructor(sizeHint = 1024, opts: { parts?: boolean } = {}) {
    if (!LITTLE_ENDIAN) throw new Error('dedup snapshot: big-endian hosts are not supported');
    this.parts = opts.parts ? [] : null;
    this.buf = new Uint8Array(Math.max(64, this.parts ? Math.min(sizeHint, PART_MIN) : sizeHint));
    this.view = new DataView(this.buf.buffer);
  }

  /** Absolute position in the byte string being written. */
  private get pos(): number {
    return this.flushed + this.len;
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

  /** parts mode: move the current buffer into the parts list and start a new one */
  private flush(): void {
    if (this.len === 0) return;
    this.parts!.push(this.buf.subarray(0, this.len));
    this.flushed += this.len;
    this.buf = new Uint8Array(4096);
    this.view = new DataView(this.buf.buffer);
    this.len = 0;
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

  /** Section header: byte length, then zero padding to an 8-byte boundary. */
  private header(byteLength: number): void {
    this.u32(byteLength);
    const pad = (8 - (this.pos % 8)) % 8;
    this.ensure(pad);
    this.buf.fill(0, this.len, this.len + pad);
    this.len += pad;
  }

  /** A typed-array section (the whole view given). */
  array(a: Typed): this {
    this.header(a.byteLength);
    const bytes = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    if (this.parts && a.byteLength >= PART_MIN) {
      this.flush();
      this.parts.push(bytes);
      this.flushed += bytes.byteLength;
      return this;
    }
    this.ensure(a.byteLength);
    this.buf.set(bytes, this.len);
    this.len += a.byteLength;
    return this;
  }

  /** A byte section given as pieces (a nested snapshot from `finishParts`); same bytes as `array` of their concatenation. */
  pieces(list: Uint8Array[]): this {
    const n = list.reduce((a, p) => a + p.byteLength, 0);
    if (!this.parts) return this.array(concatParts(list, n));
    this.header(n);
    this.flush();
    for (const p of list) this.parts.push(p);
    this.flushed += n;
    return this;
  }

  /** The bytes written: a view, not a copy (a snapshot of a million records is ~0.6 GB). */
  finish(): Uint8Array {
    if (this.parts) return concatParts(this.finishParts(), this.pos);
    return this.buf.subarray(0, this.len);
  }

  /** parts mode: the byte string as pieces in order; the large ones are views of the writer's source arrays, so
   * write them out before those change. */
  finishParts(): Uint8Array[] {
    if (!this.parts) return [this.buf.subarray(0, this.len)];
    this.flush();
    return this.parts;
  }
}

/** One buffer holding `parts` in order. */
export function concatParts(parts: Uint8Array[], total = parts.reduce((a, p) => a + p.byteLength, 0)): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
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
