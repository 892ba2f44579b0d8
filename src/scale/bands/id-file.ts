/**
 * Id files: a list of strings (record ids) on disk, addressed by index, so the batch engine holds no id per record in
 * memory (issue 19). An id file `<path>` is two files:
 *   <path>      the ids' UTF-8 bytes back to back (no separators)
 *   <path>.end  one little-endian Float64 per id: the byte offset in <path> where the id ends
 * so id i is bytes [end[i-1], end[i]) (end[-1] = 0), and the count is the size of <path>.end / 8. The empty string
 * is a valid id (a quarantined record's). A writer buffers 64 KiB per file and writes under temporary names, then
 * renames (an id file appears whole, and a rerun writes the same bytes); a reader reads by position through one
 * block per file (64 KiB reading in order, 4 KiB at random; no whole-file load), and refuses a missing, cut short or
 * inconsistent file with E_STATE.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { SynthfilterError } from '../../errors.js';

const BLOCK_BYTES = 64 * 1024;
/** a read at random (not on from the last block) */
const SMALL_READ_BYTES = 4096;
const END_BYTES = 8;

export const endPath = (path: string): string => `${path}.end`;

/** Does an id file exist at `path` (both of its files)? */
export const idFileExists = (path: string): boolean => existsSync(path) && existsSync(endPath(path));

/** Ids by index: an id file, or any other source of the same shape (an older state's ids.json). */
export interface IdList {
  readonly count: number;
  get(i: number): string;
  close(): void;
}

/** Every id of `list`, in index order. */
export function* idsOf(list: IdList): Generator<string> {
  for (let i = 0; i < list.count; i++) yield list.get(i);
}

function writeAll(fd: number, bytes: Uint8Array, n: number): void {
  let off = 0;
  while (off < n) off += writeSync(fd, bytes, off, n - off);
}

export class IdFileWriter {
  private readonly dataFd: number;
  private readonly endFd: number;
  private readonly data = Buffer.allocUnsafe(BLOCK_BYTES);
  private readonly ends = new Float64Array(BLOCK_BYTES / END_BYTES);
  private dataUsed = 0;
  private endsUsed = 0;
  private bytes = 0;
  private open = true;
  /** ids added so far */
  count = 0;

  constructor(readonly path: string) {
    this.dataFd = openSync(`${path}.tmp`, 'w');
    this.endFd = openSync(`${endPath(path)}.tmp`, 'w');
  }

  add(id: string): void {
    const n = Buffer.byteLength(id);
    if (this.dataUsed + n > this.data.length) this.flushData();
    if (n > this.data.length) writeAll(this.dataFd, Buffer.from(id), n);
    else this.dataUsed += this.data.write(id, this.dataUsed);
    this.bytes += n;
    if (this.endsUsed === this.ends.length) this.flushEnds();
    this.ends[this.endsUsed++] = this.bytes;
    this.count++;
  }

  private flushData(): void {
    writeAll(this.dataFd, this.data, this.dataUsed);
    this.dataUsed = 0;
  }

  private flushEnds(): void {
    writeAll(this.endFd, new Uint8Array(this.ends.buffer, 0, this.endsUsed * END_BYTES), this.endsUsed * END_BYTES);
    this.endsUsed = 0;
  }

  /** Write what is buffered and rename the file into place (the ends last: a reader checks them against the data). */
  close(): void {
    if (!this.open) return;
    this.flushData();
    this.flushEnds();
    this.closeFds();
    renameSync(`${this.path}.tmp`, this.path);
    renameSync(`${endPath(this.path)}.tmp`, endPath(this.path));
  }

  /** Give up: close and remove the temporary files (nothing appears at `path`). */
  abandon(): void {
    if (!this.open) return;
    this.closeFds();
    rmSync(`${this.path}.tmp`, { force: true });
    rmSync(`${endPath(this.path)}.tmp`, { force: true });
  }

  private closeFds(): void {
    this.open = false;
    closeSync(this.dataFd);
    closeSync(this.endFd);
  }
}

/** Write `ids` as an id file at `path`; returns how many. */
export function writeIdFile(path: string, ids: Iterable<string>): number {
  const w = new IdFileWriter(path);
  try {
    for (const id of ids) w.add(id);
  } catch (e) {
    w.abandon();
    throw e;
  }
  w.close();
  return w.count;
}

/** One block of a file read by position: `buf` holds bytes [start, start + len). */
class Block {
  readonly buf = Buffer.allocUnsafe(BLOCK_BYTES);
  start = 0;
  len = 0;
  constructor(private readonly fd: number) {}

