/**
 * One output file's records as the route task decided them, for the write task that writes the file: rows
 * [seq u32][annotation byte length u32][annotation JSON], little-endian, in the order the router finalised them.
 * Written under a temporary name and renamed at `close`, so a rerun of the route task writes the same bytes.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { BufferedOut } from './buffered-out.js';
import { SynthfilterError } from '../../errors.js';

const BUF = 1 << 20;

export class DestRowsWriter extends BufferedOut {
  rows = 0;

  constructor(path: string) {
    super(path, BUF);
  }

  add(seq: number, annotation: string): void {
    const len = Buffer.byteLength(annotation);
    this.reserve(8 + len);
    this.buf.writeUInt32LE(seq, this.n);
    this.buf.writeUInt32LE(len, this.n + 4);
    this.buf.write(annotation, this.n + 8, 'utf8');
    this.n += 8 + len;
    this.rows++;
  }
}

/** A destination's rows in order (sequential reads, 1 MiB at a time). */
export function* readDestRows(path: string): Generator<{ seq: number; annotation: string }> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SynthfilterError('E_STATE', `clean: the route task's output ${path} cannot be read: ${(e as Error).message}`);
  }
  try {
    let buf = Buffer.allocUnsafe(BUF);
    let have = 0;
    let at = 0;
    let eof = false;
    for (;;) {
      if (have - at < 8 || have - at < 8 + buf.readUInt32LE(at + 4)) {
        if (eof) {
          if (have > at) throw new SynthfilterError('E_STATE', `clean: the route task's output ${path} is truncated`);
          return;
        }
        const need = have - at >= 8 ? 8 + buf.readUInt32LE(at + 4) : 8;
        const next = need > buf.length ? Buffer.allocUnsafe(need + BUF) : buf;
        buf.copy(next, 0, at, have);
        have -= at;
        at = 0;
        buf = next;
        const n = readSync(fd, buf, have, buf.length - have, null);
        if (n === 0) eof = true;
        have += n;
        continue;
      }
      const seq = buf.readUInt32LE(at);
      const len = buf.readUInt32LE(at + 4);
      yield { seq, annotation: buf.toString('utf8', at + 8, at + 8 + len) };
      at += 8 + len;
    }
  } finally {
    closeSync(fd);
  }
}
