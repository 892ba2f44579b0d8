/** Builds the enabled scorers from a validated config (see registry.ts). */
import type { Config } from '../config/index.js';
import { createDedupScorer, DEDUP_DEFAULTS, type DedupConfig } from './dedup/index.js';
import type { Scorers } from './registry.js';
import { createOriginScorer, effectiveThreshold, labelFor, ORIGIN_DEFAULTS, type OriginConfig } from './origin/index.js';
import { DIVERSITY_DEFAULTS, evaluateRules, measureDiversity, type DiversityConfig } from './diversity/index.js';

export interface BuildOptions {
  /** dedup state to restore (nightly job) */
  dedupSnapshot?: Uint8Array | null;
  /** build the per-record scorers (diversity measurement, detector); false for a thread that only routes records
   * scored elsewhere (the nightly job's main thread when worker threads score), so it never loads the model */
  scoring?: boolean;
}

export function dedupConfigOf(cfg: Config): DedupConfig {
  const { keep: _keep, ...rest } = cfg.dedup as unknown as DedupConfig & { keep: string };
  return { ...DEDUP_DEFAULTS, ...rest };
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
  const d = cfg.diversity as unknown as DiversityConfig;
  const opts: DiversityConfig = { ...DIVERSITY_DEFAULTS, ...d, language: { ...DIVERSITY_DEFAULTS.language, ...d.language }, rules: { ...d.rules } };
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
  const o = { ...ORIGIN_DEFAULTS, ...(cfg.origin as unknown as Partial<OriginConfig>) } as OriginConfig;
  if (!o.enabled && !o.declared?.field) return { origin: null, labelOf: undefined };
  o.threshold = effectiveThreshold(o);
  const scorer = scoring ? createOriginScorer(o) : null;
  return {
    origin: scorer ? (rec, f, ctx) => scorer.score(rec, f, ctx) : null,
    labelOf: (s) => (s ? labelFor(s, o) : 'unknown'),
  };
}
