/**
 * `clean` as one rank of the night's tasks, in this process: plain `clean` (one rank, scoring on a thread per
 * core), `--workers 1`, and each `--world-size N --rank R` process (one thread). Plans or joins the night
 * (night.ts), runs the rank (ranks.ts) and reports the night as `runClean` does (src/stage/clean.ts), so the CLI
 * prints the same summary and exits with the same code whichever way the night ran.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { finalDir, stagingDir, writeStoppedManifest } from '../stage/clean-paths.js';
import type { CleanResult } from '../stage/clean.js';
import { ScoringPool } from '../stage/pool.js';
import { RunStopped } from '../stage/stop.js';
import { pendingOf, type PublishedNight } from './finish.js';
import { openNight, type Log, type NightSpec, type TaskNight } from './night.js';
import { runRank } from './ranks.js';

export interface TasksCleanOptions {
  spec: NightSpec;
  rank: number;
  worldSize: number;
  /** scoring threads in this process (1: score in this thread) */
  threads: number;
  signal?: AbortSignal;
  log: Log;
  /** test hook: the finish task's named points */
  onPhase?: (phase: string) => void;
}

export const NOTHING_NEW: CleanResult = { runId: null, outDir: null, files: 0, summary: null, resumed: false, errors: [], warnings: [] };

/** The night's result as `runClean` reports it. */
export function cleanResultOf(spec: NightSpec, r: PublishedNight, resumed: boolean): CleanResult {
  return { runId: r.runId, outDir: finalDir(spec.outDir, r.runId), files: r.files, summary: r.summary, resumed, errors: r.errors, warnings: r.warnings };
}

/** A stop: nothing published; the stopped manifest in the staging folder (the finish task writes its own). */
export function stoppedResult(night: TaskNight, e: RunStopped, log: Log): CleanResult {
  const at = join(stagingDir(night.spec.outDir, night.runId), 'manifest.json');
  const manifest = existsSync(at) ? at : writeStoppedManifest(night.spec.outDir, pendingOf(night.plan), e.signal, 'map');
  log(`stopped by ${e.signal}: run ${night.runId} was not published; rerun to resume it (manifest: ${manifest})`, { run: night.runId, stopped_by: e.signal });
  return { runId: night.runId, outDir: null, files: night.plan.files.length, summary: null, resumed: night.resumed, errors: [], warnings: [], stoppedBy: e.signal, stoppedManifest: manifest };
}

export async function cleanAsTasks(o: TasksCleanOptions): Promise<CleanResult> {
  // threads start now, loading the scorers while this thread plans
  const pool = o.threads > 1 ? new ScoringPool(o.spec.cfg, o.threads) : null;
  try {
    const night = await openNight(o.spec, o.log, { pool, onPhase: o.onPhase });
    if (!night) {
      o.log('nothing new to process', { inputs: o.spec.inDir });
      return NOTHING_NEW;
    }
    try {
      const r = await runRank(night, { rank: o.rank, worldSize: o.worldSize, concurrency: o.threads, signal: o.signal, log: o.log });
      return cleanResultOf(o.spec, r, night.resumed);
    } catch (e) {
      if (e instanceof RunStopped) return stoppedResult(night, e, o.log);
      throw e;
    }
  } finally {
    await pool?.close();
  }
}
