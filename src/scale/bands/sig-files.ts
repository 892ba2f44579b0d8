/**
 * Random access to signature rows by ref over a night's signature files: one per input part (tonight's seqs) and
 * one per history set (earlier nights' ids), each in ref order. The refs of every file are kept as runs of
 * consecutive refs (start ref, length, file, first row), sorted by start across all files: a part's seqs and a
 * history set's ids are nearly gap-free, so this index stays small whatever the corpus, and a lookup is one binary
 * search however many parts the night has. Rows are read with pread through at most OPEN_FILES descriptors at a
 * time (the least recently used is closed), so a night of thousands of parts needs no raised open-file limit.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { RowReader } from './rows.js';

/** signature files held open at once */
export const OPEN_FILES = 256;

export class SigFiles {
  private readonly paths: readonly string[];
  /** per run: [start ref, length, file, first row], sorted by start ref */
  private readonly runs: Uint32Array;
  private readonly nRuns: number;
  /** open descriptors by file, in least-recently-used-first order */
  private readonly open = new Map<number, number>();
  private readonly row: Uint32Array;
  private readonly bytes: Uint8Array;

  constructor(
    paths: readonly string[],
    readonly width: number,
  ) {
    this.paths = paths;
    this.row = new Uint32Array(width);
    this.bytes = new Uint8Array(this.row.buffer);
    let runs = new Uint32Array(64);
    let n = 0;
    paths.forEach((p, file) => {
      const r = new RowReader(p, width);
      let rowNo = 0;
      let prev = -2;
      const first = n;
      while (r.next()) {
        const ref = r.row[0]!;
        if (ref === prev + 1 && n > first) runs[(n - 1) * 4 + 1]!++;
        else {
          if ((n + 1) * 4 > runs.length) {
            const b = new Uint32Array(runs.length * 2);
            b.set(runs);
            runs = b;
          }
          runs.set([ref, 1, file, rowNo], n * 4);
          n++;
        }
        prev = ref;
        rowNo++;
      }
      r.close();
    });
    this.nRuns = n;
    this.runs = sortRuns(runs.subarray(0, n * 4), n);
    for (let i = 1; i < n; i++) {
      const [s0, l0, f0] = [this.runs[(i - 1) * 4]!, this.runs[(i - 1) * 4 + 1]!, this.runs[(i - 1) * 4 + 2]!];
      const s1 = this.runs[i * 4]!;
      if (s1 < s0 + l0) throw new Error(`bands: ref ${s1} is in two signature files (${paths[f0]} and ${paths[this.runs[i * 4 + 2]!]})`);
    }
  }

  /** The row of `ref` (a view, valid until the next call), or null when no file holds it. */
  get(ref: number): Uint32Array | null {
    const runs = this.runs;
    let lo = 0;
    let hi = this.nRuns;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (runs[mid * 4]! <= ref) lo = mid + 1;
      else hi = mid;
    }
    if (lo === 0) return null;
    const k = (lo - 1) * 4;
    const off = ref - runs[k]!;
    if (off >= runs[k + 1]!) return null;
    const n = this.width * 4;
    if (readSync(this.fdOf(runs[k + 2]!), this.bytes, 0, n, (runs[k + 3]! + off) * n) !== n) throw new Error('bands: signature file cut short');
    return this.row;
  }

  private fdOf(file: number): number {
    let fd = this.open.get(file);
    if (fd !== undefined) this.open.delete(file);
    else {
      if (this.open.size >= OPEN_FILES) {
        const [oldest, oldFd] = this.open.entries().next().value as [number, number];
        this.open.delete(oldest);
        closeSync(oldFd);
      }
      fd = openSync(this.paths[file]!, 'r');
    }
    this.open.set(file, fd);
    return fd;
  }

  close(): void {
    for (const fd of this.open.values()) closeSync(fd);
    this.open.clear();
  }
}

/** The runs (4 words each) ordered by start ref. */
function sortRuns(runs: Uint32Array, n: number): Uint32Array {
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => runs[a * 4]! - runs[b * 4]!);
  const out = new Uint32Array(n * 4);
  order.forEach((from, to) => out.set(runs.subarray(from * 4, from * 4 + 4), to * 4));
  return out;
}
