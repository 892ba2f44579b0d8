/**
 * The `synthfilter` command. stdout carries records only; logs, progress and the summary go to stderr.
 *
 *   synthfilter [filter] [FILES...]   accepted records to stdout (or shards with --out)
 *   synthfilter score [FILES...]      every record, in input order, annotated with the decision
 *   synthfilter clean --in DIR --out DIR --state DIR   nightly job (see README)
 */
import { parseArgs } from 'node:util';
import { loadConfigFile, resolveConfig, setPath, type Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { runFilter } from '../stage/run.js';
import { VERSION } from '../version.js';
import { createLogger, type Logger } from './log.js';
import type { Stats } from '../stage/core.js';
import { shareSummary } from '../stage/share.js';

/** Documented exit codes (README "Exit codes"). */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2, // bad flags or bad configuration
  input: 3, // unreadable or truncated input (everything before it was flushed)
  output: 4, // cannot write output
  locked: 5, // clean: another run holds the state lock
  state: 6, // clean: incompatible or corrupt state
  backend: 7, // clean: shared state (Redis) unreachable for longer than state.retryMs, or lost mid-run
  sigint: 130,
  sigterm: 143,
} as const;

const HELP = `synthfilter ${VERSION} — streaming curation stage for ML training text

Usage:
  synthfilter [filter] [options] [FILE ...]   filter records; accepted to stdout, or shards with --out
  synthfilter score [options] [FILE ...]      every record in input order with its annotation and decision
  synthfilter clean --in DIR --out DIR --state DIR [options]   nightly cleanup over a directory
  synthfilter clean --in DIR --out DIR --set state.backend='"redis"' --set state.url='"redis://HOST:6379"'
                    [--partition NAME] [--state DIR]          one of many workers sharing state in Redis

Input: JSONL or a top-level JSON array, plain, .gz or .zst (detected by magic bytes); stdin when no FILE or "-".

Options:
  -o, --out DIR          write rotated shards, rejects/, quarantine/ and manifest.json to DIR
  -r, --rejects FILE     write rejected records (annotated) to FILE (.gz compresses)
  -q, --quarantine FILE  write quarantined input to FILE (default: the --rejects file)
  -a, --annotate         add the annotation to accepted records
  -c, --config FILE      JSON config deep-merged over config/default.json
      --set KEY=VALUE    set one config key (dotted path; VALUE parsed as JSON when it parses), repeatable
      --text-field PATH  dotted path of the text (default "text")
      --id-field PATH    dotted path of the id (default "id"; missing ids get a stable hash of the text)
      --format F         auto | jsonl | json
      --quiet            no progress, no summary (errors only)
      --json-logs        structured JSON logs on stderr
  -h, --help             this help
  -v, --version          print the version

Exit codes: 0 ok (also when stdout is closed early, e.g. | head), 1 internal error, 2 usage or configuration
error, 3 input error (after flushing what was read), 4 output error, 5 state locked, 6 bad state, 7 shared state
(Redis) unreachable for longer than state.retryMs or lost mid-run (nothing committed), 130 SIGINT, 143 SIGTERM.`;

