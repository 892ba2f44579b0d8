/**
 * Where a night's task files live (the plan, claims, done markers, the published marker): a small key-value
 * interface over shared storage, so that every rank, local worker or queue worker sees the same files. Keys are
 * relative paths with "/" separators ("g3/plan.json", "g3/done/map:000001-0000"). The operations are the ones an
 * object store offers too (a conditional put for `createExclusive`, a put for `write`, list by prefix); the folder
 * implementation below is for a shared filesystem (NFS, Lustre, a local disk for local workers).
 */
import { closeSync, fsyncSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { removeContained } from '../fsx/contained.js';
import { writeFileAtomic } from '../sink/files.js';

export interface TaskStore {
  /** Replace (or create) `key` atomically: a reader sees the old or the new content, never a part. */
  write(key: string, data: string): void;
  /** Create `key` only if it does not exist; false when it does (someone else created it first). */
  createExclusive(key: string, data: string): boolean;
  exists(key: string): boolean;
  /** The content, or null when `key` does not exist. */
  read(key: string): string | null;
  /** Keys that start with `prefix`, sorted. */
  list(prefix: string): string[];
  /** Remove `key` (a missing key is fine); a key that names a folder of keys removes them all. */
  remove(key: string): void;
}

/**
 * Test hook (inert unless set): SYNTHFILTER_TEST_DISK_FULL=<text> makes every write of a key containing <text>
 * fail as a full disk would (ENOSPC), to test that a full disk stops the night with nothing published.
 */
function simulatedDiskFull(key: string): void {
  const hook = process.env.SYNTHFILTER_TEST_DISK_FULL;
  if (!hook || !key.includes(hook)) return;
  const e = new Error(`ENOSPC: no space left on device, write '${key}' (simulated by SYNTHFILTER_TEST_DISK_FULL)`) as NodeJS.ErrnoException;
  e.code = 'ENOSPC';
  e.syscall = 'write';
  throw e;
}

/** Task files as files under one folder (created on first write). */
export class FolderStore implements TaskStore {
  constructor(readonly root: string) {}

  private path(key: string): string {
    if (key === '' || key.startsWith('/') || key.split('/').some((s) => s === '' || s === '.' || s === '..')) {
      throw new SynthfilterError('E_STATE', `bad task file key "${key}"`);
    }
    return join(this.root, ...key.split('/'));
  }

  write(key: string, data: string): void {
    simulatedDiskFull(key);
    writeFileAtomic(this.path(key), data);
  }

  createExclusive(key: string, data: string): boolean {
    simulatedDiskFull(key);
    const p = this.path(key);
    mkdirSync(dirname(p), { recursive: true });
    // the content is written under a temporary name and linked into place: `link` fails when the target exists,
    // so a reader never sees a half-written file and exactly one creator wins
    const tmp = `${p}.tmp-${process.pid}`;
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, data);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      linkSync(tmp, p);
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    } finally {
      removeContained(tmp, [this.root]);
    }
  }

  exists(key: string): boolean {
    return this.read(key) !== null;
  }

  read(key: string): string | null {
    try {
      return readFileSync(this.path(key), 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return null;
      throw e;
    }
  }

  list(prefix: string): string[] {
    const out: string[] = [];
    const walk = (dir: string) => {
      let entries;
      try {
        entries = readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.isFile() && !/\.tmp-\d+$/.test(e.name)) {
          const key = relative(this.root, p).split(sep).join('/');
          if (key.startsWith(prefix)) out.push(key);
        }
      }
    };
    walk(this.root);
    return out.sort();
  }

  remove(key: string): void {
    removeContained(this.path(key), [this.root]);
  }
}
