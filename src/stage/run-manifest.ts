/** The manifest of a stream run in directory mode (`manifest.json`): what was read, decided and written. */
import { fingerprint, type Config } from '../config/index.js';
import type { SynthfilterError } from '../errors.js';
import type { DirectorySink } from '../sink/files.js';
import { VERSION } from '../version.js';
import { tailRetention, type Stats } from './core.js';
import type { RunWarning } from './share-warnings.js';
import type { ShareReport } from './share.js';

export interface StreamRunEnd {
  cfg: Config;
  sources: string[];
  stats: Stats;
  /** the closed output directory */
  dirSink: DirectorySink;
  stoppedBy: 'epipe' | 'signal' | null;
  error: SynthfilterError | null;
  share: ShareReport;
  warnings: RunWarning[];
}

export function streamManifest(r: StreamRunEnd): unknown {
  const { stats, dirSink } = r;
  return {
    version: VERSION,
    created: new Date().toISOString(),
    config_fingerprint: fingerprint(r.cfg),
    inputs: r.sources.length ? r.sources : ['-'],
    complete: r.stoppedBy === null && r.error === null,
    stopped_by: r.stoppedBy,
    error: r.error ? r.error.message : null,
    counts: { input: stats.seen, accept: stats.accept, reject: stats.reject, quarantine: stats.quarantine },
    reasons: stats.reasons,
    origin: { input: stats.origin, accepted: stats.originAccepted },
    synthetic_share: {
      input: stats.seen - stats.quarantine ? stats.origin.synthetic / (stats.seen - stats.quarantine) : 0,
      accepted: stats.accept ? stats.originAccepted.synthetic / stats.accept : 0,
      ...r.share,
    },
    warnings: r.warnings,
    tail: { ...stats.tail, retention: tailRetention(stats) },
    p_ai_hist: stats.pAiHist,
    shards: dirSink.shards.map((x) => ({ ...x, synthetic_share_estimate: stats.syntheticShare.shard(x.name) })),
    rejects: dirSink.rejects,
    quarantine: dirSink.quarantine,
    config: r.cfg,
  };
}
