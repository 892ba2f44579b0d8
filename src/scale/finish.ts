/**
 * The night's last task, "finish": today's steps cluster, route, publish and commit (src/stage/clean.ts runNight),
 * reading the spools the map tasks wrote. It is the only task that takes the state lock (it alone writes the
 * state). Idempotent: a finish that crashed before its commit is redone from the same spools and the same state
 * (so it publishes the same bytes); one that crashed after its commit finds the state's generation moved on and
 * only reports the night as published.
 */
import { resolve } from 'node:path';
import { fingerprint } from '../config/index.js';
import { removeContained } from '../fsx/contained.js';
import { cleanRoots, stagingDir, writeStoppedManifest } from '../stage/clean-paths.js';
import { runNight, type CleanOptions, type Unwind } from '../stage/clean.js';
import type { RunWarning } from '../stage/share-warnings.js';
import { RunStopped, type StopWatch } from '../stage/stop.js';
import type { PendingRun, RunSummary } from '../state/file-store.js';
import { createStateBackend } from '../state/index.js';
import type { NightPlan } from './plan-file.js';
import type { Log, NightSpec } from './night.js';

/** What the published marker records: what every process of the night reports when it ends. */
export interface PublishedNight {
  runId: string;
  files: number;
  summary: RunSummary | null;
  /** input files that could not be read completely */
  errors: string[];
  warnings: RunWarning[];
}

/** The pending run as the state records it (the plan without its task fields). */
export function pendingOf(plan: NightPlan): PendingRun {
  const { runId, startedAt, fingerprint: fp, generation, files } = plan;
  return { runId, startedAt, fingerprint: fp, generation, files };
}

export async function finishNight(spec: NightSpec, plan: NightPlan, stop: StopWatch, log: Log, onPhase?: (p: string) => void): Promise<PublishedNight> {
  const fp = fingerprint(spec.cfg);
  const run = pendingOf(plan);
  const o: CleanOptions = { inDir: spec.inDir, outDir: spec.outDir, stateDir: spec.stateDir, partition: spec.partition, cfg: spec.cfg, runId: plan.runId, log, onPhase };
  const backend = await createStateBackend({ cfg: spec.cfg, fingerprint: fp, partition: spec.partition ?? resolve(spec.inDir), stateDir: spec.stateDir, outDir: spec.outDir, log });
  const u: Unwind = { reached: 'scored', run, sink: null, scoring: null, pool: null };
  try {
    await backend.lock();
    await backend.open();
    stop.check();
    if (backend.generation !== plan.generation) {
      // committed by an earlier attempt that did not live to write the published marker
      const summary = (await backend.runsList()).find((r) => r.runId === plan.runId) ?? null;
      return { runId: plan.runId, files: plan.files.length, summary, errors: [], warnings: [] };
    }
    const pending = await backend.readPending();
    const resumed = pending !== null && pending.runId === plan.runId;
    // another pending run (an older release's interrupted run) leaves nothing behind, as in startRun (clean.ts)
    if (pending && !resumed) {
      await backend.clearPending(pending.runId);
      removeContained(stagingDir(spec.outDir, pending.runId), cleanRoots(o));
    }
    if (!resumed) await backend.writePending(run);
    const started = { run, resumed, registry: await backend.registryGet(), history: await backend.runsList() };
    const r = await runNight(o, backend, fp, started, stop, u, log);
    return { runId: plan.runId, files: r.files, summary: r.summary, errors: r.errors, warnings: r.warnings };
  } catch (e) {
    if (e instanceof RunStopped) {
      // nothing was published or committed: the open output goes, the stopped manifest stays in the staging folder
      u.sink?.abort();
      writeStoppedManifest(spec.outDir, run, e.signal, u.reached);
    }
    throw e;
  } finally {
    await backend.close();
  }
}
