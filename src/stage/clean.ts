/**
 * `synthfilter clean`: the nightly job over a directory of shards, with persistent state. This file orchestrates
 * the steps (src/stage/batch/, docs/architecture.md), each a function of explicit inputs to explicit outputs:
 *   plan         new or changed inputs (registry: path, size, mtime, sha256) -> state/pending.json (a crashed run
 *                resumes it)                                                                        batch/plan.ts
 *   score parts  pure scoring per input file (validation, diversity, origin), in parallel (--workers), to spools
 *                                                                                             batch/score-parts.ts
 *   cluster      in input order: ledger (synthetic reuse), dedup against history and against tonight; clusters of
 *                tonight's near-duplicates keep their best member by `dedup.keep`                 batch/cluster.ts
 *   route        in input order: the router decides (rules, tail, balancing, synthetic cap), shards are written to
 *                curated/.<run-id>.tmp/; the decisions' state effects (ledger notes, index upkeep) are applied
 *                                                                                     batch/route.ts, effects.ts
 *   publish      manifest.json, report.json + report.html, then the folder is renamed into place   batch/publish.ts
 *   commit       new state generation (index, ledger, tail statistics, registry, run history)      batch/commit.ts
 * Every step is deterministic, so a rerun after a crash at any point produces the same bytes. A stop (SIGTERM,
 * SIGINT) is taken between records up to publishing; nothing is then published or committed (stop.ts).
 *
 * State goes through one interface (src/state/backend.ts): the file backend (--state DIR, the default) or Redis
 * (state.backend "redis", docs/redis.md), where many workers, each on its own partition of the inputs and with its
 * own --out, deduplicate against one index: the cluster step's checks are atomic check-and-inserts in batches,
 * keep-best stays local to the worker, and the run's index entries are rolled back if it does not commit.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { cpus } from 'node:os';
import { ScoringPool } from './pool.js';
import { fingerprint, type Config } from '../config/index.js';
import type { DirectorySink } from '../sink/files.js';
import { validateName } from '../fsx/names.js';
import { removeContained } from '../fsx/contained.js';
import { assertOutputFree, checkCleanFolders, cleanRoots, reclaimOwnOutput, stagingDir, writeStoppedManifest } from './clean-paths.js';
import { RunStopped, StopWatch, type StopSignal } from './stop.js';
import type { PendingRun, RegistryEntry, RunSummary } from '../state/file-store.js';
import { createStateBackend, type StateBackend } from '../state/index.js';
import { buildScorers } from '../score/build.js';
import { FilterCore } from './core.js';
import { BackendEffects } from './effects.js';
import type { RunWarning } from './share-warnings.js';
import type { OriginLabel } from '../types.js';
import { planRun } from './batch/plan.js';
import { partsOf, ScoredParts } from './batch/score-parts.js';
import { indexDedup } from './batch/dedup-step.js';
import { openSink, routeRun } from './batch/route.js';
import { buildManifest, sizeHistogram } from './batch/manifest.js';
import { publishRun } from './batch/publish.js';
import { NightStats } from '../report/collect.js';
import { commitRun } from './batch/commit.js';

export interface CleanOptions {
  inDir: string;
  outDir: string;
  /** the file backend's directory; with state.backend "redis" optional (local spools only); without it and
   * without redis, nothing is persisted (memory backend) */
  stateDir?: string;
  /** this worker's partition of the inputs (lock, pending run, registry, history); default: the absolute --in path */
  partition?: string;
  cfg: Config;
  workers?: number;
  /** a safe name (src/fsx/names.ts); default: run-<UTC time>-<random> */
  runId?: string;
  /** aborted (reason "SIGTERM" or "SIGINT") to stop the run cleanly: nothing is published or committed, the
   * stopped manifest goes to the staging folder, and a rerun resumes */
  signal?: AbortSignal;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** test hook: called at named points so crash tests can kill the process there */
  onPhase?: (phase: string) => void;
}

