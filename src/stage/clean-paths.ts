/**
 * Where a `clean` run may write and what it may replace (docs/security.md "Paths and outputs", "Signals").
 *
 *   OUT/<run-id>/            the published output; replaced only by the same pending run redoing itself (a crash
 *                            after publishing, before the state commit), identified by its manifest's run_id,
 *                            started_at and config_fingerprint. Anything else there is refused (E_OUTPUT, exit 4).
 *   OUT/.<run-id>.tmp/       the run's staging folder; a run stopped by a signal leaves its manifest here with
 *                            `complete: false` and `stopped_by`, and nothing is published
 * Every delete goes through removeContained with the run's roots (--out, --state).
 */
import { existsSync, lstatSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { isInside, realLocation, removeContained } from '../fsx/contained.js';
import { writeFileAtomic } from '../sink/files.js';
import type { PendingRun } from '../state/file-store.js';
import { VERSION } from '../version.js';
import type { StopSignal } from './stop.js';

export interface CleanFolders {
  inDir: string;
  outDir: string;
  stateDir?: string;
}

/** The folders a run may delete or rename in. */
export const cleanRoots = (f: CleanFolders): string[] => [f.outDir, ...(f.stateDir ? [f.stateDir] : [])];

export const finalDir = (outDir: string, runId: string) => join(outDir, runId);
export const stagingDir = (outDir: string, runId: string) => join(outDir, `.${runId}.tmp`);

/** --in and --state must be folders when they exist (E_USAGE; --out: E_OUTPUT), and --out and --state must not be
 * inside --in (their files would be read as inputs the next night; E_USAGE). */
export function checkCleanFolders(f: CleanFolders): void {
  if (existsSync(f.inDir) && !statSync(f.inDir).isDirectory()) {
    throw new SynthfilterError('E_USAGE', `clean: --in ${f.inDir} is not a folder`);
  }
  if (f.stateDir !== undefined && existsSync(f.stateDir) && !statSync(f.stateDir).isDirectory()) {
    throw new SynthfilterError('E_USAGE', `clean: --state ${f.stateDir} is not a folder`);
  }
  if (existsSync(f.outDir) && !statSync(f.outDir).isDirectory()) throw new SynthfilterError('E_OUTPUT', `clean: --out ${f.outDir} is not a folder`, f.outDir);
  const inReal = realLocation(f.inDir);
  for (const [flag, dir] of [['--out', f.outDir], ['--state', f.stateDir]] as const) {
    if (dir === undefined) continue;
    const real = realLocation(dir);
    if (real === inReal || isInside(real, inReal)) throw new SynthfilterError('E_USAGE', `clean: ${flag} ${dir} is inside --in ${f.inDir}: its files would be read as inputs`);
  }
}

interface ManifestIdentity {
  run_id?: unknown;
  started_at?: unknown;
  config_fingerprint?: unknown;
}

function publishedBy(dir: string): ManifestIdentity | null {
  try {
    return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as ManifestIdentity;
  } catch {
    return null;
  }
}

const exists = (p: string) => {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
};

/** A new run: its output folder must not exist (another run's output is never replaced). */
export function assertOutputFree(outDir: string, runId: string, remedy = 'choose another --run-id or move that folder'): void {
  const final = finalDir(outDir, runId);
  if (!exists(final)) return;
  const m = publishedBy(final);
  const owner = m && typeof m.run_id === 'string' ? ` (published by run ${m.run_id}${typeof m.started_at === 'string' ? ` started ${m.started_at}` : ''})` : '';
  throw new SynthfilterError('E_OUTPUT', `clean: ${final} exists${owner}: refusing to replace another run's output; ${remedy}`, final);
}

/**
 * A run about to (re)write its output: a published folder of this same pending run (a crash after publishing,
 * before the commit) is removed so the run redoes it; one of any other run is refused. Its staging folder goes.
 */
export function reclaimOwnOutput(f: CleanFolders, run: PendingRun): void {
  if (publishedByThisRun(f, run)) removeContained(finalDir(f.outDir, run.runId), cleanRoots(f));
  removeContained(stagingDir(f.outDir, run.runId), cleanRoots(f));
}

/** Did this pending run publish OUT/<run-id>/ already (a crash after publishing, before the commit)? A folder there
 * that another run published is refused (E_OUTPUT). */
export function publishedByThisRun(f: CleanFolders, run: PendingRun): boolean {
  const final = finalDir(f.outDir, run.runId);
  if (!exists(final)) return false;
  const m = publishedBy(final);
  const ours = m !== null && m.run_id === run.runId && m.started_at === run.startedAt && m.config_fingerprint === run.fingerprint;
  if (!ours) assertOutputFree(f.outDir, run.runId, `the pending run ${run.runId} publishes there: move that folder away and rerun`); // throws
  return true;
}

/** The manifest of a run stopped by a signal: in its staging folder, never published. Returns its path. */
export function writeStoppedManifest(outDir: string, run: PendingRun, signal: StopSignal, phase: string): string {
  const path = join(stagingDir(outDir, run.runId), 'manifest.json');
  const manifest = {
    version: VERSION,
    run_id: run.runId,
    started_at: run.startedAt,
    config_fingerprint: run.fingerprint,
    complete: false,
    stopped_by: signal,
    stopped_at: new Date().toISOString(),
    phase,
    inputs: run.files.map((x) => ({ file: x.rel, bytes: x.size, sha256: x.sha256 })),
    resume: 'rerun the same command: the run resumes from its state and publishes what an uninterrupted run would',
  };
  writeFileAtomic(path, JSON.stringify(manifest, null, 2) + '\n');
  return path;
}