  /** Bytes [from, to) of the file, through the block when they fit in one (the result is valid until the next call). */
  bytes(from: number, to: number): Buffer {
    if (from >= this.start && to <= this.start + this.len) return this.buf.subarray(from - this.start, to - this.start);
    if (to - from > this.buf.length) {
      const own = Buffer.allocUnsafe(to - from);
      return own.subarray(0, readFully(this.fd, own, to - from, from));
    }
    // reading on from the block (in order): a whole block ahead; a jump (random access): a small aligned read.
    // Aligned, so reading backwards or around one place reuses the block; from `from` when that would cut the bytes
    const onward = this.len > 0 && from >= this.start && from <= this.start + this.len;
    const size = onward || to - from > SMALL_READ_BYTES ? this.buf.length : SMALL_READ_BYTES;
    const aligned = from - (from % size);
    this.start = to <= aligned + size ? aligned : from;
    this.len = readFully(this.fd, this.buf, size, this.start);
    return this.buf.subarray(from - this.start, Math.min(this.len, to - this.start));
  }
}

function readFully(fd: number, buf: Buffer, n: number, position: number): number {
  let got = 0;
  for (;;) {
    const k = readSync(fd, buf, got, n - got, position + got);
    if (k === 0) return got;
    got += k;
    if (got === n) return got;
  }
}

export class IdFileReader implements IdList {
  private readonly dataFd: number;
  private readonly endFd: number;
  private readonly dataBytes: number;
  private readonly data: Block;
  private readonly ends: Block;
  readonly count: number;

  constructor(readonly path: string) {
    if (!idFileExists(path)) throw damaged(path, existsSync(path) ? `${endPath(path)} is missing` : 'it is missing');
    this.dataFd = openSync(path, 'r');
    this.endFd = openSync(endPath(path), 'r');
    this.data = new Block(this.dataFd);
    this.ends = new Block(this.endFd);
    this.dataBytes = fstatSync(this.dataFd).size;
    const endBytes = fstatSync(this.endFd).size;
    this.count = endBytes / END_BYTES;
    const last = this.count > 0 && Number.isInteger(this.count) ? this.endOf(this.count - 1) : 0;
    if (!Number.isInteger(this.count) || last !== this.dataBytes) {
      this.close();
      throw damaged(path, `${endBytes} bytes of end offsets for ${this.dataBytes} bytes of ids (cut short?)`);
    }
  }

  private endOf(i: number): number {
    return this.ends.bytes(i * END_BYTES, (i + 1) * END_BYTES).readDoubleLE(0);
  }

  get(i: number): string {
    if (!Number.isInteger(i) || i < 0 || i >= this.count) throw new RangeError(`id file ${this.path}: no id ${i} (${this.count} ids)`);
    const start = i > 0 ? this.endOf(i - 1) : 0;
    const end = this.endOf(i);
    if (!(start <= end && end <= this.dataBytes)) throw damaged(this.path, `id ${i} has bytes [${start}, ${end}) of ${this.dataBytes}`);
    return start === end ? '' : this.data.bytes(start, end).toString('utf8');
  }

  close(): void {
    closeSync(this.dataFd);
    closeSync(this.endFd);
  }
}

function damaged(path: string, why: string): SynthfilterError {
  return new SynthfilterError('E_STATE', `id file ${path}: ${why}`, path);
}

/** The ids of a night by seq over several id files (its parts in input order), each with its first seq. One file is
 * open at a time (the commit reads in seq order). */
export class SeqIds {
  private open: { at: number; reader: IdFileReader } | null = null;

  constructor(private readonly files: ReadonlyArray<{ path: string; first: number }>) {}

  idOf(seq: number): string {
    let lo = 0;
    let hi = this.files.length - 1;
    if (hi < 0 || seq < this.files[0]!.first) throw new RangeError(`record ids: no seq ${seq}`);
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.files[mid]!.first <= seq) lo = mid;
      else hi = mid - 1;
    }
    // parts with no records share their first seq with the next part: take the last one, which holds `seq` if any does
    if (this.open?.at !== lo) {
      this.close();
      this.open = { at: lo, reader: new IdFileReader(this.files[lo]!.path) };
    }
    const r = this.open.reader;
    const i = seq - this.files[lo]!.first;
    if (i >= r.count) throw new RangeError(`record ids: no seq ${seq} (${r.path} holds seqs ${this.files[lo]!.first}..${this.files[lo]!.first + r.count - 1})`);
    return r.get(i);
  }

  close(): void {
    this.open?.reader.close();
    this.open = null;
  }
}
