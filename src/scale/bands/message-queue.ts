/**
 * A monotone external priority queue of fixed-width u32 rows ordered by their first two words (time, then a
 * tie-break), for time-forward processing: rows are popped in increasing time, and a row pushed while time t is
 * being processed is for a time after t. Rows collect in an in-memory binary heap of at most `memoryBytes`; a full
 * heap is drained, in order, to a sorted run file, and popping reads the heap and the runs' current rows. Equal
 * keys pop in an unspecified order: callers pick among them by the tie-break word, which they keep unique.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RowReader, RowWriter } from './rows.js';

export class MessageQueue {
  private readonly heap: Uint32Array;
  private readonly cap: number;
  private n = 0;
  private readonly runs: RowReader[] = [];
  private readonly paths: string[] = [];
  private readonly out: Uint32Array;
  /** runs spilled so far */
  get spilled(): number {
    return this.paths.length;
  }

  constructor(
    private readonly width: number,
    memoryBytes: number,
    private readonly tmpDir: string,
  ) {
    if (width < 2) throw new RangeError('message queue: rows need at least 2 words');
    this.cap = Math.max(1, Math.floor(memoryBytes / (width * 4)));
    this.heap = new Uint32Array(this.cap * width);
    this.out = new Uint32Array(width);
  }

  private less(i: number, j: number): boolean {
    const h = this.heap;
    const a = i * this.width;
    const b = j * this.width;
    return h[a]! < h[b]! || (h[a] === h[b] && h[a + 1]! < h[b + 1]!);
  }

  private swap(i: number, j: number): void {
    const h = this.heap;
    const w = this.width;
    for (let k = 0; k < w; k++) {
      const t = h[i * w + k]!;
      h[i * w + k] = h[j * w + k]!;
      h[j * w + k] = t;
    }
  }

  push(row: ArrayLike<number>): void {
    if (this.n === this.cap) this.spill();
    const w = this.width;
    for (let k = 0; k < w; k++) this.heap[this.n * w + k] = row[k]! >>> 0;
    let c = this.n++;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!this.less(c, p)) break;
      this.swap(c, p);
      c = p;
    }
  }

  /** Remove the heap's top into `out`. */
  private popHeap(): void {
    const w = this.width;
    this.out.set(this.heap.subarray(0, w));
    this.n--;
    if (this.n === 0) return;
    this.heap.copyWithin(0, this.n * w, this.n * w + w);
    let c = 0;
    for (;;) {
      const l = 2 * c + 1;
      let m = c;
      if (l < this.n && this.less(l, m)) m = l;
      if (l + 1 < this.n && this.less(l + 1, m)) m = l + 1;
      if (m === c) return;
      this.swap(c, m);
      c = m;
    }
  }

  private spill(): void {
    mkdirSync(this.tmpDir, { recursive: true });
    const path = join(this.tmpDir, `queue-${String(this.paths.length).padStart(5, '0')}.run`);
    const w = new RowWriter(path, this.width);
    while (this.n > 0) {
      this.popHeap();
      w.write(this.out);
    }
    w.close();
    const r = new RowReader(path, this.width);
    if (r.next()) this.runs.push(r);
    else r.close();
    this.paths.push(path);
  }

  /** Call `each` with every row whose first word is `time` (a view, valid during the call), removing them; rows of
   * an earlier time are dropped. */
  popTime(time: number, each: (row: Uint32Array) => void): void {
    while (this.n > 0 && this.heap[0]! <= time) {
      this.popHeap();
      if (this.out[0] === time) each(this.out);
    }
    for (let i = 0; i < this.runs.length; i++) {
      const r = this.runs[i]!;
      let live = true;
      while (live && r.row[0]! <= time) {
        if (r.row[0] === time) each(r.row);
        live = r.next();
      }
      if (!live) {
        r.close();
        this.runs.splice(i--, 1);
      }
    }
  }

  close(): void {
    for (const r of this.runs) r.close();
    this.runs.length = 0;
    for (const p of this.paths) rmSync(p, { force: true });
  }
}
