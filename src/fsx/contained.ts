/**
 * Contained deletes and renames: the only way synthfilter removes or moves anything. Each call names the roots it
 * may touch (a run's --out and --state folders, or the folder of a file being replaced); the paths are resolved
 * to where they really are (symlinks in their parent folders followed) and refused unless strictly inside a root.
 * A delete never follows a symlink: a link is removed as a link, and a folder's contents are removed without
 * entering links inside it.
 */
import { lstatSync, realpathSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { SynthfilterError } from '../errors.js';

const missing = (e: unknown) => ['ENOENT', 'ENOTDIR'].includes((e as NodeJS.ErrnoException).code ?? '');

/** Where `p` really is: its longest existing prefix resolved through realpath, the rest appended. */
export function realLocation(p: string): string {
  const abs = resolve(p);
  const rest: string[] = [];
  for (let head = abs; ; ) {
    try {
      return join(realpathSync.native(head), ...rest);
    } catch (e) {
      if (!missing(e)) throw e;
      const parent = dirname(head);
      if (parent === head) return abs;
      rest.unshift(basename(head));
      head = parent;
    }
  }
}

/** The directory entry `p` names, with its parent folder resolved but the entry itself not followed. */
export function entryLocation(p: string): string {
  const abs = resolve(p);
  return join(realLocation(dirname(abs)), basename(abs));
}

/** Is `p` strictly inside `root` (both real locations)? */
export function isInside(p: string, root: string): boolean {
  const r = relative(root, p);
  return r !== '' && r !== '..' && !r.startsWith('..' + sep) && !isAbsolute(r);
}

function contained(op: string, p: string, roots: readonly string[]): string {
  const at = entryLocation(p);
  const real = roots.map(realLocation);
  if (basename(at) === '' || !real.some((r) => isInside(at, r))) {
    throw new SynthfilterError('E_OUTPUT', `refusing to ${op} ${p}: it is not inside ${real.join(' or ')}`, p);
  }
  return at;
}

/** Remove a file, link or folder (recursively) inside one of `roots`; nothing there is fine. */
export function removeContained(p: string, roots: readonly string[]): void {
  const at = contained('remove', p, roots);
  let isDir: boolean;
  try {
    isDir = lstatSync(at).isDirectory(); // lstat: a symlink is never a directory here
  } catch (e) {
    if (missing(e)) return;
    throw e;
  }
  // rmSync walks with lstat: links inside the folder are unlinked, never entered
  if (isDir) rmSync(at, { recursive: true, force: true });
  else {
    try {
      unlinkSync(at);
    } catch (e) {
      if (!missing(e)) throw e; // gone in the meantime: what was wanted
    }
  }
}

/** Rename `from` to `to`, both inside one of `roots` (replacing a file at `to`, as rename(2) does). */
export function renameContained(from: string, to: string, roots: readonly string[]): void {
  renameSync(contained('move', from, roots), contained('replace', to, roots));
}