export interface CleanResult {
  runId: string | null;
  outDir: string | null;
  files: number;
  summary: RunSummary | null;
  resumed: boolean;
  /** input files that could not be read completely */
  errors: string[];
  /** the run was stopped by this signal (nothing published or committed) */
  stoppedBy?: StopSignal;
  /** the stopped run's manifest (in its staging folder) */
  stoppedManifest?: string;
  /** warnings about the night's synthetic share (also in manifest.json and report.json); the CLI logs them */
  warnings: RunWarning[];
  /** `--workers N`: the exit code of the worker process that failed (the night was not published) */
  workerExit?: number;
}

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** The run's state as it starts: the pending run to do (resumed or newly planned; null: nothing new tonight), the
 * registry and run history as committed. */
export interface Started {
  run: PendingRun | null;
  resumed: boolean;
  registry: Record<string, RegistryEntry>;
  history: RunSummary[];
}

/** Lock the partition, load the state, resume the pending run or plan a new one (and record it as pending). */
async function startRun(o: CleanOptions, backend: StateBackend, fp: string, roots: string[], stop: StopWatch, log: Log): Promise<Started> {
  await backend.lock();
  await backend.open();
  stop.check();
  let pending = await backend.readPending();
  if (pending) validateName('the pending run id in the state', pending.runId, 'E_STATE');
  const registry = await backend.registryGet();
  const history = await backend.runsList();
  const resumed = pending !== null && pending.fingerprint === fp && pending.generation === backend.generation;
  if (resumed) {
    log(`resuming interrupted run ${pending!.runId}`);
    return { run: pending, resumed, registry, history };
  }
  // a pending run that can no longer resume (committed before its cleanup finished, or planned under another
  // config) leaves nothing behind: its work files and its staging folder go before anything else
  if (pending) {
    await backend.clearPending(pending.runId);
    removeContained(stagingDir(o.outDir, pending.runId), roots);
  }
  const run = await planRun({ inDir: o.inDir, registry, generation: backend.generation, fingerprint: fp, runId: o.runId, stop });
  if (run.files.length === 0) return { run: null, resumed, registry, history };
  // another run's output is never replaced: refused before this run leaves any trace in the state
  assertOutputFree(o.outDir, run.runId);
  await backend.writePending(run);
  return { run, resumed, registry, history };
}

/** What a stop must unwind: the run (once planned), its open output, scoring in this thread, the pool. */
export interface Unwind {
  reached: string;
  run: PendingRun | null;
  sink: DirectorySink | null;
  scoring: ScoredParts | null;
  pool: ScoringPool | null;
}

export async function runClean(o: CleanOptions): Promise<CleanResult> {
  const log = o.log ?? (() => {});
  if (o.runId !== undefined) validateName('--run-id', o.runId);
  if (o.partition !== undefined) validateName('--partition', o.partition);
  checkCleanFolders(o);
  const stop = new StopWatch(o.signal);
  const fp = fingerprint(o.cfg);
  const backend = await createStateBackend({ cfg: o.cfg, fingerprint: fp, partition: o.partition ?? resolve(o.inDir), stateDir: o.stateDir, outDir: o.outDir, log });
  // workers > 1: a pool of scoring threads, started now so they load the scorers and the detector model while this
  // thread takes the lock, loads the state and plans; 1: scoring in this thread (same results either way)
  const workers = Math.max(1, o.workers ?? cpus().length);
  const u: Unwind = { reached: 'start', run: null, sink: null, scoring: null, pool: workers > 1 ? new ScoringPool(o.cfg, workers) : null };
  let resumed = false;
  try {
    const started = await startRun(o, backend, fp, cleanRoots(o), stop, log);
    resumed = started.resumed;
    if (!started.run) {
      log('nothing new to process', { inputs: o.inDir });
      return { runId: null, outDir: null, files: 0, summary: null, resumed: false, errors: [], warnings: [] };
    }
    u.run = started.run;
    return await runNight(o, backend, fp, started, stop, u, log);
  } catch (e) {
    if (!(e instanceof RunStopped)) throw e;
    // stopped by a signal: nothing was published or committed (the state is as before the run, the pending run
    // stays so the rerun resumes it); the open output is dropped and scoring in this thread winds down first
    u.sink?.abort();
    await u.pool?.close();
    u.pool = null;
    await u.scoring?.settled();
    const run = u.run;
    const stoppedManifest = run ? writeStoppedManifest(o.outDir, run, e.signal, u.reached) : undefined;
    log(`stopped by ${e.signal} after phase "${u.reached}"${run ? `: run ${run.runId} was not published; rerun to resume it (manifest: ${stoppedManifest})` : ''}`, { run: run?.runId ?? null, stopped_by: e.signal });
    return { runId: run?.runId ?? null, outDir: null, files: run?.files.length ?? 0, summary: null, resumed, errors: [], warnings: [], stoppedBy: e.signal, stoppedManifest };
  } finally {
    await u.pool?.close();
    await backend.close();
  }
}

