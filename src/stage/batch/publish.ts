/**
 * Step "publish" of the nightly job: the manifest, report.json and report.html go into the run's staging folder,
 * then the folder is renamed into place as OUT/<run-id>/. The rename refuses to replace anything (another run's
 * output is never replaced: clean-paths.ts); every path stays inside the run's roots (--out, --state).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { renameContained } from '../../fsx/contained.js';
import { renderReport } from '../../report/report.js';
import { writeFileAtomic } from '../../sink/files.js';
import { finalDir, stagingDir } from '../clean-paths.js';
import type { NightReport } from './manifest.js';

export interface PublishInput {
  outDir: string;
  runId: string;
  report: NightReport;
  /** the folders the run may rename in */
  roots: readonly string[];
}

/** Write the manifest and reports into the staging folder and publish it; returns the published folder. */
export function publishRun(p: PublishInput): string {
  const staging = stagingDir(p.outDir, p.runId);
  const final = finalDir(p.outDir, p.runId);
  writeFileAtomic(join(staging, 'manifest.json'), JSON.stringify({ ...p.report, history: undefined, complete: true, stopped_by: null }, null, 2) + '\n');
  writeFileAtomic(join(staging, 'report.json'), JSON.stringify(p.report, null, 2) + '\n');
  writeFileAtomic(join(staging, 'report.html'), renderReport(p.report));
  mkdirSync(p.outDir, { recursive: true });
  renameContained(staging, final, p.roots);
  return final;
}
