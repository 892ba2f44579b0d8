/**
 * Names that become path segments: run ids, partitions, shard names. A name is one plain directory entry, never a
 * path: ASCII letters, digits, `.`, `_` and `-`, starting with a letter, digit or `_` (so never `.`, `..`, a
 * hidden name or something that reads as a flag), at most NAME_MAX_LENGTH characters.
 */
import { randomBytes } from 'node:crypto';
import { SynthfilterError, type ErrorCode } from '../errors.js';

export const NAME_MAX_LENGTH = 100;
const SAFE_NAME = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Why `value` is not a safe name, or null when it is. */
export function nameProblem(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > NAME_MAX_LENGTH) return `is longer than ${NAME_MAX_LENGTH} characters`;
  if (!SAFE_NAME.test(value)) return 'may only contain A-Z a-z 0-9 . _ - and must start with a letter, digit or _';
  return null;
}

/**
 * Throw unless `value` is a safe name. `kind` names its origin as the user knows it (`--run-id`, `--partition`,
 * "shard name"); E_USAGE (exit 2) by default, E_STATE for a name read back from a state folder.
 */
export function validateName(kind: string, value: string, code: ErrorCode = 'E_USAGE'): string {
  const problem = nameProblem(value);
  if (problem) throw new SynthfilterError(code, `${kind} ${JSON.stringify(value)} ${problem}`);
  return value;
}

/** A default run id: UTC time to the second plus a random suffix, so two runs started in the same second differ
 * (e.g. run-20261204T154136Z-3f9a1c). Sorting by name still sorts by start time. */
export function newRunId(at: Date = new Date()): string {
  return `run-${at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
}
