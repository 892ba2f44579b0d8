/**
 * What the core hands its own shells with an Outcome but keeps out of the public API: the record's features
 * (token hashes, shingles, signatures) and the input bytes it was read from. They sit under a symbol key, so
 * `JSON.stringify(outcome)`, `Object.keys` and the library's types see only the documented fields (types.ts
 * `Outcome`), and a consumer that logs an outcome does not ship kilobytes of internals.
 */
import type { Features, Outcome } from '../types.js';

export const INTERNALS: unique symbol = Symbol('synthfilter.outcome.internals');

export interface OutcomeInternals {
  /** the record's number in its run (the core's input order): what the outcome is of, even when ids repeat */
  seq: number;
  /** the record's features, for scored records (e.g. the nightly job reads exactHash for its ledger) */
  features?: Features;
  /** the original line's bytes (JSONL input), rawChunk[rawStart, rawEnd): written back as they are when the record
   * passes unannotated */
  rawChunk?: Buffer;
  rawStart?: number;
  rawEnd?: number;
}

/** An Outcome as the core produces it. */
export interface CoreOutcome extends Outcome {
  [INTERNALS]?: OutcomeInternals;
}

export const internalsOf = (o: Outcome): OutcomeInternals | undefined => (o as CoreOutcome)[INTERNALS];
