/**
 * `synthfilter report --state DIR [--run-id ID] [--out FILE]`: redraw the report page of a recorded night from the
 * state folder (state/reports/<run-id>.json, kept by `clean`), without rerunning it. The page is the command's data:
 * to stdout, or to FILE with --out (written atomically). The default night is the latest committed one.
 * Exit 2: no --state, no recorded night (by that id); 6: the night's file is damaged.
 */
import { statSync } from 'node:fs';
import { usageError } from '../../errors.js';
import { renderReport } from '../../report/report.js';
import { latestRunId, loadNightReport, storedRunIds } from '../../report/store.js';
import { writeFileAtomic } from '../../sink/files.js';
import { EXIT } from '../exit-codes.js';
import { parseFlags, type FlagName } from '../flags.js';
import { createLogger } from '../log.js';
import { checkDirArg } from '../path-args.js';
import type { CliIO } from '../main.js';
import { writeText } from '../write-text.js';

export const REPORT_FLAGS: readonly FlagName[] = ['state', 'run-id', 'out'];

export async function reportCommand(argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, 'report', REPORT_FLAGS);
  if (positionals.length) throw usageError(`report takes no FILE arguments (got "${positionals[0]}"); write the page with --out FILE`);
  const state = values.state;
  if (typeof state !== 'string') throw usageError('report: missing --state DIR (the state folder of `synthfilter clean`)');
  checkDirArg('--state', state);
  if (!statSync(state, { throwIfNoEntry: false })) throw usageError(`report: --state ${state} does not exist`);
  const runId = typeof values['run-id'] === 'string' ? values['run-id'] : latestRunId(state);
  if (runId === null) {
    const none = storedRunIds(state).length === 0;
    throw usageError(`report: no recorded night in ${state}${none ? ' (nights are recorded by `synthfilter clean --state DIR` from this version on)' : ''}`);
  }
  const html = renderReport(loadNightReport(state, runId));
  const out = values.out;
  if (typeof out === 'string') {
    if (statSync(out, { throwIfNoEntry: false })?.isDirectory()) throw usageError(`report: --out ${out} is a directory; name the HTML file to write`);
    writeFileAtomic(out, html);
    createLogger({ quiet: values.quiet === true, json: values['json-logs'] ? true : undefined }).info(`report ${runId}: wrote ${out} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KB)`);
  } else await writeText(io.stdout, html);
  return EXIT.ok;
}
