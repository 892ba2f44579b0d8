/**
 * The records the router works on: a `Scored` record (the input record with every scorer's numbers) goes in, and
 * comes out as a `Routed` record carrying the router's decision, reasons, origin label, tail flag and shard.
 */
import type { DiversityScore, DupScore, Features, JsonRecord, OriginLabel, OriginScore, ReasonCode, SourcePos } from '../types.js';
import type { RuleFailure } from '../score/diversity/index.js';

export interface Scored {
  seq: number;
  id: string;
  record: JsonRecord;
  features: Features;
  bytes: number;
  pos: SourcePos;
  line?: string;
  lineChunk?: Buffer;
  lineStart?: number;
  lineEnd?: number;
  dup: DupScore | null;
  diversity: DiversityScore | null;
  origin: OriginScore | null;
  /** failing diversity rules in order, from the diversity module's evaluateRules */
  ruleFailures: RuleFailure[];
  /** extra hard reasons decided outside the router's scorers (e.g. synthetic_reuse from the ledger) */
  extraReasons?: ReasonCode[];
}

export interface Routed {
  scored: Scored;
  decision: 'accept' | 'reject';
  reasons: ReasonCode[];
  label: OriginLabel;
  tail: boolean;
  tailRule: string | null;
  /** soft rules waived because the record is tail */
  waived: ReasonCode[];
  /** the record was rejected by a hard rule (counts against tail retention's denominator: excluded) */
  hard: boolean;
  shard: string | null;
  /** capBasis "expected": the synthetic mass the record adds to its shard (0 for declared-human and tail records) */
  mass?: number;
}
