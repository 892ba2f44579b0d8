/** Builds the enabled scorers from a validated config (see registry.ts). */
import type { Config } from '../config/index.js';
import { createExactScorer } from './exact.js';
import type { Scorers } from './registry.js';

export function buildScorers(cfg: Config): Scorers {
  return {
    dedup: cfg.dedup.enabled ? createExactScorer() : null,
    diversity: null,
    diversityRules: null,
    origin: null,
    labelOf: undefined,
  };
}
