/**
 * Each night's report data kept in the state folder, so `synthfilter report --state DIR` redraws any recorded night
 * without rerunning it:
 *
 *   state/reports/<run-id>.json   the night's report.json (without the run history: its `trend` carries what the
 *                                 trend chart needs), written as a checked state file (checksum footer,
 *                                 src/state/checked-file.ts) by atomic rename
 *
 * It is written when the night's output is published, before the state commit; a night whose commit never happened
 * is not in the run history, and `latestRunId` only offers committed nights (file backend). With Redis state the
 * folder (when given) keeps the files too, and the latest is the newest by start time.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { DamagedStateError, readChecked, writeCheckedAtomic } from '../state/checked-file.js';
import { readGenerationFile, readHead } from '../state/generation.js';
import type { RunSummary } from '../state/file-store.js';
import type { Report } from './report.js';
import type { NightData } from './collect.js';
import type { Interval } from './format.js';

export const REPORTS_DIR = 'reports';
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const TEMP = /\.json\.tmp-\d+$/;

/** One night in the trend chart. */
export interface TrendPoint {
  run_id: string;
  started_at: string;
  records: number;
  kept: number;
  /** kept / records (null: no records) */
  kept_rate: number | null;
  /** label-based synthetic share of the kept records */
  share_labels: number;
  /** estimated synthetic share of the input, with its interval (null: not estimated that night) */
  share: Interval | null;
  /** records that duplicated an earlier night's record, and their share of the night's records */
  history_duplicates: number | null;
  duplicate_rate: number | null;
  /** tail records kept (null: not recorded that night) */
  tail_kept: number | null;
}

const pathOf = (stateDir: string, runId: string) => join(stateDir, REPORTS_DIR, `${runId}.json`);

/** The estimate a run summary carries (synthetic-share work, absent for older nights). */
const summaryEstimate = (s: RunSummary): Interval | null => (s as { synthetic_share_estimate?: { input?: Interval } | null }).synthetic_share_estimate?.input ?? null;

/** A trend point from a run summary alone (nights recorded before the report kept its own data). */
export function pointFromSummary(s: RunSummary): TrendPoint {
  return {
    run_id: s.runId,
    started_at: s.startedAt,
    records: s.inputs,
    kept: s.accept,
    kept_rate: s.inputs ? s.accept / s.inputs : null,
    share_labels: s.synthetic_share,
    share: summaryEstimate(s),
    history_duplicates: null,
    duplicate_rate: null,
    tail_kept: null,
  };
}

/** Tonight's point: the summary's numbers with what the report collected. */
export function pointForNight(s: RunSummary, night: NightData, tailKept: number, estimate: Interval | null): TrendPoint {
  const p = pointFromSummary(s);
  p.share = summaryEstimate(s) ?? estimate ?? night.share_total;
  p.history_duplicates = night.history_duplicates;
  p.duplicate_rate = night.history_duplicates !== null && s.inputs ? night.history_duplicates / s.inputs : null;
  p.tail_kept = tailKept;
  return p;
}

/**
 * The trend up to tonight: one point per night of the history (oldest first); earlier nights take the points the
 * last stored report recorded (which hold what their summaries lack), else their summaries'.
 */
export function buildTrend(history: RunSummary[], tonight: TrendPoint, stateDir: string | undefined): TrendPoint[] {
  const known = new Map<string, TrendPoint>();
  if (stateDir) {
    for (let i = history.length - 1; i >= 0; i--) {
      const id = history[i]!.runId;
      if (id === tonight.run_id || !existsSync(pathOf(stateDir, id))) continue;
      try {
        for (const p of loadNightReport(stateDir, id).trend ?? []) known.set(p.run_id, p);
        break;
      } catch {
        /* a damaged earlier report: its summary's points are used */
      }
    }
  }
  return history.map((s) => (s.runId === tonight.run_id ? tonight : (known.get(s.runId) ?? pointFromSummary(s))));
}

/** Keep a night's report in the state folder (history left out: `trend` carries it). */
export function saveNightReport(stateDir: string, report: Report): void {
  if (!RUN_ID.test(report.run_id)) return; // a name that is not a plain file name is never written (library callers)
  const dir = join(stateDir, REPORTS_DIR);
  mkdirSync(dir, { recursive: true });
  // the run holds the state lock: a temp file here is a crashed run's
  for (const n of readdirSync(dir)) if (TEMP.test(n)) rmSync(join(dir, n), { force: true });
  writeCheckedAtomic(pathOf(stateDir, report.run_id), JSON.stringify({ ...report, history: [] }) + '\n');
}

/** A stored night's report; E_USAGE when there is none by that id, E_STATE when its file is damaged. */
export function loadNightReport(stateDir: string, runId: string): Report {
  if (!RUN_ID.test(runId)) throw new SynthfilterError('E_USAGE', `report: --run-id must be a run id (letters, digits, ".", "_", "-"), got ${JSON.stringify(runId)}`);
  if (!existsSync(pathOf(stateDir, runId))) {
    const known = storedRunIds(stateDir);
    throw new SynthfilterError('E_USAGE', `report: no recorded night "${runId}" in ${stateDir} (recorded: ${known.length ? known.slice(-10).join(', ') : 'none'})`);
  }
  const { payload } = readChecked({ dir: stateDir, rel: `${REPORTS_DIR}/${runId}.json` }, false);
  try {
    const r = JSON.parse(Buffer.from(payload).toString('utf8')) as Report;
    if (typeof r !== 'object' || r === null || r.run_id !== runId || typeof r.counts !== 'object') throw new Error('not a night report');
    return r;
  } catch (e) {
    throw new DamagedStateError(stateDir, `${REPORTS_DIR}/${runId}.json`, `unreadable content: ${(e as Error).message}`);
  }
}

/** Run ids with a stored report (sorted by name). */
export function storedRunIds(stateDir: string): string[] {
  const dir = join(stateDir, REPORTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.json') && RUN_ID.test(n.slice(0, -5)))
    .map((n) => n.slice(0, -5))
    .sort();
}

/**
 * The latest recorded night: the last committed run (runs.json of the file backend) that has a stored report; in a
 * folder without committed runs (Redis state), the stored report with the latest start time. null: none.
 */
export function latestRunId(stateDir: string): string | null {
  const stored = new Set(storedRunIds(stateDir));
  if (!stored.size) return null;
  const head = readHead(stateDir);
  if (head) {
    const runs = readGenerationFile(stateDir, head, 'runs.json').value as unknown as RunSummary[];
    for (let i = runs.length - 1; i >= 0; i--) if (stored.has(runs[i]!.runId)) return runs[i]!.runId;
  }
  let best: { id: string; at: string } | null = null;
  for (const id of stored) {
    let at = '';
    try {
      at = loadNightReport(stateDir, id).started_at;
    } catch {
      continue;
    }
    if (!best || at > best.at) best = { id, at };
  }
  return best?.id ?? null;
}
