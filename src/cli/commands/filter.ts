/**
 * `synthfilter [filter] [FILE ...]` and `synthfilter score [FILE ...]`: one streaming run over the inputs.
 * filter: accepted records to stdout (or shards with --out); score: every record, in input order, annotated.
 */
import { shareSummary } from '../../stage/share.js';
import { runFilter } from '../../stage/run.js';
import { usageError } from '../../errors.js';
import { buildConfig } from '../build-config.js';
import { EXIT, exitFor } from '../exit-codes.js';
import { parseFlags, type FlagName } from '../flags.js';
import { createLogger, type Logger } from '../log.js';
import { checkOutputDir } from '../path-args.js';
import type { Stats } from '../../stage/core.js';
import type { CliIO } from '../main.js';

const CONFIG_FLAGS: readonly FlagName[] = ['config', 'set', 'text-field', 'id-field', 'format'];
export const FILTER_FLAGS: readonly FlagName[] = ['out', 'rejects', 'quarantine', 'annotate', ...CONFIG_FLAGS];
/** score writes every record, annotated, to stdout: output-routing flags have nothing to act on */
export const SCORE_FLAGS: readonly FlagName[] = CONFIG_FLAGS;

function summary(s: Stats): string {
  const reasons = Object.entries(s.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const share = shareSummary(s.syntheticShare.report().estimate);
  return `input=${s.seen} accept=${s.accept} reject=${s.reject} quarantine=${s.quarantine}${share ? ` ${share}` : ''}${reasons ? ` | ${reasons}` : ''}`;
}

/** Records/s and MB/s on one rewritten stderr line, at most once a second (TTY only). */
function progressReporter(stderr: NodeJS.WritableStream): (s: Stats) => void {
  const t0 = Date.now();
  let last = 0;
  return (s) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const dt = (now - t0) / 1000;
    stderr.write(`\r${s.seen} records  ${(s.seen / dt).toFixed(0)} rec/s  ${(s.bytesIn / dt / 1e6).toFixed(1)} MB/s   `);
  };
}

/** SIGINT/SIGTERM stop reading (the run then flushes); `off()` removes the handlers. */
function watchSignals(io: CliIO) {
  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) return; // a second signal while flushing is ignored; the flush is quick
    signal = s;
    if (io.stdin === process.stdin) process.stdin.destroy(); // unblock a read that waits on stdin
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    get signal() {
      return signal;
    },
    off() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

const signalExit = (s: NodeJS.Signals | null) => (s === 'SIGINT' ? EXIT.sigint : s === 'SIGTERM' ? EXIT.sigterm : null);

async function run(mode: 'filter' | 'score', argv: string[], io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, mode, mode === 'score' ? SCORE_FLAGS : FILTER_FLAGS);
  const quiet = values.quiet === true;
  const log: Logger = createLogger({ quiet, json: values['json-logs'] ? true : undefined });
  const cfg = buildConfig(values);
  const out = values.out as string | undefined;
  if (out !== undefined) {
    checkOutputDir('--out', out);
    if (values.rejects !== undefined || values.quarantine !== undefined) throw usageError('--rejects/--quarantine are for stdout mode; with --out they go to DIR/rejects and DIR/quarantine');
  }
  const isTTY = (io.stderr as NodeJS.WriteStream).isTTY === true;
  const signals = watchSignals(io);
  try {
    const res = await runFilter({
      sources: positionals,
      cfg,
      mode,
      outDir: out,
      rejectsPath: values.rejects as string | undefined,
      quarantinePath: (values.quarantine ?? values.rejects) as string | undefined,
      stdout: io.stdout,
      stdin: io.stdin,
      shouldStop: () => signals.signal !== null,
      onProgress: !quiet && isTTY ? progressReporter(io.stderr) : undefined,
    });
    if (!quiet) {
      if (isTTY) io.stderr.write('\r\x1b[K');
      log.info(summary(res.stats));
      if (res.unwritten) log.warn(`${res.unwritten} rejected/quarantined records were counted but not written (use --rejects FILE or --out DIR)`);
      if (res.manifestPath) log.info(`manifest: ${res.manifestPath}`);
      for (const w of res.warnings) log.warn(`${w.code}: ${w.message}`);
    }
    if (res.error) {
      log.error(res.error.message);
      return exitFor(res.error);
    }
    return signalExit(signals.signal) ?? EXIT.ok;
  } catch (e) {
    // a signal can surface as a read error of the destroyed stdin: the stop is the outcome, not the error
    const stopped = signalExit(signals.signal);
    if (stopped !== null) return stopped;
    throw e;
  } finally {
    signals.off();
  }
}

export const filter = (argv: string[], io: CliIO) => run('filter', argv, io);
export const score = (argv: string[], io: CliIO) => run('score', argv, io);
