/**
 * Row files: the on-disk unit of the batch dedup (src/scale/bands). A row file is a headerless sequence of rows of
 * `width` little-endian u32 words, usually sorted by their first `keyWords` words (a "run"). Readers and writers
 * buffer 64 KiB; a k-way merge over several runs yields their rows in key order, ties broken by input position, so
 * the merged order depends only on the multiset of rows when whole rows are the key. A merge shares 16 MiB of read
 * buffers between its runs (4 KiB each at least): a night's reduce and cluster tasks merge one run per input part.
 */
import { closeSync, openSync, readSync, writeSync, fstatSync } from 'node:fs';

/** bytes of a reader's (and a writer's) buffer */
export const READ_BUFFER_BYTES = 64 * 1024;
const BUF_BYTES = READ_BUFFER_BYTES;
/** read buffers of one k-way merge, in all, and the least each run gets */
const MERGE_BUFFER_BYTES = 16 * 1024 * 1024;
const MERGE_MIN_BUFFER_BYTES = 4096;

/** -1 / 0 / 1 comparing rows a[ai..] and b[bi..] on their first `n` words (unsigned). */
export function compareRows(a: Uint32Array, ai: number, b: Uint32Array, bi: number, n: number): number {
  for (let k = 0; k < n; k++) {
    const x = a[ai + k]!;
    const y = b[bi + k]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

export class RowWriter {
  private readonly fd: number;
  private readonly buf: Uint32Array;
  private n = 0;
  rows = 0;

  constructor(
    path: string,
    readonly width: number,
  ) {
    this.fd = openSync(path, 'w');
    this.buf = new Uint32Array(Math.max(width, Math.floor(BUF_BYTES / 4 / width) * width));
  }

  /** Append one row: `width` words of `src` from `at`. */
  write(src: ArrayLike<number>, at = 0): void {
    if (this.n + this.width > this.buf.length) this.flush();
    for (let k = 0; k < this.width; k++) this.buf[this.n + k] = src[at + k]!;
    this.n += this.width;
    this.rows++;
  }

  private flush(): void {
    if (this.n === 0) return;
    const bytes = new Uint8Array(this.buf.buffer, 0, this.n * 4);
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.n = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/** Sequential reader: `next()` moves to the next row, readable in `row` (one array per reader, overwritten by the
 * next call: reading allocates nothing per row). */
export class RowReader {
  private readonly fd: number;
  private readonly buf: Uint32Array;
  private readonly bytes: Uint8Array;
  private have = 0; // words in buf
  private at = 0; // word offset of the current row
  private pos = 0; // file byte offset of the next read
  readonly row: Uint32Array;

  constructor(
    path: string,
    readonly width: number,
    bufferBytes: number = BUF_BYTES,
  ) {
    this.fd = openSync(path, 'r');
    const size = fstatSync(this.fd).size;
    if (size % (width * 4) !== 0) {
      closeSync(this.fd);
      throw new Error(`row file ${path}: ${size} bytes is not a whole number of ${width}-word rows`);
    }
    this.buf = new Uint32Array(Math.max(width, Math.floor(bufferBytes / 4 / width) * width));
    this.bytes = new Uint8Array(this.buf.buffer);
    this.at = -width;
    this.row = new Uint32Array(width);
  }

  next(): boolean {
    this.at += this.width;
    if (this.at + this.width > this.have) {
      const got = readSync(this.fd, this.bytes, 0, this.bytes.length, this.pos);
      this.pos += got;
      this.have = got >>> 2;
      this.at = 0;
      if (this.have < this.width) return false;
    }
    const { buf, row, at } = this;
    for (let k = 0; k < this.width; k++) row[k] = buf[at + k]!;
    return true;
  }

  close(): void {
    closeSync(this.fd);
  }
}

/** K-way merge of sorted runs (binary heap on the current rows; ties go to the earlier run). */
export class MergeReader {
  private readonly readers: RowReader[];
  private heap: number[] = [];
  /** the current row (a copy, valid until the next call) */
  readonly row: Uint32Array;

  constructor(
    paths: readonly string[],
    readonly width: number,
    private readonly keyWords: number,
  ) {
    const each = Math.max(MERGE_MIN_BUFFER_BYTES, Math.min(BUF_BYTES, Math.floor(MERGE_BUFFER_BYTES / Math.max(1, paths.length))));
    this.readers = paths.map((p) => new RowReader(p, width, each));
    this.row = new Uint32Array(width);
    for (let i = 0; i < this.readers.length; i++) if (this.readers[i]!.next()) this.push(i);
  }

  private less(i: number, j: number): boolean {
    const c = compareRows(this.readers[i]!.row, 0, this.readers[j]!.row, 0, this.keyWords);
    return c < 0 || (c === 0 && i < j);
  }

  private push(i: number): void {
    const h = this.heap;
    h.push(i);
    let c = h.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!this.less(h[c]!, h[p]!)) break;
      [h[c], h[p]] = [h[p]!, h[c]!];
      c = p;
    }
  }

  private sift(): void {
    const h = this.heap;
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      const r = l + 1;
      let m = c;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === c) return;
      [h[c], h[m]] = [h[m]!, h[c]!];
      c = m;
    }
  }

  next(): boolean {
    const h = this.heap;
    if (h.length === 0) return false;
    const i = h[0]!;
    this.row.set(this.readers[i]!.row);
    if (this.readers[i]!.next()) this.sift();
    else {
      const last = h.pop()!;
      if (h.length) {
        h[0] = last;
        this.sift();
      }
    }
    return true;
  }

  close(): void {
    for (const r of this.readers) r.close();
  }
}

/** Merge sorted runs into one (`unique`: drop a row equal, on every word, to the one before). Returns the rows. */
export function mergeRuns(paths: readonly string[], out: string, width: number, keyWords: number, unique = false): number {
  const m = new MergeReader(paths, width, keyWords);
  const w = new RowWriter(out, width);
  const prev = new Uint32Array(width);
  let first = true;
  while (m.next()) {
    if (unique && !first && compareRows(m.row, 0, prev, 0, width) === 0) continue;
    w.write(m.row);
    prev.set(m.row);
    first = false;
  }
  m.close();
  w.close();
  return w.rows;
}

/** A sorted run read in increasing order of its first word, for streaming joins: `seek(key)` moves past rows with a
 * smaller first word and returns the row whose first word is `key` (a view, valid until the next call), or null. */
export class KeyCursor {
  private readonly r: RowReader;
  private live: boolean;

  constructor(path: string, width: number) {
    this.r = new RowReader(path, width);
    this.live = this.r.next();
  }

  seek(key: number): Uint32Array | null {
    while (this.live && this.r.row[0]! < key) this.live = this.r.next();
    return this.live && this.r.row[0] === key ? this.r.row : null;
  }

  close(): void {
    this.r.close();
  }
}
