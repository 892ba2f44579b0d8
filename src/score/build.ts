/** Builds the enabled scorers from a validated config (see registry.ts). */
import type { Config } from '../config/index.js';
import { createDedupScorer, DEDUP_DEFAULTS, type DedupConfig } from './dedup/index.js';
import type { Scorers } from './registry.js';
import { DIVERSITY_DEFAULTS, evaluateRules, measureDiversity, type DiversityConfig } from './diversity/index.js';

export interface BuildOptions {
  /** dedup state to restore (nightly job) */
  dedupSnapshot?: Uint8Array | null;
}

export function dedupConfigOf(cfg: Config): DedupConfig {
  const { keep: _keep, ...rest } = cfg.dedup as unknown as DedupConfig & { keep: string };
  return { ...DEDUP_DEFAULTS, ...rest };
}

export function buildScorers(cfg: Config, opts: BuildOptions = {}): Scorers {
  return {
    dedup: cfg.dedup.enabled ? createDedupScorer(dedupConfigOf(cfg), opts.dedupSnapshot ?? undefined) : null,
    ...diversityOf(cfg),
    origin: null,
    labelOf: undefined,
  };
}

function diversityOf(cfg: Config): Pick<Scorers, 'diversity' | 'diversityRules'> {
  if (!cfg.diversity.enabled) return { diversity: null, diversityRules: null };
  const d = cfg.diversity as unknown as DiversityConfig;
  const opts: DiversityConfig = { ...DIVERSITY_DEFAULTS, ...d, language: { ...DIVERSITY_DEFAULTS.language, ...d.language }, rules: { ...d.rules } };
  return {
    diversity: (_rec, f) => measureDiversity(f.text, opts),
    diversityRules: (s) => evaluateRules(s, opts.rules),
  };
}
