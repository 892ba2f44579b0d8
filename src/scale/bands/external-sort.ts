/**
 * External sort of fixed-width u32 rows under a memory budget: rows collect in one buffer; a full buffer is sorted
 * (LSD radix sort on the key words, 16-bit digits, rows moved between two typed arrays: no comparator, no objects)
 * and spilled as a run file; `finish` merges the spilled runs (k-way, rows.ts) into the output. The radix sort is
 * stable: ties keep push order within a spill and spill order across spills, so the output is the same bytes for
 * any budget when whole rows are the key (`keyWords === width`) or pushes are deterministic.
 */
import { mkdirSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compareRows, mergeRuns, READ_BUFFER_BYTES, RowWriter } from './rows.js';
import { narrowRuns } from './narrow-runs.js';

export interface SortOptions {
  /** u32 words per row, and how many leading words are the sort key */
  width: number;
  keyWords: number;
  /** bytes the sort may hold: the row buffer and its radix twin (8 bytes per word); at least one row */
  memoryBytes: number;
  /** folder for spilled runs (created; the runs are removed by `finish`) */
  tmpDir: string;
  /** drop rows equal on every word to the previous one */
  unique?: boolean;
}

/** Rows of `width` words one sort buffer holds under `memoryBytes` (rows plus the radix twin). */
export const sortCapacity = (memoryBytes: number, width: number): number => Math.max(1, Math.floor(memoryBytes / (width * 8)));

/**
 * Stable LSD radix sort of the first `n` rows of `a` on their first `keyWords` words (unsigned), using `b` (same
 * length) as scratch. Returns the array holding the sorted rows (`a` or `b`). A digit every row shares is skipped.
 */
export function radixSortRows(a: Uint32Array, b: Uint32Array, n: number, width: number, keyWords: number): Uint32Array {
  const count = new Uint32Array(65536);
  let src = a;
  let dst = b;
  for (let word = keyWords - 1; word >= 0; word--) {
    for (let shift = 0; shift <= 16; shift += 16) {
      count.fill(0);
      for (let i = 0, at = word; i < n; i++, at += width) count[(src[at]! >>> shift) & 0xffff]!++;
      if (count[(src[word]! >>> shift) & 0xffff] === n) continue; // one digit value: order unchanged
      let sum = 0;
      for (let d = 0; d < 65536; d++) {
        const c = count[d]!;
        count[d] = sum;
        sum += c;
      }
      for (let i = 0, at = 0; i < n; i++, at += width) {
        const to = count[(src[at + word]! >>> shift) & 0xffff]!++ * width;
        for (let k = 0; k < width; k++) dst[to + k] = src[at + k]!;
      }
      const t = src;
      src = dst;
      dst = t;
    }
  }
  return src;
}

/** rows a sorter's buffers hold before they grow to the budget */
const FIRST_ROWS = 16384;

export class ExternalSorter {
  private buf: Uint32Array;
  private twin: Uint32Array;
  private readonly cap: number;
  private n = 0;
  private readonly spills: string[] = [];
  /** runs spilled so far (a budget too small for the input spills) */
  get spilled(): number {
    return this.spills.length;
  }

  constructor(private readonly o: SortOptions) {
    this.cap = sortCapacity(o.memoryBytes, o.width);
    // the buffers start small and grow once, to the capacity: a sorter of a small part does not allocate (and the
    // collector does not account for) the whole budget, which cost a bands task ~10 ms and a GC per part. One
    // step, not doubling: the budget-sized arrays are zero-filled and take resident memory only as rows fill them,
    // while every doubling would leave the previous, filled pair as garbage until the collector runs
    const rows = Math.min(this.cap, FIRST_ROWS);
    this.buf = new Uint32Array(rows * o.width);
    this.twin = new Uint32Array(rows * o.width);
  }

  push(row: ArrayLike<number>, at = 0): void {
    if (this.n * this.o.width === this.buf.length) {
      if (this.n === this.cap) this.spill();
      else this.grow();
    }
    const w = this.o.width;
    const base = this.n * w;
    for (let k = 0; k < w; k++) this.buf[base + k] = row[at + k]! >>> 0;
    this.n++;
  }

  private grow(): void {
    const rows = this.cap;
    this.twin = new Uint32Array(0); // scratch of the radix sort, nothing to keep: let it go before the new buffer
    const buf = new Uint32Array(rows * this.o.width);
    buf.set(this.buf);
    this.buf = buf;
    this.twin = new Uint32Array(rows * this.o.width);
  }

  private writeSorted(path: string): number {
    const w = this.o.width;
    const sorted = radixSortRows(this.buf, this.twin, this.n, w, this.o.keyWords);
    if (sorted !== this.buf) [this.buf, this.twin] = [this.twin, this.buf];
    const out = new RowWriter(path, w);
    for (let i = 0, at = 0; i < this.n; i++, at += w) {
      if (this.o.unique && i > 0 && compareRows(sorted, at, sorted, at - w, w) === 0) continue;
      out.write(sorted, at);
    }
    out.close();
    this.n = 0;
    return out.rows;
  }

  private spill(): void {
    mkdirSync(this.o.tmpDir, { recursive: true });
    const p = join(this.o.tmpDir, `spill-${String(this.spills.length).padStart(5, '0')}.run`);
    this.writeSorted(p);
    this.spills.push(p);
  }

  /** Write every row pushed, sorted, to `out` (via `out.tmp`, renamed at the end). Returns the rows written. */
  finish(out: string): number {
    const tmp = `${out}.tmp`;
    let rows: number;
    if (this.spills.length === 0) rows = this.writeSorted(tmp);
    else {
      if (this.n > 0) this.spill();
      // a merge reads through one 64 KiB buffer per run: the fan-in follows the budget, not the number of spills
      const fanIn = Math.max(2, Math.floor(this.o.memoryBytes / READ_BUFFER_BYTES));
      const runs = narrowRuns(this.spills, this.o.width, this.o.keyWords, this.o.tmpDir, { fanIn, unique: this.o.unique, removeInputs: true });
      rows = mergeRuns(runs, tmp, this.o.width, this.o.keyWords, this.o.unique);
      for (const p of runs) rmSync(p, { force: true });
    }
    renameSync(tmp, out);
    this.buf = this.twin = new Uint32Array(0); // a finished sorter holds no buffer
    return rows;
  }
}
