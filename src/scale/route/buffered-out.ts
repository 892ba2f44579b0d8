/**
 * A file the route task writes through a buffer: written as `<path>.tmp` and renamed to `path` at close, so a
 * rerun of the task writes the same bytes and a reader never sees a part of it.
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

export class BufferedOut {
  private readonly fd: number;
  protected buf: Buffer;
  /** bytes of `buf` in use */
  protected n = 0;

  constructor(readonly path: string, bytes: number) {
    this.fd = openSync(`${path}.tmp`, 'w');
    this.buf = Buffer.allocUnsafe(bytes);
  }

  /** Make room for `len` more bytes at `this.n` (writing out what the buffer holds; growing it for a large item). */
  protected reserve(len: number): void {
    if (this.n + len <= this.buf.length) return;
    this.flush();
    if (len > this.buf.length) this.buf = Buffer.allocUnsafe(len);
  }

  private flush(): void {
    let off = 0;
    while (off < this.n) off += writeSync(this.fd, this.buf, off, this.n - off);
    this.n = 0;
  }

  close(): void {
    this.flush();
    closeSync(this.fd);
    renameSync(`${this.path}.tmp`, this.path);
  }
}
