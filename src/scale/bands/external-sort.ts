/**
 * External sort of fixed-width u32 rows under a memory budget: rows collect in one buffer of at most
 * `memoryBytes`; a full buffer is sorted and spilled as a run file; `finish` merges the spilled runs (k-way,
 * rows.ts) into the output. Ties keep push order within a spill and spill order across spills, so the output is
 * the same bytes for any budget when whole rows are the key (`keyWords === width`) or pushes are deterministic.
 */
import { mkdirSync, rmSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { compareRows, mergeRuns, RowWriter } from './rows.js';

export interface SortOptions {
  /** u32 words per row, and how many leading words are the sort key */
  width: number;
  keyWords: number;
  /** bytes the in-memory buffer may take (rows plus their 4-byte sort index); at least one row */
  memoryBytes: number;
  /** folder for spilled runs (created; the runs are removed by `finish`) */
  tmpDir: string;
  /** drop rows equal on every word to the previous one */
  unique?: boolean;
}

export class ExternalSorter {
  private readonly buf: Uint32Array;
  private readonly cap: number;
  private n = 0;
  private readonly spills: string[] = [];
  /** runs spilled so far (a budget too small for the input spills) */
  get spilled(): number {
    return this.spills.length;
  }

  constructor(private readonly o: SortOptions) {
    this.cap = Math.max(1, Math.floor(o.memoryBytes / (o.width * 4 + 4)));
    this.buf = new Uint32Array(this.cap * o.width);
  }

  push(row: ArrayLike<number>, at = 0): void {
    if (this.n === this.cap) this.spill();
    const w = this.o.width;
    const base = this.n * w;
    for (let k = 0; k < w; k++) this.buf[base + k] = row[at + k]! >>> 0;
    this.n++;
  }

  /** Sorted row order of the buffer (stable). */
  private order(): Uint32Array {
    const { width: w, keyWords } = this.o;
    const buf = this.buf;
    const idx = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) idx[i] = i;
    return idx.sort((a, b) => compareRows(buf, a * w, buf, b * w, keyWords) || a - b);
  }

  private writeSorted(path: string): number {
    const w = this.o.width;
    const out = new RowWriter(path, w);
    const prev = new Uint32Array(w);
    let first = true;
    for (const i of this.order()) {
      if (this.o.unique && !first && compareRows(this.buf, i * w, prev, 0, w) === 0) continue;
      out.write(this.buf, i * w);
      prev.set(this.buf.subarray(i * w, i * w + w));
      first = false;
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
      rows = mergeRuns(this.spills, tmp, this.o.width, this.o.keyWords, this.o.unique);
      for (const p of this.spills) rmSync(p, { force: true });
    }
    renameSync(tmp, out);
    return rows;
  }
}