/** The planned run's steps, in order: score parts, cluster, route, publish, commit. */
export async function runNight(o: CleanOptions, backend: StateBackend, fp: string, started: Started, stop: StopWatch, u: Unwind, log: Log): Promise<CleanResult> {
  const { cfg } = o;
  const run = started.run!;
  const phase = (p: string) => {
    if (!p.startsWith('scored:')) u.reached = p;
    o.onPhase?.(p);
  };
  // a shared index forgets what an interrupted attempt of this partition indexed before the run is redone
  await backend.beginRun(run.runId);
  phase('planned');
  // a crash after the output was renamed but before the state commit: redo (deterministically) from the old
  // state; only this pending run's own output is removed (clean-paths.ts)
  reclaimOwnOutput(o, run);
  stop.check();
  const work = join(backend.workDir, run.runId);
  mkdirSync(work, { recursive: true });
  // the scoring threads also compute what the sequential steps need per record (features, MinHash lanes)
  const scoring = new ScoredParts({
    run, parts: partsOf(run, work, cfg.input.format), cfg, pool: u.pool, lanes: backend.signatureLanes, stop,
    onFileScored: (i, r) => {
      const f = run.files[i]!;
      phase(`scored:${i}`);
      log(`scored ${i + 1}/${run.files.length} ${f.rel}: ${r.items} records${r.error ? ` (read error: ${r.error})` : ''}`, { run: run.runId, file: f.rel, records: r.items });
    },
  });
  u.scoring = scoring;
  const source = { fileCount: run.files.length, records: (i: number, fill: boolean) => scoring.records(i, fill), fileDone: (i: number) => scoring.fileDone(i) };
  // this thread clusters and routes (overlapping the scoring); scoring happened in the scoring step
  const scorers = buildScorers(cfg, { scoring: false });
  const core = new FilterCore(cfg, { shards: true, scorers: { ...scorers, dedup: null } });
  scoring.readWith(core);
  const tail0 = await backend.tailGet();
  if (tail0) core.restoreTail(tail0);
  const labelOf = scorers.labelOf ?? (() => 'unknown' as OriginLabel);
  const dedup = indexDedup(backend, cfg);
  const clusters = await dedup.clusters(source, labelOf, stop);
  // the threads are done: they terminate in the background (20-50 ms) while this thread routes
  const closing = u.pool?.close().catch(() => {});
  u.pool = null;
  phase('deduped');
  phase('settled');

  stop.check();
  u.sink = openSink(cfg, stagingDir(o.outDir, run.runId));
  const effects = new BackendEffects(backend);
  const night = new NightStats(cfg, run.files.map((f) => ({ path: f.path, name: f.rel })));
  const routed = await routeRun({ runId: run.runId, source, clusters, core, sink: u.sink, effects, stop, night });
  phase('written');
  await dedup.afterRoute(clusters, routed, source, effects, stop);
  await effects.flush(true);

  // publishing is the last point a stop is taken (after it, the run finishes: publishing and committing are short
  // and must not be cut in two)
  stop.check();
  const { summary, report, warnings } = buildManifest({ run, cfg, fingerprint: fp, stats: core.stats, sink: u.sink, history: started.history, clusterSizes: sizeHistogram(clusters.sizes), diversityHist: routed.diversityHist, errors: clusters.errors });
  night.historyDuplicates = clusters.dupOf.size;
  const final = publishRun({ outDir: o.outDir, runId: run.runId, report, roots: cleanRoots(o), night, stateDir: o.stateDir });
  phase('published');
  await dedup.beforeCommit(clusters, routed);
  phase('history');
  await commitRun({ backend, run, registry: started.registry, summary, tail: core.tailSnapshot(), errors: clusters.errors });
  phase('committed');
  await dedup.afterCommit();
  await backend.clearPending(run.runId);
  await closing;
  return { runId: run.runId, outDir: final, files: run.files.length, summary, resumed: started.resumed, errors: clusters.errors, warnings };
}
