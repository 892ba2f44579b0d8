/**
 * The ledger notes a backend stages until its commit, one per routed record of the night, kept in columns
 * (typed arrays) instead of one object each: a night of N records costs ~20 bytes per note, and the notes hold
 * no reference to the records' features (a note's hash used to be a view on the spool block the record was read
 * from, which kept every block of the night alive until the commit).
 */
import type { OriginLabel } from '../types.js';
import type { LedgerNote } from './backend.js';

const EMITTED = 1;
const NO_P_AI = 2;

export class StagedNotes {
  private hash = new Uint32Array(2 * 1024);
  private pAi = new Float64Array(1024);
  private flags = new Uint8Array(1024);
  /** label and run, as an index into their small tables (a night has one run and three labels) */
  private label = new Uint8Array(1024);
  private run = new Uint16Array(1024);
  private readonly labels: OriginLabel[] = [];
  private readonly runs: string[] = [];
  private n = 0;

  get length(): number {
    return this.n;
  }

  push(x: LedgerNote): void {
    if (this.n === this.flags.length) this.grow();
    const i = this.n++;
    this.hash[2 * i] = x.hash[0]! >>> 0;
    this.hash[2 * i + 1] = x.hash[1]! >>> 0;
    this.pAi[i] = x.pAi ?? 0;
    this.flags[i] = (x.emitted ? EMITTED : 0) | (x.pAi === null ? NO_P_AI : 0);
    this.label[i] = indexIn(this.labels, x.label, 0xff);
    this.run[i] = indexIn(this.runs, x.run, 0xffff);
  }

  /** The notes in the order they were staged (each a new object: consume them one at a time). */
  *[Symbol.iterator](): IterableIterator<LedgerNote> {
    for (let i = 0; i < this.n; i++) {
      const f = this.flags[i]!;
      yield { hash: [this.hash[2 * i]!, this.hash[2 * i + 1]!], run: this.runs[this.run[i]!]!, label: this.labels[this.label[i]!]!, pAi: f & NO_P_AI ? null : this.pAi[i]!, emitted: (f & EMITTED) !== 0 };
    }
  }

  private grow(): void {
    const size = this.flags.length * 2;
    this.hash = copyInto(new Uint32Array(2 * size), this.hash);
    this.pAi = copyInto(new Float64Array(size), this.pAi);
    this.flags = copyInto(new Uint8Array(size), this.flags);
    this.label = copyInto(new Uint8Array(size), this.label);
    this.run = copyInto(new Uint16Array(size), this.run);
  }
}

function copyInto<T extends Uint32Array | Float64Array | Uint8Array | Uint16Array>(to: T, from: T): T {
  to.set(from as never);
  return to;
}

function indexIn<T>(table: T[], x: T, max: number): number {
  let k = table.indexOf(x);
  if (k < 0) {
    if (table.length > max) throw new RangeError(`staged ledger notes: more than ${max + 1} distinct values`);
    k = table.push(x) - 1;
  }
  return k;
}
