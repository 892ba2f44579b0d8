/**
 * The flag catalogue: every CLI flag once, with its short form, its value and its help line. Each command lists the
 * flags it accepts (COMMANDS in main.ts); `parseFlags` refuses any other flag with a usage error (exit 2) that
 * names the flag and the command, so a flag never silently does nothing.
 */
import { parseArgs } from 'node:util';
import { usageError } from '../errors.js';

export interface FlagSpec {
  short?: string;
  /** the value's placeholder in help (`FILE`, `DIR`, ...); absent for a boolean flag */
  value?: string;
  multiple?: boolean;
  help: string;
}

export const FLAGS = {
  out: { short: 'o', value: 'DIR', help: 'write rotated shards, rejects/, quarantine/ and manifest.json to DIR (must be a directory or absent); report: the HTML file to write' },
  rejects: { short: 'r', value: 'FILE', help: 'write rejected records (annotated) to FILE (.gz compresses)' },
  quarantine: { value: 'FILE', help: 'write quarantined input to FILE (default: the --rejects file); long form only' },
  annotate: { short: 'a', help: 'add the annotation to accepted records' },
  config: { short: 'c', value: 'FILE', help: 'JSON config (an object) deep-merged over config/default.json' },
  set: { value: 'KEY=VALUE', multiple: true, help: 'set one config key (dotted path; VALUE parsed as JSON when it parses), repeatable' },
  'text-field': { value: 'PATH', help: 'dotted path of the text (default "text")' },
  'id-field': { value: 'PATH', help: 'dotted path of the id (default "id"; missing ids get a stable hash of the text)' },
  format: { value: 'F', help: 'input format: auto | jsonl | json' },
  in: { value: 'DIR', help: 'clean: the input directory (read only, never written)' },
  state: { value: 'DIR', help: 'clean: the state directory (optional with Redis state, then it only holds spools); report: the state directory to read' },
  workers: { value: 'N', help: 'clean: N local worker processes sharing the night\'s tasks (default: one process scoring on a thread per core; docs/scale.md)' },
  memory: { value: 'SIZE', help: 'clean: memory budget per task of the batch dedup engine (dedup.engine "batch"), e.g. 512M or 1G: sets dedup.memory (default 256M; docs/scale.md)' },
  'world-size': { value: 'N', help: 'clean: the night is run by N processes (job array: Slurm, Kubernetes Indexed Job) sharing --state; with --rank' },
  rank: { value: 'R', help: 'clean: this process\'s rank, 0..N-1, with --world-size; "env": from SLURM_ARRAY_TASK_ID or JOB_COMPLETION_INDEX' },
  'run-id': { value: 'ID', help: 'clean: name of the run directory under --out (default: run-<hash of the plan>); report: the night to show (default: the latest)' },
  partition: { value: 'NAME', help: 'clean with Redis state: this worker\'s partition (default: the absolute --in path)' },
  queue: { value: 'URL', help: 'clean: run the night as jobs on a BullMQ queue in Redis (redis://HOST:PORT) and wait until workers publish it; worker: the queue to take jobs from' },
  'no-wait': { help: 'clean --queue: return once the night is submitted' },
  concurrency: { value: 'K', help: 'worker: jobs run at once by this process (default 1)' },
  'lock-ms': { value: 'MS', help: "worker: a job's lock; a killed worker's job is free again after it (default 30000)" },
  'stalled-ms': { value: 'MS', help: 'worker: how often to look for the stalled jobs of killed workers (default 30000)' },
  schema: { help: 'config: print the JSON Schema of the configuration' },
  print: { help: 'config: print the effective configuration (defaults + --config + --set)' },
  quiet: { short: 'q', help: 'no progress, no summary (errors only)' },
  'json-logs': { help: 'structured JSON logs on stderr (the default when stderr is not a TTY)' },
  debug: { help: 'print the stack trace with any error message' },
  help: { short: 'h', help: 'print help (for a command: synthfilter COMMAND --help) to stdout' },
  version: { short: 'V', help: 'print the version to stdout (-v works too)' },
} as const satisfies Record<string, FlagSpec>;

export type FlagName = keyof typeof FLAGS;
export type FlagValues = Partial<Record<FlagName, string | boolean | string[]>>;

/** Flags every command accepts. */
export const GLOBAL_FLAGS: readonly FlagName[] = ['quiet', 'json-logs', 'debug', 'help', 'version'];

/** Flags whose empty value is always a mistake (an empty path would mean the current directory): refused. */
const NON_EMPTY: readonly FlagName[] = ['memory', 'world-size', 'rank', 'out', 'rejects', 'quarantine', 'config', 'in', 'state', 'run-id', 'partition', 'text-field', 'id-field', 'format', 'queue'];

const SHORT_TO_LONG = new Map<string, FlagName>(
  Object.entries(FLAGS).flatMap(([name, f]): [string, FlagName][] => ('short' in f ? [[f.short, name as FlagName]] : [])),
);

function optionsFor(names: readonly FlagName[]) {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const n of names) {
    const f: FlagSpec = FLAGS[n];
    options[n] = { type: f.value ? 'string' : 'boolean', ...(f.short ? { short: f.short } : {}), ...(f.multiple ? { multiple: true } : {}) };
  }
  return options;
}

/** The known flags an argument names (`--out`, `--out=x`, `-o`, `-qa`); empty when it names none. */
function flagsOf(arg: string): FlagName[] {
  if (arg.startsWith('--')) {
    const name = arg.slice(2).split('=')[0]!;
    return Object.hasOwn(FLAGS, name) ? [name as FlagName] : [];
  }
  const out: FlagName[] = [];
  if (!arg.startsWith('-')) return out;
  for (const c of arg.slice(1)) {
    const f = SHORT_TO_LONG.get(c);
    if (!f) break;
    out.push(f);
    if ('value' in FLAGS[f]) break; // the rest of the cluster is its value
  }
  return out;
}

/**
 * Parse `argv` for `command`, accepting only `allowed` (plus the global flags). A known flag the command does not
 * take, an unknown flag, a missing value or an empty path value is a usage error (E_USAGE, exit 2).
 */
export function parseFlags(argv: string[], command: string, allowed: readonly FlagName[]): { values: FlagValues; positionals: string[] } {
  const names = [...new Set([...allowed, ...GLOBAL_FLAGS])];
  const end = argv.indexOf('--');
  // -v is the version flag of earlier releases, kept beside -V
  const args = argv.map((a, i) => (a === '-v' && (end < 0 || i < end) ? '-V' : a));
  for (const arg of end < 0 ? args : args.slice(0, end)) {
    for (const f of flagsOf(arg)) if (!names.includes(f)) throw usageError(`--${f} does not apply to "${command}" (see: synthfilter help ${command})`);
  }
  let parsed;
  try {
    parsed = parseArgs({ args, allowPositionals: true, strict: true, options: optionsFor(names) });
  } catch (e) {
    throw usageError(`${(e as Error).message.split('\n')[0]} (see: synthfilter help ${command})`);
  }
  const values: FlagValues = { ...parsed.values };
  for (const n of NON_EMPTY) if (values[n] === '') throw usageError(`--${n} needs a non-empty value`);
  return { values, positionals: parsed.positionals };
}

/** The help lines for a list of flags: `  -o, --out DIR   meaning`. */
export function flagHelp(names: readonly FlagName[]): string {
  const rows = names.map((n) => {
    const f: FlagSpec = FLAGS[n];
    return [`${f.short ? `-${f.short}, ` : '    '}--${n}${f.value ? ` ${f.value}` : ''}`, f.help] as const;
  });
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join('\n');
}
