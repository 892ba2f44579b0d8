/**
 * The nights a worker process takes part in, opened once each: a worker runs many jobs of the same night, and
 * opening a night reads its plan from the state folder. A failed open is not remembered (the next job tries again).
 */
import type { Night, NightSpec } from '../night.js';

export type OpenNight = (spec: NightSpec) => Promise<Night | null>;

/** How many nights a worker keeps open; older ones are reopened on demand. */
const KEEP = 4;

export class OpenNights {
  private readonly open = new Map<string, Promise<Night | null>>();

  constructor(private readonly openNight: OpenNight) {}

  get(spec: NightSpec & { runId: string }): Promise<Night | null> {
    const key = JSON.stringify([spec.stateDir, spec.outDir, spec.inDir, spec.runId, spec.partition ?? null]);
    let p = this.open.get(key);
    if (!p) {
      p = this.openNight(spec);
      p.catch(() => this.open.delete(key));
      this.open.set(key, p);
      while (this.open.size > KEEP) this.open.delete(this.open.keys().next().value!);
    }
    return p;
  }
}