function parseValue(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

export interface CliIO {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

function buildConfig(values: Record<string, unknown>): Config {
  const overrides: unknown[] = [];
  if (typeof values['config'] === 'string') overrides.push(loadConfigFile(values['config']));
  const flags: Record<string, unknown> = {};
  if (typeof values['text-field'] === 'string') setPath(flags, 'input.textField', values['text-field']);
  if (typeof values['id-field'] === 'string') setPath(flags, 'input.idField', values['id-field']);
  if (typeof values['format'] === 'string') setPath(flags, 'input.format', values['format']);
  if (values['annotate']) setPath(flags, 'output.annotate', true);
  for (const kv of (values['set'] as string[] | undefined) ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new SynthfilterError('E_USAGE', `--set expects KEY=VALUE, got "${kv}"`);
    setPath(flags, kv.slice(0, i), parseValue(kv.slice(i + 1)));
  }
  overrides.push(flags);
  return resolveConfig(...overrides);
}

function summary(s: Stats): string {
  const reasons = Object.entries(s.reasons)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const share = shareSummary(s.syntheticShare.report().estimate);
  return `input=${s.seen} accept=${s.accept} reject=${s.reject} quarantine=${s.quarantine}${share ? ` ${share}` : ''}${reasons ? ` | ${reasons}` : ''}`;
}

function progressReporter(log: Logger, enabled: boolean, stderr: NodeJS.WritableStream): ((s: Stats) => void) | undefined {
  if (!enabled) return undefined;
  const t0 = Date.now();
  let last = 0;
  return (s) => {
    const now = Date.now();
    if (now - last < 1000) return;
    last = now;
    const dt = (now - t0) / 1000;
    stderr.write(`\r${s.seen} records  ${(s.seen / dt).toFixed(0)} rec/s  ${(s.bytesIn / dt / 1e6).toFixed(1)} MB/s   `);
    void log;
  };
}

export async function main(io: CliIO): Promise<number> {
  const args = io.argv.slice();
  let command = 'filter';
  if (args[0] === 'score' || args[0] === 'filter' || args[0] === 'clean') command = args.shift()!;
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        out: { type: 'string', short: 'o' },
        rejects: { type: 'string', short: 'r' },
        quarantine: { type: 'string', short: 'q' },
        annotate: { type: 'boolean', short: 'a' },
        config: { type: 'string', short: 'c' },
        set: { type: 'string', multiple: true },
        'text-field': { type: 'string' },
        'id-field': { type: 'string' },
        format: { type: 'string' },
        quiet: { type: 'boolean' },
        'json-logs': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
        in: { type: 'string' },
        state: { type: 'string' },
        partition: { type: 'string' },
        workers: { type: 'string' },
        'run-id': { type: 'string' },
      },
    });
  } catch (e) {
    io.stderr.write(`synthfilter: ${(e as Error).message}\nTry 'synthfilter --help'.\n`);
    return EXIT.usage;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.stderr.write(HELP + '\n');
    return EXIT.ok;
  }
  if (values.version) {
    io.stderr.write(`${VERSION}\n`);
    return EXIT.ok;
  }
  const log = createLogger({ quiet: values.quiet, json: values['json-logs'] ? true : undefined });
  let cfg: Config;
  try {
    cfg = buildConfig(values);
  } catch (e) {
    log.error((e as Error).message);
    return EXIT.usage;
  }
  if (command === 'clean') return clean(values, cfg, log);

  let signal: NodeJS.Signals | null = null;
  const onSignal = (s: NodeJS.Signals) => {
    if (signal) return; // a second signal while flushing is ignored; the flush is quick
    signal = s;
    // unblock a read that waits on stdin
    if (io.stdin === process.stdin) process.stdin.destroy();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const res = await runFilter({
      sources: positionals,
      cfg,
      mode: command === 'score' ? 'score' : 'filter',
      outDir: values.out,
      rejectsPath: values.rejects,
      quarantinePath: values.quarantine ?? values.rejects,
      stdout: io.stdout,
      stdin: io.stdin,
      shouldStop: () => signal !== null,
      onProgress: progressReporter(log, !values.quiet && (io.stderr as NodeJS.WriteStream).isTTY === true, io.stderr),
    });
    if (!values.quiet) {
      if ((io.stderr as NodeJS.WriteStream).isTTY) io.stderr.write('\r\x1b[K');
      log.info(summary(res.stats));
      for (const w of res.warnings) log.warn(`${w.code}: ${w.message}`);
      if (res.unwritten) log.warn(`${res.unwritten} rejected/quarantined records were counted but not written (use --rejects FILE or --out DIR)`);
      if (res.manifestPath) log.info(`manifest: ${res.manifestPath}`);
    }
    if (res.error) {
      log.error(res.error.message);
      return res.error.code === 'E_OUTPUT' ? EXIT.output : EXIT.input;
    }
    if (signal === 'SIGINT') return EXIT.sigint;
    if (signal === 'SIGTERM') return EXIT.sigterm;
    return EXIT.ok;
  } catch (e) {
    if (e instanceof SynthfilterError) {
      log.error(e.message);
      return e.code === 'E_OUTPUT' ? EXIT.output : e.code === 'E_CONFIG' || e.code === 'E_USAGE' ? EXIT.usage : EXIT.input;
    }
    if (signal) return signal === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    log.error(`internal error: ${(e as Error).stack ?? e}`);
    return EXIT.internal;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}


