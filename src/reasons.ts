/**
 * Every reason code a record can carry in `annotation.reasons` (and `waived`), in one table. The README's reason
 * table is tested against it (test/unit/codes.test.ts), and so are the constants the modules emit from
 * (READ_REASONS, QUARANTINE_REASONS, ROUTE_REASONS, the diversity rules).
 */
import { METRIC_KEYS } from './score/diversity/measure.js';

/** Bad input, quarantined: the readers' codes, then record validation's. */
export const QUARANTINE_REASON_CODES = [
  'malformed_json',
  'not_object',
  'invalid_utf8',
  'line_too_long',
  'too_large',
  'too_deep',
  'malformed_json_array',
  'missing_text',
  'non_string_text',
  'empty_text',
  'text_too_long',
  // nightly job: an input part whose task kept failing (src/scale/map-task.ts)
  'task_failed',
] as const;

/** Duplicates, rejected (hard). */
export const DUPLICATE_REASON_CODES = ['exact_dup', 'near_dup'] as const;

/** Diversity rules, rejected (hard or soft per `diversity.rules.<code>.hard`): one code per rule, named by its metric. */
export const DIVERSITY_REASON_CODES = METRIC_KEYS;

/** Routing, rejected: caps and balancing, and `synthetic_reuse` (nightly job, from the provenance ledger; hard). */
export const ROUTING_REASON_CODES = ['synthetic_cap', 'stratum_cap', 'cluster_cap', 'synthetic_reuse'] as const;

export const REASON_CODES = [...QUARANTINE_REASON_CODES, ...DUPLICATE_REASON_CODES, ...DIVERSITY_REASON_CODES, ...ROUTING_REASON_CODES] as const;

export type QuarantineReason = (typeof QUARANTINE_REASON_CODES)[number];
export type DiversityReason = (typeof DIVERSITY_REASON_CODES)[number];
/** Stable reason codes. Quarantine codes describe bad input; reject codes name the rule that fired. */
export type ReasonCode = (typeof REASON_CODES)[number];
