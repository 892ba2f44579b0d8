/**
 * The nightly report: `Report` is what `clean` writes as report.json (and, without the run history, as
 * manifest.json); `renderReport` turns it into report.html, one self-contained page (inline CSS and SVG, one small
 * inline script that sorts tables; no network). The sections live in sections/*.ts, the charts in svg.ts, the page
 * frame in page.ts; what the page shows is described in docs/report.md.
 */
import type { RunSummary } from '../state/file-store.js';
import type { ShardInfo, FileInfo } from '../sink/files.js';
import type { OriginLabel } from '../types.js';
import type { NightData } from './collect.js';
import type { Interval } from './format.js';
import type { TrendPoint } from './store.js';
import { renderPage } from './page.js';

/** The synthetic-share estimate block of a manifest (docs/synthetic-share-output.md). */
export interface ShareEstimateBlock {
  input: Interval;
  accepted: Interval | null;
  method: string;
  undeclared: number;
  abstained?: number;
  confidence?: 'ok' | 'low';
  low_confidence_reason?: string;
}

export interface Report {
  version: string;
  run_id: string;
  started_at: string;
  config_fingerprint: string;
  inputs: Array<{ file: string; bytes: number; sha256: string }>;
  counts: { input: number; accept: number; reject: number; quarantine: number };
  reasons: Record<string, number>;
  origin: { input: Record<OriginLabel, number>; accepted: Record<OriginLabel, number> };
  max_synthetic_share: number;
  shards: ShardInfo[];
  rejects: FileInfo[];
  quarantine: FileInfo[];
  p_ai_hist: Record<OriginLabel, number[]>;
  diversity_hist: Record<string, number[]>;
  tail: { seen: number; accepted: number; hard: number; retention: number | null };
  cluster_sizes: Record<string, number>;
  history: RunSummary[];
  errors?: string[];
  config: unknown;
  /** label-based shares and the estimate with its interval (synthetic-share work; absent in older reports) */
  synthetic_share?: { input: number; accepted: number; estimate?: ShareEstimateBlock | null; estimate_reason?: string; provenance_invalid?: number };
  /** things the data owner should look at: {code, message} (absent in older reports) */
  warnings?: Array<{ code: string; message: string }>;
  /** report.json only: per file, per stratum, reasons, distributions (collect.ts) */
  night?: NightData;
  /** report.json only: one point per recorded night up to this one (store.ts) */
  trend?: TrendPoint[];
}

export function renderReport(r: Report): string {
  return renderPage(r);
}
