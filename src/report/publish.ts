/**
 * The end of a night: report.json and report.html into the run's (staging) output folder, and the night's report
 * data into the state folder (store.ts) so `synthfilter report` can redraw it later.
 */
import { join } from 'node:path';
import { writeFileAtomic } from '../sink/files.js';
import type { NightStats } from './collect.js';
import { renderReport, type Report } from './report.js';
import { buildTrend, pointForNight, saveNightReport } from './store.js';

/**
 * @param report the night's report as the manifest has it, with the run history (its last entry is tonight's)
 * @param stateDir the state folder, when the night has one
 */
export function publishReport(dir: string, report: Report, night: NightStats, stateDir: string | undefined): Report {
  const data = night.toJSON();
  const summary = report.history[report.history.length - 1]!;
  const tonight = pointForNight(summary, data, report.tail.accepted, report.synthetic_share?.estimate?.input ?? null);
  const full: Report = { ...report, night: data, trend: buildTrend(report.history, tonight, stateDir) };
  writeFileAtomic(join(dir, 'report.json'), JSON.stringify(full, null, 2) + '\n');
  writeFileAtomic(join(dir, 'report.html'), renderReport(full));
  if (stateDir) saveNightReport(stateDir, full);
  return full;
}
