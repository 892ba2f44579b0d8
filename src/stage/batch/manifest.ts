/**
 * The night's summary (run history) and report (report.json; manifest.json is the report without the history),
 * built from the routing core's statistics, the sink's files and the clusters. Pure: no file is written here
 * (publish.ts writes them).
 */
import type { Config } from '../../config/index.js';
import type { Report } from '../../report/report.js';
import type { DirectorySink } from '../../sink/files.js';
import type { PendingRun, RunSummary } from '../../state/file-store.js';
import { redactUrl, stateSettings } from '../../state/index.js';
import { VERSION } from '../../version.js';
import { tailRetention, type Stats } from '../core.js';
import { risingWarning, shareWarnings, type RunWarning } from '../share-warnings.js';
import type { ShareReport } from '../share.js';

/** The config as reports record it: the state section only names the backend unless it is shared (then the URL is
 * recorded without its password), so a file-backed run's report is what it always was. */
export function reportConfig(cfg: Config): unknown {
  const st = stateSettings(cfg);
  if (st.backend !== 'redis') return { ...cfg, state: { backend: cfg.state.backend } };
  return { ...cfg, state: { ...cfg.state, url: st.url ? redactUrl(st.url) : null } };
}

/** The synthetic share (label counts and the estimate) and its warnings are additive fields of the report. */
export type NightReport = Report & { synthetic_share: { input: number; accepted: number } & ShareReport; warnings: RunWarning[] };

export interface ManifestInput {
  run: PendingRun;
  cfg: Config;
  fingerprint: string;
  stats: Stats;
  /** the closed sink (its shards, rejects and quarantine files) */
  sink: Pick<DirectorySink, 'shards' | 'rejects' | 'quarantine'>;
  /** earlier nights' summaries */
  history: RunSummary[];
  /** cluster size -> clusters of that size (sizeHistogram) */
  clusterSizes: Record<string, number>;
  diversityHist: Record<string, number[]>;
  errors: string[];
}

export interface NightManifest {
  summary: RunSummary;
  report: NightReport;
  warnings: RunWarning[];
}

/** cluster root -> size, as the report counts it: size -> clusters of that size */
export function sizeHistogram(sizes: ReadonlyMap<number, number>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of sizes.values()) out[String(n)] = (out[String(n)] ?? 0) + 1;
  return out;
}

export function buildManifest(m: ManifestInput): NightManifest {
  const { run, cfg, stats: st } = m;
  const share = st.syntheticShare.report();
  const est = share.estimate;
  const warnings = shareWarnings(st.syntheticShare, share, cfg.route.maxSyntheticShare);
  const rising = risingWarning(est?.input ?? null, m.history.map((x) => x.synthetic_share_estimate?.input));
  if (rising) warnings.push(rising);
  const summary: RunSummary = {
    runId: run.runId,
    startedAt: run.startedAt,
    inputs: st.seen,
    files: run.files.length,
    accept: st.accept,
    reject: st.reject,
    quarantine: st.quarantine,
    synthetic_share: st.accept ? st.originAccepted.synthetic / st.accept : 0,
    tail_retention: tailRetention(st),
    reasons: st.reasons,
    synthetic_share_estimate: est ? { input: est.input, accepted: est.accepted, undeclared: est.undeclared } : null,
  };
  const report: NightReport = {
    version: VERSION,
    run_id: run.runId,
    started_at: run.startedAt,
    config_fingerprint: m.fingerprint,
    inputs: run.files.map((f) => ({ file: f.rel, bytes: f.size, sha256: f.sha256 })),
    counts: { input: st.seen, accept: st.accept, reject: st.reject, quarantine: st.quarantine },
    reasons: st.reasons,
    origin: { input: st.origin, accepted: st.originAccepted },
    max_synthetic_share: cfg.route.maxSyntheticShare,
    synthetic_share: {
      input: st.seen - st.quarantine ? st.origin.synthetic / (st.seen - st.quarantine) : 0,
      accepted: st.accept ? st.originAccepted.synthetic / st.accept : 0,
      ...share,
    },
    warnings,
    shards: m.sink.shards.map((x) => ({ ...x, synthetic_share_estimate: st.syntheticShare.shard(x.name) })),
    rejects: m.sink.rejects,
    quarantine: m.sink.quarantine,
    p_ai_hist: st.pAiHist,
    diversity_hist: m.diversityHist,
    tail: { ...st.tail, retention: tailRetention(st) },
    cluster_sizes: m.clusterSizes,
    history: [...m.history, summary],
    errors: m.errors,
    config: reportConfig(cfg),
  };
  return { summary, report, warnings };
}
