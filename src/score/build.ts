/** Builds the enabled scorers from a validated config (see registry.ts). */
import type { Config } from '../config/index.js';
import { createDedupScorer, DEDUP_DEFAULTS, type DedupConfig } from './dedup/index.js';
import type { Scorers } from './registry.js';

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
    diversity: null,
    diversityRules: null,
    origin: null,
    labelOf: undefined,
  };
}
