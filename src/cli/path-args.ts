/**
 * Checks on path flags before a command starts, so the wrong kind of path is a clear message with its documented
 * exit code instead of an error from deep inside a write: `--out FILE` is an output error (4), `--in FILE` or
 * `--state FILE` (a file where a directory is expected) is a usage error (2).
 */
import { statSync } from 'node:fs';
import { outputError, usageError } from '../errors.js';

/** What is at `path` (symlinks followed): 'missing', 'dir' or 'other'. */
function kindOf(path: string): 'missing' | 'dir' | 'other' {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'other';
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'missing';
    throw usageError(`${path}: ${(e as Error).message}`);
  }
}

/** An output directory flag: absent (it is created) or a directory; an existing file is E_OUTPUT. */
export function checkOutputDir(flag: string, path: string): void {
  if (kindOf(path) === 'other') throw outputError(path, `${flag} must name a directory (or a path to create), but a file of another kind exists there`);
}

/** A directory flag (`--in`, `--state`): absent (left to the command) or a directory; anything else is E_USAGE. */
export function checkDirArg(flag: string, path: string): void {
  if (kindOf(path) === 'other') throw usageError(`${flag} ${path}: not a directory`);
}
