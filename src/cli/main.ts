/**
 * The `synthfilter` command: a thin dispatcher over the command table. stdout carries data only (records, or the
 * help/version text asked for); logs, progress and the summary go to stderr.
 *
 * Adding a subcommand is one COMMANDS entry: its name (one or more words), usage line, summary, the flags it takes
 * (from the catalogue in flags.ts; any other flag is refused with exit 2) and its function
 * `(argv, io) => Promise<number>` in src/cli/commands/<name>.ts. The dispatcher handles `--help`, `--version`,
 * `--debug` and turns a thrown error into its exit code (exit-codes.ts) with a message, never a stack trace for an
 * expected error.
 */
import { usageError } from '../errors.js';
import { clean, CLEAN_FLAGS } from './commands/clean.js';
import { filter, score, FILTER_FLAGS, SCORE_FLAGS } from './commands/filter.js';
import { commandHelp, help, overview } from './commands/help.js';
import { version } from './commands/version.js';
import { EXIT, describeError, exitFor } from './exit-codes.js';
import { parseFlags, type FlagName, type FlagValues } from './flags.js';
import { createLogger } from './log.js';
import { writeText } from './write-text.js';

export { EXIT } from './exit-codes.js';

export interface CliIO {
  argv: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  stdin: NodeJS.ReadableStream;
}

export type Command = (argv: string[], io: CliIO) => Promise<number>;

export interface CommandSpec {
  /** one or more words: `clean`, `state verify` */
  name: string;
  /** the usage line after `synthfilter ` */
  usage: string;
  summary: string;
  /** a paragraph for `synthfilter help NAME` */
  details?: string;
  /** the flags this command takes, besides the global ones (--quiet, --json-logs, --debug, --help, --version) */
  flags: readonly FlagName[];
  run: Command;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    name: 'filter',
    usage: '[filter] [options] [FILE ...]',
    summary: 'filter records; accepted to stdout, or shards with --out (the default command)',
    details: 'A first argument that is not a command name is a FILE: `synthfilter data.jsonl` is `synthfilter filter data.jsonl`.\nTo read a file named like a command, write `synthfilter filter ./clean`.',
    flags: FILTER_FLAGS,
    run: filter,
  },
  {
    name: 'score',
    usage: 'score [options] [FILE ...]',
    summary: 'every record, in input order, with its annotation and decision, to stdout',
    flags: SCORE_FLAGS,
    run: score,
  },
  {
    name: 'clean',
    usage: 'clean --in DIR --out DIR --state DIR [options]',
    summary: 'nightly cleanup over a directory, with state kept between runs',
    details:
      'One of many workers sharing state in Redis:\n' +
      `  synthfilter clean --in DIR --out DIR --set state.backend='"redis"' --set state.url='"redis://HOST:6379"' [--partition NAME] [--state DIR]` +
      '\nIts tasks as jobs on a BullMQ queue, run by `synthfilter worker` processes (docs/queue.md):\n' +
      '  synthfilter clean --in DIR --out DIR --state DIR --queue redis://HOST:6379',
    flags: CLEAN_FLAGS,
    run: clean,
  },
  {
    name: 'worker',
    usage: 'worker --queue redis://HOST:PORT [--concurrency K]',
    summary: 'run the jobs of nights submitted with `clean --queue` until SIGTERM/SIGINT',
    details: 'Every worker needs the same view of the --in, --out and --state folders as the `clean --queue` that submitted the night (a shared filesystem). See docs/queue.md.',
    flags: ['queue', 'concurrency', 'lock-ms', 'stalled-ms'],
    run: (argv, io) => import('./commands/worker.js').then((m) => m.worker(argv, io)),
  },
  {
    name: 'config',
    usage: 'config --schema | --print [-c FILE] [--set KEY=VALUE ...]',
    summary: "the configuration's JSON Schema, or the effective configuration, to stdout",
    flags: ['schema', 'print', 'config', 'set'],
    run: (argv, io) => import('./commands/config.js').then((m) => m.configCommand(argv, io)),
  },
  {
    name: 'state verify',
    usage: 'state verify --state DIR',
    summary: 'check a clean state folder without changing it (exit 6 names a damaged file)',
    flags: ['state'],
    run: (argv, io) => import('./commands/state-verify.js').then((m) => m.stateVerify(argv, io)),
  },
  {
    name: 'report',
    usage: 'report --state DIR [--run-id ID] [--out FILE]',
    summary: "a recorded night's report page (HTML) to stdout or FILE, redrawn from the state folder (default: the latest night)",
    flags: ['state', 'run-id', 'out'],
    run: (argv, io) => import('./commands/report.js').then((m) => m.reportCommand(argv, io)),
  },
  {
    name: 'help',
    usage: 'help [COMMAND]',
    summary: 'this overview, or one command\'s usage and options',
    flags: [],
    run: (argv, io) => help(argv, io, COMMANDS),
  },
];

/** The command named by the first argument(s), and the arguments after its name; the default is filter. */
function findCommand(argv: string[]): { spec: CommandSpec; rest: string[]; named: boolean } {
  for (const spec of COMMANDS) {
    const words = spec.name.split(' ');
    if (words.every((w, i) => argv[i] === w)) return { spec, rest: argv.slice(words.length), named: true };
  }
  const group = COMMANDS.filter((c) => c.name.includes(' ') && c.name.split(' ')[0] === argv[0]);
  if (group.length) throw usageError(`unknown command "${argv.slice(0, 2).join(' ')}" (did you mean: ${group.map((c) => c.name).join(', ')}?)`);
  return { spec: COMMANDS[0]!, rest: argv, named: false };
}

/** The message (and exit code) of an error a command threw; logs in the command's log format. */
function report(e: unknown, values: FlagValues): number {
  const log = createLogger({ quiet: values.quiet === true, json: values['json-logs'] ? true : undefined });
  log.error(describeError(e, values.debug === true));
  return exitFor(e);
}

export async function main(io: CliIO): Promise<number> {
  let found;
  let values: FlagValues;
  try {
    found = findCommand(io.argv);
    values = parseFlags(found.rest, found.spec.name, found.spec.flags).values;
  } catch (e) {
    io.stderr.write(`synthfilter: ${(e as Error).message}\nTry 'synthfilter --help'.\n`);
    return exitFor(e);
  }
  const { spec, rest, named } = found;
  try {
    if (values.version) return await version(rest, io);
    if (values.help) {
      await writeText(io.stdout, named && spec.name !== 'help' ? commandHelp(spec) : overview(COMMANDS));
      return EXIT.ok;
    }
    return await spec.run(rest, io);
  } catch (e) {
    return report(e, values);
  }
}
