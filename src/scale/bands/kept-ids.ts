/**
 * Tonight's kept records as a bit set with a rank directory: `rankOf(seq)` is the number of kept records before seq
 * (the kept record's place in seq order, which history.ts turns into its history id), or -1 when seq is not kept.
 * A bit per record plus a u32 per 32 records (0.25 bytes per record), so the history commit stays small at any
 * night size; filled from kept flags or streamed from the cluster task's verdict file.
 */
import { RowReader } from './rows.js';
import { VERDICT, VERDICT_WIDTH } from './cluster-types.js';

export class KeptIds {
  private readonly bits: Uint32Array;
  private readonly before: Uint32Array; // kept records in the words before word w
  readonly size: number;

  private constructor(bits: Uint32Array) {
    this.bits = bits;
    this.before = new Uint32Array(bits.length + 1);
    for (let w = 0; w < bits.length; w++) this.before[w + 1] = this.before[w]! + popcount(bits[w]!);
    this.size = this.before[bits.length]!;
  }

  static fromFlags(kept: Uint8Array): KeptIds {
    const bits = new Uint32Array(Math.ceil(kept.length / 32));
    for (let s = 0; s < kept.length; s++) if (kept[s]) bits[s >>> 5]! |= 1 << (s & 31);
    return new KeptIds(bits);
  }

  /** From a verdict file (rows in seq order, every seq of the night). */
  static fromVerdicts(path: string): KeptIds {
    const r = new RowReader(path, VERDICT_WIDTH);
    let bits = new Uint32Array(1024);
    let n = 0;
    while (r.next()) {
      const s = r.row[0]!;
      if (s >>> 5 >= bits.length) {
        const b = new Uint32Array(Math.max(bits.length * 2, (s >>> 5) + 1));
        b.set(bits);
        bits = b;
      }
      if (r.row[1] === VERDICT.KEPT) bits[s >>> 5]! |= 1 << (s & 31);
      n = Math.max(n, s + 1);
    }
    r.close();
    return new KeptIds(bits.slice(0, Math.ceil(n / 32)));
  }

  rankOf(seq: number): number {
    const w = seq >>> 5;
    if (w >= this.bits.length) return -1;
    const word = this.bits[w]!;
    const bit = 1 << (seq & 31);
    if ((word & bit) === 0) return -1;
    return this.before[w]! + popcount(word & (bit - 1));
  }
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}