async function clean(values: Record<string, unknown>, cfg: Config, log: Logger): Promise<number> {
  // with a shared backend (Redis) the state directory is optional: it then only holds local spools
  const shared = (cfg.state as { backend?: string }).backend === 'redis';
  const need = ['in', 'out', ...(shared ? [] : ['state'])].filter((k) => typeof values[k] !== 'string');
  if (need.length) {
    log.error(`clean: missing ${need.map((k) => `--${k} DIR`).join(', ')}`);
    return EXIT.usage;
  }
  let workers: number | undefined;
  if (typeof values['workers'] === 'string') {
    workers = Number(values['workers']);
    if (!Number.isInteger(workers) || workers < 1) {
      log.error(`clean: --workers must be a positive integer, got "${values['workers']}"`);
      return EXIT.usage;
    }
  }
  const { runClean } = await import('../stage/clean.js');
  const { isBackendUnavailable } = await import('../state/backend.js');
  try {
    const t0 = Date.now();
    // seconds since process start at the end of each phase: in the summary's fields (JSON logs), for "where did the time go"
    const phases: Record<string, number> = { start: +(performance.now() / 1000).toFixed(3) };
    const r = await runClean({
      onPhase: (p) => {
        if (!p.startsWith('scored:')) phases[p] = +(performance.now() / 1000).toFixed(3);
      },
      inDir: values['in'] as string,
      outDir: values['out'] as string,
      stateDir: values['state'] as string | undefined,
      partition: values['partition'] as string | undefined,
      cfg,
      workers,
      runId: values['run-id'] as string | undefined,
      log: (msg, fields) => log.info(msg, fields),
    });
    if (!r.summary) {
      if (!values['quiet']) log.info('clean: no new or changed input files; nothing to do');
      return EXIT.ok;
    }
    const s = r.summary;
    if (!values['quiet']) {
      log.info(
        `clean ${r.runId}${r.resumed ? ' (resumed)' : ''}: files=${r.files} input=${s.inputs} accept=${s.accept} reject=${s.reject} quarantine=${s.quarantine} ` +
          `synthetic_share=${(s.synthetic_share * 100).toFixed(1)}% ${shareSummary(s.synthetic_share_estimate)}${s.synthetic_share_estimate ? ' ' : ''}tail_retention=${s.tail_retention === null ? 'n/a' : (s.tail_retention * 100).toFixed(1) + '%'} ` +
          `in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${r.outDir}`,
        { phases },
      );
    }
    for (const w of r.warnings) log.warn(`${w.code}: ${w.message}`);
    for (const e of r.errors) log.error(e);
    return r.errors.length ? EXIT.input : EXIT.ok;
  } catch (e) {
    if (isBackendUnavailable(e)) {
      log.error(e.message);
      return EXIT.backend;
    }
    if (e instanceof SynthfilterError) {
      log.error(e.message);
      return e.code === 'E_LOCKED' ? EXIT.locked : e.code === 'E_STATE' ? EXIT.state : e.code === 'E_INPUT' ? EXIT.input : e.code === 'E_OUTPUT' ? EXIT.output : EXIT.usage;
    }
    throw e;
  }
}
