/** Builds the enabled scorers from a validated config (see registry.ts). */
import type { Config } from '../config/index.js';
import { createDedupScorer, withoutKeep, type DedupConfig } from './dedup/index.js';
import type { Scorers } from './registry.js';
import { createOriginScorer, effectiveThreshold, labelFor, type OriginConfig } from './origin/index.js';
import { evaluateRules, measureDiversity, type DiversityConfig } from './diversity/index.js';

export interface BuildOptions {
  /** dedup state to restore (nightly job) */
  dedupSnapshot?: Uint8Array | null;
  /** build the per-record scorers (diversity measurement, detector); false for a thread that only routes records
   * scored elsewhere (the nightly job's main thread when worker threads score), so it never loads the model */
  scoring?: boolean;
}

export function dedupConfigOf(cfg: Config): DedupConfig {
  return withoutKeep(cfg.dedup);
}

export function buildScorers(cfg: Config, opts: BuildOptions = {}): Scorers {
  return {
    dedup: cfg.dedup.enabled ? createDedupScorer(dedupConfigOf(cfg), opts.dedupSnapshot ?? undefined) : null,
    ...diversityOf(cfg, opts.scoring !== false),
    ...originOf(cfg, opts.scoring !== false),
  };
}

function diversityOf(cfg: Config, scoring: boolean): Pick<Scorers, 'diversity' | 'diversityRules'> {
  if (!cfg.diversity.enabled) return { diversity: null, diversityRules: null };
  const opts: DiversityConfig = cfg.diversity;
  return {
    diversity: scoring ? (_rec, f) => measureDiversity(f.text, opts) : null,
    diversityRules: (s) => evaluateRules(s, opts.rules),
  };
}

/**
 * Origin: the detector when `origin.enabled`; declared provenance whenever `origin.declared.field` is set (it costs
 * nothing, so it applies even with the detector off). The label rule lives in the origin module (`labelFor`).
 */
function originOf(cfg: Config, scoring: boolean): Pick<Scorers, 'origin' | 'labelOf'> {
  const o: OriginConfig = { ...cfg.origin };
  if (!o.enabled && !o.declared?.field) return { origin: null, labelOf: undefined };
  o.threshold = effectiveThreshold(o);
  const scorer = scoring ? createOriginScorer(o) : null;
  return {
    origin: scorer ? (rec, f, ctx) => scorer.score(rec, f, ctx) : null,
    labelOf: (s) => (s ? labelFor(s, o) : 'unknown'),
  };
}
