/**
 * The finish of a batch-engine night (`dedup.engine: "batch"`), after the route and write tasks: the manifest and
 * reports from the route task's statistics and the write tasks' files, the atomic publish of the staging folder,
 * then (holding the state lock, the only task that writes the state) the night's kept records join the band
 * history and the ledger notes become run sets (bands/, ledger/), then registry, run history and tail statistics are
 * committed as one state generation.
 * Idempotent: a finish that crashed before publishing publishes the same files; one that crashed after publishing
 * finds its own published folder and commits; one that crashed after the commit only reports the night.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fingerprint } from '../../config/index.js';
import { NightStats } from '../../report/collect.js';
import { buildScorers } from '../../score/build.js';
import type { FileInfo, ShardInfo } from '../../sink/files.js';
import { commitRun } from '../../stage/batch/commit.js';
import { buildManifest } from '../../stage/batch/manifest.js';
import { publishRun } from '../../stage/batch/publish.js';
import { cleanRoots, publishedByThisRun, stagingDir } from '../../stage/clean-paths.js';
import { FilterCore } from '../../stage/core.js';
import { restoreStats } from '../../stage/stats.js';
import type { StopWatch } from '../../stage/stop.js';
import { createStateBackend, type StateBackend } from '../../state/index.js';
import { compact, dropSetsFrom, dropStaleStaged, historyInputs, placeStagedSet, stagedSetDir } from '../bands/history.js';
import { commitLedgerNight, compactLedger, ledgerDir } from '../bands/ledger-runs.js';
import { memoryBytesOf } from '../memory.js';
import { bandParams, bandsWorkDir, historyDir } from '../batch-tasks.js';
import { pendingOf, type PublishedNight } from '../finish.js';
import type { Log, NightSpec } from '../night.js';
import type { NightPlan } from '../plan-file.js';
import { notesPath, readNotes, readSummary, readTail, type RouteSummary } from './route-outputs.js';
import type { WrittenFile } from './write-task.js';

/** A level of the band history merges when it holds more than this many sets. */
export const FAN_IN = 4;

export interface PublishCommitInput {
  spec: NightSpec;
  plan: NightPlan;
  /** the night's task folder name (g<generation>) */
  nightDir: string;
  routeDir: string;
  /** the write tasks' results, every file of the night */
  written: WrittenFile[];
  stop: StopWatch;
  log: Log;
  onPhase?: (p: string) => void;
}

/** Temporary files interrupted writers left in the staging folder (AtomicFile: .<name>.tmp-<pid>). */
function removeTempFiles(dir: string): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.isDirectory()) removeTempFiles(join(dir, e.name));
    else if (/^\..*\.tmp-\d+$/.test(e.name)) rmSync(join(dir, e.name), { force: true });
  }
}

/** The night's files in the order the route task met them, by kind (as the one-process sink lists them). */
function filesOf(r: RouteSummary, written: WrittenFile[]): { shards: ShardInfo[]; rejects: FileInfo[]; quarantine: FileInfo[] } {
  const byDest = new Map(written.map((w) => [w.dest, w]));
  const out = { shards: [] as ShardInfo[], rejects: [] as FileInfo[], quarantine: [] as FileInfo[] };
  for (const d of r.dests) {
    const w = byDest.get(d.index);
    if (!w) throw new Error(`output file ${d.kind} ${d.name} was not written`);
    if (d.kind === 'shard') out.shards.push(w.info as ShardInfo);
    else (d.kind === 'reject' ? out.rejects : out.quarantine).push(w.info);
  }
  return out;
}

/** The night's history set, staged by the history tasks, takes its place. A set of this night's generation that a
 * crashed attempt placed is the same set (its name and files follow from the history below the night and the
 * accepted records) and stays; any other set of this generation or later goes. */
