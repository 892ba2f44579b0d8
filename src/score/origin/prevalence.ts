/**
 * TEMPORARY STUB (branch share-wire): the interface of the estimator the `share` branch builds, so the wiring can be
 * written and tested before it lands. It is REPLACED by cherry-picking that branch's prevalence.ts; never ship it.
 * The numbers are a crude probabilistic count with abstentions widening the interval.
 */
export interface ShareEstimate {
  value: number;
  low: number;
  high: number;
}

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface QuantificationParams {
  stub: true;
}

export function quantificationParams(_model: unknown): QuantificationParams | null {
  return null;
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));

export class ShareAccumulator {
  private n = 0;
  private declSyn = 0;
  private scored = 0;
  private sumP = 0;
  private undeclared = 0;
  private abstained = 0;

  constructor(_params: QuantificationParams | null) {}

  add(declared: 'human' | 'synthetic' | null, pAi: number | null): void {
    this.n++;
    if (declared !== null) {
      if (declared === 'synthetic') this.declSyn++;
      return;
    }
    this.undeclared++;
    if (pAi === null) this.abstained++;
    else {
      this.scored++;
      this.sumP += pAi;
    }
  }

  merge(o: ShareAccumulator): void {
    this.n += o.n;
    this.declSyn += o.declSyn;
    this.scored += o.scored;
    this.sumP += o.sumP;
    this.undeclared += o.undeclared;
    this.abstained += o.abstained;
  }

  estimate(): { estimate: ShareEstimate; method: string; undeclared: number; abstained: number } | { estimate: null; reason: string } {
    if (this.n === 0) return { estimate: null, reason: 'no records' };
    const mean = this.scored ? this.sumP / this.scored : 0.5;
    const margin = 1.96 * Math.sqrt(this.scored * 0.25);
    const value = (this.declSyn + this.sumP + this.abstained * mean) / this.n;
    const low = (this.declSyn + Math.max(0, this.sumP - margin)) / this.n;
    const high = (this.declSyn + Math.min(this.scored, this.sumP + margin) + this.abstained) / this.n;
    return { estimate: { value: clamp(value), low: clamp(low), high: clamp(high) }, method: 'stub', undeclared: this.undeclared, abstained: this.abstained };
  }

  toJSON(): unknown {
    return { n: this.n, declSyn: this.declSyn, scored: this.scored, sumP: this.sumP, undeclared: this.undeclared, abstained: this.abstained };
  }

  static fromJSON(params: QuantificationParams | null, j: unknown): ShareAccumulator {
    return Object.assign(new ShareAccumulator(params), j);
  }
}

export function expectedSynthetic(_params: QuantificationParams | null, pAi: number | null, prior: number): number {
  return pAi ?? prior;
}
