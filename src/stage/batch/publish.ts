/**
 * Step "publish" of the nightly job: the manifest, report.json and report.html go into the run's staging folder,
 * then the folder is renamed into place as OUT/<run-id>/. The rename refuses to replace anything (another run's
 * output is never replaced: clean-paths.ts); every path stays inside the run's roots (--out, --state).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renameContained } from '../../fsx/contained.js';
import type { NightStats } from '../../report/collect.js';
import { publishReport } from '../../report/publish.js';
import { writeFileAtomic } from '../../sink/files.js';
import { finalDir, stagingDir } from '../clean-paths.js';
import type { NightReport } from './manifest.js';

export interface PublishInput {
  outDir: string;
  runId: string;
  report: NightReport;
  /** the folders the run may rename in */
  roots: readonly string[];
  /** the report's counts, and the state folder that keeps each night's report data (`synthfilter report`) */
  night: NightStats;
  stateDir?: string;
}

/** Write the manifest and reports into the staging folder and publish it; returns the published folder. */
export function publishRun(p: PublishInput): string {
  const staging = stagingDir(p.outDir, p.runId);
  const final = finalDir(p.outDir, p.runId);
  writeFileAtomic(join(staging, 'manifest.json'), JSON.stringify({ ...p.report, history: undefined, complete: true, stopped_by: null }, null, 2) + '\n');
  publishReport(staging, p.report, p.night, p.stateDir);
  mkdirSync(p.outDir, { recursive: true });
  renameContained(staging, final, p.roots);
  return final;
}