function commitHistory(i: PublishCommitInput): void {
  const params = bandParams(i.spec.cfg);
  const hist = historyDir(i.spec.stateDir);
  const first = historyInputs(hist, params.groups, i.plan.generation).nextId;
  let kept = 0;
  for (const b of readFileSync(join(i.routeDir, 'accepted.bits'))) for (let x = b; x; x &= x - 1) kept++;
  dropSetsFrom(hist, i.plan.generation, { keep: kept ? { first, end: first + kept } : undefined });
  dropStaleStaged(hist, i.plan.generation);
  placeStagedSet(hist, params, { staged: stagedSetDir(hist, i.plan.generation), generation: i.plan.generation, first, kept });
}

/** The night's ledger notes as its ledger set (after removing any a crashed attempt of this night left). */
function commitLedger(i: PublishCommitInput): void {
  const dir = ledgerDir(i.spec.stateDir);
  dropSetsFrom(dir, i.plan.generation);
  commitLedgerNight(dir, readNotes(notesPath(i.routeDir), i.plan.runId), { run: i.plan.runId, generation: i.plan.generation, memoryBytes: memoryBytesOf(i.spec.cfg) });
}

async function commitState(i: PublishCommitInput, backend: StateBackend, r: RouteSummary, summary: Parameters<typeof commitRun>[0]['summary']): Promise<void> {
  commitLedger(i);
  await commitRun({ backend, run: pendingOf(i.plan), registry: await backend.registryGet(), summary, tail: { docs: r.tailDocs, df: readTail(i.routeDir) }, errors: r.errors });
}

export async function publishAndCommit(i: PublishCommitInput): Promise<PublishedNight> {
  const { spec, plan, stop } = i;
  const cfg = spec.cfg;
  const fp = fingerprint(cfg);
  const run = pendingOf(plan);
  const roots = cleanRoots(spec);
  const backend = await createStateBackend({ cfg, fingerprint: fp, partition: spec.partition ?? resolve(spec.inDir), stateDir: spec.stateDir, outDir: spec.outDir, log: i.log });
  try {
    await backend.lock();
    await backend.open();
    stop.check();
    if (backend.generation !== plan.generation) {
      // committed by an earlier attempt that did not live to write the published marker
      const summary = (await backend.runsList()).find((x) => x.runId === plan.runId) ?? null;
      return { runId: plan.runId, files: plan.files.length, summary, errors: [], warnings: [] };
    }
    const pending = await backend.readPending();
    if (pending === null || pending.runId !== plan.runId) await backend.writePending(run);
    const r = readSummary(i.routeDir);
    const scorers = buildScorers(cfg, { scoring: false });
    const stats = restoreStats(new FilterCore(cfg, { shards: true, scorers: { ...scorers, dedup: null } }).stats, r.stats);
    const history = await backend.runsList();
    const m = buildManifest({ run, cfg, fingerprint: fp, stats, sink: filesOf(r, i.written), history, clusterSizes: r.clusterSizes, diversityHist: r.diversityHist, errors: r.errors });
    if (!publishedByThisRun(spec, run)) {
      stop.check();
      removeTempFiles(stagingDir(spec.outDir, plan.runId));
      const night = NightStats.fromJSON(cfg, r.night);
      publishRun({ outDir: spec.outDir, runId: plan.runId, report: m.report, roots, night, stateDir: spec.stateDir });
    }
    i.onPhase?.('published');
    commitHistory(i);
    i.onPhase?.('history');
    await commitState(i, backend, r, m.summary);
    i.onPhase?.('committed');
    compact(historyDir(spec.stateDir), bandParams(cfg), FAN_IN);
    compactLedger(ledgerDir(spec.stateDir), FAN_IN);
    rmSync(bandsWorkDir(spec.stateDir, i.nightDir), { recursive: true, force: true });
    await backend.clearPending(plan.runId);
    rmSync(i.routeDir, { recursive: true, force: true });
    return { runId: plan.runId, files: plan.files.length, summary: m.summary, errors: r.errors, warnings: m.warnings };
  } finally {
    await backend.close();
  }
}
