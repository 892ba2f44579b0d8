/**
 * `route.capBasis: "expected"`: the synthetic mass a record adds to its shard under the cap (issue 18 item 5).
 *
 *   declared synthetic -> 1, declared human -> 0, tail record -> 0 (tail is protected and never counts, as with labels)
 *   undeclared         -> expectedSynthetic(params, p_ai, prior): the adjusted probability that it is machine-written
 *                         (p_ai null: the detector abstained; the estimator then answers from the prior alone)
 *
 * The prior is the running estimate of the input's synthetic share over the records routed so far (every
 * non-quarantined record, whatever its fate, in input order, so decisions stay deterministic), refreshed every
 * PRIOR_REFRESH records; before the first refresh it is INITIAL_PRIOR.
 */
import { ShareAccumulator, expectedSynthetic, type QuantificationParams } from '../score/origin/prevalence.js';
import type { OriginScore } from '../types.js';

export const PRIOR_REFRESH = 1024;
export const INITIAL_PRIOR = 0.5;

export class ExpectedMass {
  private readonly seen: ShareAccumulator;
  private n = 0;
  private prior = INITIAL_PRIOR;

  constructor(private readonly params: QuantificationParams | null) {
    this.seen = new ShareAccumulator(params);
  }

  /** Mass of one record under the current prior. */
  of(origin: OriginScore | null, tail: boolean): number {
    const d = declaredOf(origin);
    if (d !== null) return d === 'synthetic' ? 1 : 0;
    if (tail) return 0;
    const m = expectedSynthetic(this.params, origin?.p_ai ?? null, this.prior);
    return m > 0 ? Math.min(1, m) : 0;
  }

  /** Feed one routed record to the running prior. */
  observe(origin: OriginScore | null): void {
    this.seen.add(declaredOf(origin), origin?.p_ai ?? null);
    if (++this.n % PRIOR_REFRESH !== 0) return;
    const e = this.seen.estimate();
    if (e.estimate) this.prior = e.estimate.value;
  }
}

function declaredOf(o: OriginScore | null): 'human' | 'synthetic' | null {
  if (!o || o.by !== 'declared') return null;
  return o.declared === 'synthetic' || o.declared === 'human' ? o.declared : null;
}
