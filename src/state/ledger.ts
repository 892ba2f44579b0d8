/**
 * Provenance ledger: content hash (64-bit hash of the normalised text) -> first run seen, origin label, p_ai and
 * the number of runs that emitted it. Typed arrays behind a compact 64-bit hash table; ~31 bytes per entry in
 * memory and 23 on disk.
 */
import { ExactSet } from '../score/dedup/exact-set.js';
import { ByteReader, ByteWriter } from '../score/dedup/bytes.js';
import type { OriginLabel } from '../types.js';

const LABELS: OriginLabel[] = ['unknown', 'human', 'synthetic'];
const MAGIC = 'SFLEDG01';

export interface LedgerEntry {
  firstRun: string;
  label: OriginLabel;
  pAi: number | null;
  emitted: number;
}

function grow<T extends Uint8Array | Uint16Array | Uint32Array | Float64Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}

export class Ledger {
  private set = new ExactSet(1024);
  private keys = new Uint32Array(2048); // hi, lo per slot
  private firstRun = new Uint32Array(1024); // index into runs
  private label = new Uint8Array(1024);
  private pAi = new Float64Array(1024); // NaN = null
  private emitted = new Uint16Array(1024);
  private n = 0;
  /** run ids, indexed by firstRun */
  readonly runs: string[] = [];
  private runIndex = new Map<string, number>();

  get size(): number {
    return this.n;
  }

  private runNo(run: string): number {
    let i = this.runIndex.get(run);
    if (i === undefined) {
      i = this.runs.length;
      this.runs.push(run);
      this.runIndex.set(run, i);
    }
    return i;
  }

  get(hi: number, lo: number): LedgerEntry | null {
    const s = this.set.get(hi, lo);
    if (s < 0) return null;
    const p = this.pAi[s]!;
    return { firstRun: this.runs[this.firstRun[s]!]!, label: LABELS[this.label[s]!]!, pAi: Number.isNaN(p) ? null : p, emitted: this.emitted[s]! };
  }

  /** Record that a text was seen in `run` (and emitted, when `emitted`). First-seen facts are kept. */
  note(hi: number, lo: number, run: string, label: OriginLabel, pAi: number | null, emitted: boolean): void {
    let s = this.set.get(hi, lo);
    if (s < 0) {
      s = this.n++;
      this.set.add(hi, lo, s);
      this.keys = grow(this.keys, this.n * 2);
      this.firstRun = grow(this.firstRun, this.n);
      this.label = grow(this.label, this.n);
      this.pAi = grow(this.pAi, this.n);
      this.emitted = grow(this.emitted, this.n);
      this.keys[s * 2] = hi;
      this.keys[s * 2 + 1] = lo;
      this.firstRun[s] = this.runNo(run);
      this.label[s] = LABELS.indexOf(label);
      this.pAi[s] = pAi === null ? NaN : pAi;
    } else if (this.label[s] === 0 && label !== 'unknown') {
      this.label[s] = LABELS.indexOf(label);
    }
    if (emitted && this.emitted[s]! < 0xffff) this.emitted[s]!++;
  }

  serialize(): Uint8Array {
    const w = new ByteWriter();
    w.raw(new TextEncoder().encode(MAGIC));
    const runs = new TextEncoder().encode(JSON.stringify(this.runs));
    w.u32(runs.length).raw(runs);
    w.u32(this.n);
    w.array(this.keys.subarray(0, this.n * 2));
    w.array(this.firstRun.subarray(0, this.n));
    w.array(this.label.subarray(0, this.n));
    w.array(this.pAi.subarray(0, this.n));
    w.array(this.emitted.subarray(0, this.n));
    return w.finish();
  }

  static deserialize(bytes: Uint8Array): Ledger {
    const r = new ByteReader(bytes);
    if (new TextDecoder().decode(r.raw(MAGIC.length)) !== MAGIC) throw new Error('not a ledger file');
    const l = new Ledger();
    const runs = JSON.parse(new TextDecoder().decode(r.raw(r.u32()))) as string[];
    runs.forEach((x) => l.runNo(x));
    const n = r.u32();
    l.keys = r.array(Uint32Array);
    l.firstRun = r.array(Uint32Array);
    l.label = r.array(Uint8Array);
    l.pAi = r.array(Float64Array);
    l.emitted = r.array(Uint16Array);
    l.n = n;
    l.set = new ExactSet(Math.ceil(n / 0.6) + 16);
    for (let s = 0; s < n; s++) l.set.add(l.keys[s * 2]!, l.keys[s * 2 + 1]!, s);
    return l;
  }
}
