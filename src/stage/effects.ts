/**
 * Decide, then apply: the state effects of routing decisions, as data, and the appliers that commit them.
 *
 * Both paths keep a record in the dedup index only when the router lets it through, and both index it before its
 * fate is final (so later records are compared with it in input order); what differs is when the check happens:
 *   stream (core.ts)  a record the router accepts or holds for quota is indexed (`index`), and leaves the index
 *                     again (`unindex`) when the synthetic cap finally rejects it;
 *   nightly (clean)   the backend checks and indexes in one step before routing (phase B1, atomic on a shared
 *                     backend); after routing, records indexed but not accepted leave (`unindex`), the kept member
 *                     of a cluster joins in its root's place (`index`), and every routed record gets a provenance
 *                     note (`ledger`).
 * One applier per state holder commits the effects in the order given: ScorerEffects for the stream's in-memory
 * scorer, BackendEffects for a state backend (batched; nothing reaches the backend before `flush`).
 */
import type { DedupScorer } from '../score/registry.js';
import type { LedgerNote, StateBackend } from '../state/index.js';
import type { Features } from '../types.js';

export type Effect =
  /** the record joins the dedup index */
  | { kind: 'index'; id: string; features: Features }
  /** the record leaves the dedup index (`ref`: its backend handle, when the backend gave one) */
  | { kind: 'unindex'; id: string; features?: Features; ref?: string }
  /** a provenance ledger note (synthetic reuse across nights) */
  | { kind: 'ledger'; note: LedgerNote };

export interface EffectApplier {
  apply(e: Effect): void;
}

/** The stream path's applier: effects go to the in-memory dedup scorer at once (ledger notes have no holder). */
export class ScorerEffects implements EffectApplier {
  constructor(private readonly dedup: DedupScorer | null) {}

  apply(e: Effect): void {
    const d = this.dedup;
    if (!d) return;
    if (e.kind === 'index') d.commit(e.id, e.features);
    else if (e.kind === 'unindex') d.remove(e.id, e.features);
  }
}

/** The nightly path's applier: effects are batched for the state backend. Ledger notes go out every
 * `ledgerBatch` notes (`flush(false)`) and at the end; index changes at the end (`flush(true)`), removals first. */
export class BackendEffects implements EffectApplier {
  private notes: LedgerNote[] = [];
  private gone: string[] = [];
  private joining: Array<{ id: string; features: Features; insert: true }> = [];

  constructor(
    private readonly backend: StateBackend,
    private readonly ledgerBatch = 4096,
  ) {}

  apply(e: Effect): void {
    if (e.kind === 'ledger') this.notes.push(e.note);
    else if (e.kind === 'unindex') this.gone.push(e.ref ?? e.id);
    else this.joining.push({ id: e.id, features: e.features, insert: true });
  }

  /** Send what is due: full ledger batches; with `all`, everything. */
  async flush(all: boolean): Promise<void> {
    if (all || this.notes.length >= this.ledgerBatch) await this.backend.ledgerNote(this.notes.splice(0));
    if (!all) return;
    if (this.gone.length) await this.backend.remove(this.gone.splice(0));
    if (this.joining.length) await this.backend.join(this.joining.splice(0));
  }
}
