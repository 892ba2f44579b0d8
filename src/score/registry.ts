/**
 * The scorers the core calls, one slot per family (null when switched off); build.ts fills them from the config.
 * Adding a scorer is one module (pure: record + features -> numbers), a config section with `enabled`, a slot here,
 * its construction in build.ts, its call in FilterCore.prepare (stage/core.ts), its annotation field, and a rule in
 * the router if it is to decide anything.
 */
import type { DiversityScore, Features, JsonRecord, OriginLabel, OriginScore, ScoreContext } from '../types.js';

/** Stateful near-duplicate scorer: `score` only reads; `commit`/`remove` are the state effects the core applies. */
export type { DedupScorer } from './dedup/index.js';
import type { DedupScorer } from './dedup/index.js';
import type { RuleFailure } from './diversity/index.js';

export interface Scorers {
  dedup: DedupScorer | null;
  diversity: ((record: JsonRecord, f: Features) => DiversityScore) | null;
  diversityRules: ((s: DiversityScore) => RuleFailure[]) | null;
  origin: ((record: JsonRecord, f: Features, ctx: ScoreContext) => OriginScore) | null;
  labelOf: ((o: OriginScore | null, record: JsonRecord) => OriginLabel) | undefined;
}
