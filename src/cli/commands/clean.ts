/** `synthfilter clean --in DIR --out DIR --state DIR`: the nightly job over a directory (see README). */
import { shareSummary } from '../../stage/share.js';
import { usageError } from '../../errors.js';
import { validateName } from '../../fsx/names.js';
import { buildConfig } from '../build-config.js';
import { EXIT } from '../exit-codes.js';
import { parseFlags, type FlagName, type FlagValues } from '../flags.js';
import { createLogger } from '../log.js';
import { checkDirArg, checkOutputDir } from '../path-args.js';
import type { CliIO } from '../main.js';

export const CLEAN_FLAGS: readonly FlagName[] = ['in', 'out', 'state', 'workers', 'run-id', 'partition', 'annotate', 'config', 'set', 'text-field', 'id-field', 'format', 'queue', 'no-wait'];

/** The path flags, checked before anything is opened; with a shared backend (Redis) --state is optional. */
function checkPaths(values: FlagValues, shared: boolean): void {
  const required: FlagName[] = shared ? ['in', 'out'] : ['in', 'out', 'state'];
  const need = required.filter((k) => typeof values[k] !== 'string');
  if (need.length) throw usageError(`clean: missing ${need.map((k) => `--${k} DIR`).join(', ')}`);
  checkDirArg('--in', values.in as string);
  checkOutputDir('--out', values.out as string);
  if (typeof values.state === 'string') checkDirArg('--state', values.state);
}

function parseWorkers(v: FlagValues['workers']): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usageError(`clean: --workers must be a positive integer, got "${v}"`);
  return n;
}

export async function clean(argv: string[], _io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, 'clean', CLEAN_FLAGS);
  if (positionals.length) throw usageError(`clean reads the files under --in DIR and takes no FILE arguments (got "${positionals[0]}")`);
  const quiet = values.quiet === true;
  const log = createLogger({ quiet, json: values['json-logs'] ? true : undefined });
  const cfg = buildConfig(values);
  checkPaths(values, (cfg.state as { backend?: string }).backend === 'redis');
  // --run-id and --partition name folders: plain names, never paths (exit 2 before anything is opened)
  if (typeof values['run-id'] === 'string') validateName('--run-id', values['run-id']);
  if (typeof values.partition === 'string') validateName('--partition', values.partition);
  if (typeof values.queue === 'string') return (await import('./clean-queue.js')).cleanOnQueue(values, cfg, log);
  if (values['no-wait']) throw usageError('clean: --no-wait applies only with --queue');
  const workers = parseWorkers(values.workers);
  const { runClean } = await import('../../stage/clean.js');
  const t0 = Date.now();
  // seconds since process start at the end of each phase: in the summary's fields (JSON logs), for "where did the time go"
  const phases: Record<string, number> = { start: +(performance.now() / 1000).toFixed(3) };
  // signals (docs/security.md "Signals"): the first SIGTERM/SIGINT stops the run cleanly (exit 143/130); a second
  // one exits at once (the lock is then stale and taken over by the next run on this host)
  const stopper = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopper.signal.aborted) process.exit(sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
    stopper.abort(sig);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const r = await runClean({
      onPhase: (p) => {
        if (!p.startsWith('scored:')) phases[p] = +(performance.now() / 1000).toFixed(3);
      },
      inDir: values.in as string,
      outDir: values.out as string,
      stateDir: values.state as string | undefined,
      partition: values.partition as string | undefined,
      cfg,
      workers,
      runId: values['run-id'] as string | undefined,
      log: (msg, fields) => log.info(msg, fields),
      signal: stopper.signal,
    });
    if (r.stoppedBy) return r.stoppedBy === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    if (!r.summary) {
      log.info('clean: no new or changed input files; nothing to do');
      return EXIT.ok;
    }
    const s = r.summary;
    log.info(
      `clean ${r.runId}${r.resumed ? ' (resumed)' : ''}: files=${r.files} input=${s.inputs} accept=${s.accept} reject=${s.reject} quarantine=${s.quarantine} ` +
        `synthetic_share=${(s.synthetic_share * 100).toFixed(1)}% ${shareSummary(s.synthetic_share_estimate)}${s.synthetic_share_estimate ? ' ' : ''}tail_retention=${s.tail_retention === null ? 'n/a' : (s.tail_retention * 100).toFixed(1) + '%'} ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${r.outDir}`,
      { phases },
    );
    for (const w of r.warnings) log.warn(`${w.code}: ${w.message}`);
    for (const e of r.errors) log.error(e);
    return r.errors.length ? EXIT.input : EXIT.ok;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
