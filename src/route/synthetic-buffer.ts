/**
 * The router's synthetic buffer: records that count against the synthetic cap and wait for quota, kept sorted by
 * priority (the highest is released first, the lowest dropped first), with their arrival order for route.maxWait.
 * The router decides when a record enters, leaves, is released or dropped; this keeps the order.
 *
 * Priority: lexical diversity (MATTR, else distinct-2), ties by hash(id, seed), then earlier input first. capBasis
 * "expected": the lighter record first (less likely synthetic), then diversity.
 */
import { hashString } from '../text/hash.js';
import type { Routed } from './records.js';

export interface Waiting {
  r: Routed;
  value: number; // priority: higher is kept first
  sub: number; // second key (capBasis "expected": diversity; 0 otherwise)
  tie: number;
  mass: number; // synthetic mass it adds to its shard when placed
}

export class SyntheticBuffer {
  /** waiting synthetic records, sorted by ascending priority (index 0 = lowest value) */
  private waiting: Waiting[] = [];
  /** arrival order of waiting records (seq), for maxWait; entries no longer waiting are skipped lazily */
  private arrivals: number[] = [];
  private arrivalsHead = 0;
  private readonly waitingSeqs = new Set<number>();

  /**
   * @param seed route.seed, for the tie-breaking hash
   * @param byMass capBasis "expected": lighter records have priority
   */
  constructor(
    private readonly seed: number,
    private readonly byMass: boolean,
  ) {}

  get size(): number {
    return this.waiting.length;
  }

  /** the highest-priority waiting record (the next to release), if any */
  top(): Waiting | undefined {
    return this.waiting[this.waiting.length - 1];
  }

  /** Remove the highest-priority record (after `top()` found room for it). */
  popTop(): void {
    const top = this.waiting.pop()!;
    this.waitingSeqs.delete(top.r.scored.seq);
  }

  /** Remove and return the lowest-priority record (the buffer is over route.syntheticBuffer). */
  dropLowest(): Routed {
    const [w] = this.waiting.splice(0, 1);
    this.waitingSeqs.delete(w!.r.scored.seq);
    return w!.r;
  }

  /** Put a record of synthetic mass `mass` in the buffer at its priority. */
  add(r: Routed, mass: number): void {
    this.insert(this.priority(r, mass));
  }

  /**
   * The oldest waiting record that has waited more than `maxWait` records when record `seq` arrives, removed from
   * the buffer; null when none has (call until null: records come out in arrival order).
   */
  nextExpired(seq: number, maxWait: number): Routed | null {
    while (this.arrivalsHead < this.arrivals.length) {
      const oldest = this.arrivals[this.arrivalsHead]!;
      if (!this.waitingSeqs.has(oldest)) {
        this.arrivalsHead++;
        continue;
      }
      if (seq - oldest <= maxWait) break;
      this.arrivalsHead++;
      const i = this.waiting.findIndex((w) => w.r.scored.seq === oldest);
      const [w] = this.waiting.splice(i, 1);
      this.waitingSeqs.delete(oldest);
      return w!.r;
    }
    if (this.arrivalsHead > 4096 && this.arrivalsHead * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead);
      this.arrivalsHead = 0;
    }
    return null;
  }

  /** Empty the buffer; returns what waited, in input order. */
  drainInInputOrder(): Routed[] {
    const rest = this.waiting.sort((a, b) => a.r.scored.seq - b.r.scored.seq);
    this.waiting = [];
    this.waitingSeqs.clear();
    return rest.map((w) => w.r);
  }

  private priority(r: Routed, mass: number): Waiting {
    const m = r.scored.diversity?.metrics;
    const v = (m?.['mattr'] ?? m?.['distinct_2'] ?? 0) as number;
    const tie = hashString(r.scored.id, this.seed);
    return this.byMass ? { r, value: -mass, sub: v, tie, mass } : { r, value: v, sub: 0, tie, mass };
  }

  private insert(w: Waiting): void {
    const a = this.waiting;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = a[mid]!;
      const below =
        m.value < w.value ||
        (m.value === w.value && (m.sub < w.sub || (m.sub === w.sub && (m.tie < w.tie || (m.tie === w.tie && m.r.scored.seq > w.r.scored.seq)))));
      if (below) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, w);
    this.waitingSeqs.add(w.r.scored.seq);
    this.arrivals.push(w.r.scored.seq);
  }
}
