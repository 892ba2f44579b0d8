/**
 * The one exit-code table. Every command returns one of these codes; every SynthfilterError code maps to exactly
 * one row; `--help` prints the table and a test compares it with README.md's "Exit codes" table.
 *
 * How an error becomes a code (`exitFor`, `describeError`):
 * - a SynthfilterError: its row below. A BackendUnavailableError (src/state/backend.ts) carries
 *   `unavailable: true` and maps to 7 whatever its code.
 * - an operating-system error that escaped a command (it has an errno `code` and a `syscall`): the system refused a
 *   path or a write the user asked for, so it is expected, not a bug. A full or read-only disk is an output error
 *   (4); anything else (ENOENT, ENOTDIR, EEXIST, EACCES, ...) is a usage error (2).
 * - anything else is a bug: exit 1 "internal error", the only case that prints a stack trace (or `--debug`).
 */
import { SynthfilterError, type ErrorCode } from '../errors.js';

export interface ExitCode {
  code: number;
  name: string;
  /** the SynthfilterError codes reported with this exit code */
  errors: readonly ErrorCode[];
  /** the meaning, worded exactly as in README.md's table */
  meaning: string;
}

export const EXIT_CODES = [
  { code: 0, name: 'ok', errors: [], meaning: 'success (also when stdout was closed early, e.g. `| head`)' },
  { code: 1, name: 'internal', errors: [], meaning: 'internal error (a bug: please report it); the only code that prints a stack trace' },
  { code: 2, name: 'usage', errors: ['E_USAGE', 'E_CONFIG'], meaning: 'usage or configuration error: a bad flag, a flag that does not apply to the command, a path of the wrong kind, a bad config key or value (the message names it)' },
  { code: 3, name: 'input', errors: ['E_INPUT'], meaning: 'input error: unreadable or truncated file. Everything read before the fault was processed and written' },
  { code: 4, name: 'output', errors: ['E_OUTPUT'], meaning: 'output error: cannot write (full disk, `--out` names an existing file, ...)' },
  { code: 5, name: 'locked', errors: ['E_LOCKED'], meaning: '`clean`: the state directory is locked by another live run' },
  { code: 6, name: 'state', errors: ['E_STATE'], meaning: '`clean`: the state is incompatible (another config fingerprint or format) or corrupt' },
  { code: 7, name: 'backend', errors: ['E_BACKEND'], meaning: '`clean` with Redis state: Redis unreachable for longer than `state.retryMs`' },
  { code: 130, name: 'sigint', errors: [], meaning: 'stopped by SIGINT, after flushing' },
  { code: 143, name: 'sigterm', errors: [], meaning: 'stopped by SIGTERM, after flushing' },
] as const satisfies readonly ExitCode[];

type ExitName = (typeof EXIT_CODES)[number]['name'];

/** Exit codes by name: `EXIT.usage` is 2. */
export const EXIT = Object.fromEntries(EXIT_CODES.map((r) => [r.name, r.code])) as { readonly [K in ExitName]: Extract<(typeof EXIT_CODES)[number], { name: K }>['code'] };

// compile-time proof that every ErrorCode has a row: this line fails to type-check when one is missing
type Mapped = (typeof EXIT_CODES)[number]['errors'][number];
const everyErrorCodeMapped: [ErrorCode] extends [Mapped] ? true : never = true;
void everyErrorCodeMapped;

const BY_ERROR = new Map<string, number>(EXIT_CODES.flatMap((r) => r.errors.map((e): [string, number] => [e, r.code])));

/** errno codes that mean "the disk refused the write": output errors wherever they come from. */
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS']);

/** An error from the operating system (fs, net): it has an errno code and the system call that failed. */
export function isSystemError(e: unknown): e is NodeJS.ErrnoException & { code: string; syscall: string } {
  const x = e as NodeJS.ErrnoException | null;
  return x instanceof Error && typeof x.code === 'string' && /^E[A-Z0-9]+$/.test(x.code) && typeof x.syscall === 'string';
}

/** The exit code for an error a command threw (see the header for the rules). */
export function exitFor(e: unknown): number {
  if (e instanceof SynthfilterError) {
    if ((e as { unavailable?: boolean }).unavailable === true) return EXIT.backend;
    return BY_ERROR.get(e.code) ?? EXIT.internal;
  }
  if (isSystemError(e)) return DISK_FULL.has(e.code) ? EXIT.output : EXIT.usage;
  return EXIT.internal;
}

/** The line to print for an error: its message; the stack only for an internal error or with `--debug`. */
export function describeError(e: unknown, debug = false): string {
  const code = exitFor(e);
  const err = e instanceof Error ? e : new Error(String(e));
  if (code === EXIT.internal) return `internal error: ${err.stack ?? err.message}`;
  return debug && err.stack ? err.stack : err.message;
}
