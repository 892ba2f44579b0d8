/**
 * The scorer registry: the one list the core walks. Adding a scorer is one module (pure: record + features ->
 * numbers), a config section with `enabled`, and one entry here.
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
