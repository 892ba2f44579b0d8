/**
 * Check a file-backend state folder without changing it (`synthfilter state verify --state DIR`): STATE.json, every
 * file of the current generation (present, format, checksum, the checksum STATE.json records, decodable content),
 * pending.json when there is one. Leftovers a crash can leave (temp files, an unfinished or superseded generation)
 * are listed but do not make the folder damaged: the next run removes them.
 *
 * It reads exactly what a run loads (generation.ts), so a folder that verifies is one `clean` can load.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DamagedStateError, isOrphanTempName } from './checked-file.js';
import { crcHex } from './crc32.js';
import { GEN_DIR, HEAD_FILE, LEGACY_FORMAT, PENDING_FILE, expectedFiles, genDir, readGenerationFile, readHead, readPendingFile, type StateHead } from './generation.js';

/**
 * ok: the file checks. legacy: a format-1 file (no checksum), whose content decodes. damaged / missing: the folder
 * cannot be used. leftover: a temp file or a generation folder a crash left; harmless, removed by the next run.
 */
export type FileStatus = 'ok' | 'legacy' | 'damaged' | 'missing' | 'leftover';

export interface FileCheck {
  /** relative to the state folder */
  file: string;
  status: FileStatus;
  /** payload bytes (ok, legacy) */
  bytes?: number;
  /** CRC-32 of the payload (ok) */
  crc32?: string;
  /** why a file is damaged or missing, or what a leftover is */
  detail?: string;
}

export interface StateVerdict {
  dir: string;
  /** null: no committed state (a new folder), or STATE.json is damaged */
  format: number | null;
  generation: number | null;
  files: FileCheck[];
  /** some file is damaged or missing: `clean` would refuse this folder (exit 6) */
  damaged: boolean;
  /** a lock file is present: a run may be changing the folder while it is checked */
  locked: boolean;
}

/** A check that read without error (`r.crc` null: a format-1 file). */
const readOk = (file: string, r: { bytes: number; crc: number | null }): FileCheck =>
  r.crc === null ? { file, status: 'legacy', bytes: r.bytes } : { file, status: 'ok', bytes: r.bytes, crc32: crcHex(r.crc) };

/** A check that failed: the damaged file as the error names it. Anything but DamagedStateError is rethrown. */
function readFailed(e: unknown): FileCheck {
  if (!(e instanceof DamagedStateError)) throw e;
  return { file: e.rel, status: e.why === 'missing' ? 'missing' : 'damaged', detail: e.why };
}

/** Check a state folder. The folder must exist (the caller reports a missing one as a usage error). */
export function verifyStateDir(dir: string): StateVerdict {
  const files: FileCheck[] = [];
  let head: StateHead | null = null;
  let headOk = true;
  try {
    head = readHead(dir);
    if (head) files.push(readOk(HEAD_FILE, head));
  } catch (e) {
    files.push(readFailed(e));
    headOk = false;
  }
  if (head) {
    const cur = head;
    const g = genDir(cur.generation);
    if (!existsSync(join(dir, g))) files.push({ file: `${g}/`, status: 'missing', detail: 'missing' });
    else {
      for (const name of expectedFiles(dir, cur)) {
        try {
          files.push(readOk(`${g}/${name}`, readGenerationFile(dir, cur, name)));
        } catch (e) {
          files.push(readFailed(e));
        }
      }
    }
  }
  // pending.json may be footer-less only in a format-1 folder; with STATE.json damaged the folder's format is unknown
  if (headOk) {
    try {
      const p = readPendingFile(dir, head === null || head.format === LEGACY_FORMAT);
      if (p) files.push(readOk(PENDING_FILE, p));
    } catch (e) {
      files.push(readFailed(e));
    }
  }
  const generation = head?.generation ?? null;
  // leftovers (with a damaged STATE.json no generation can be called current or leftover)
  for (const name of readdirSync(dir).sort()) {
    const m = GEN_DIR.exec(name);
    if (m && headOk && Number(m[1]) !== generation && lstatSync(join(dir, name)).isDirectory()) {
      const what = generation !== null && Number(m[1]) < generation ? 'a superseded generation' : 'an unfinished generation';
      files.push({ file: `${name}/`, status: 'leftover', detail: `${what}, removed by the next commit` });
    } else if (isOrphanTempName(name)) {
      files.push({ file: name, status: 'leftover', detail: 'a temp file of a crashed run, removed by the next run' });
    }
  }
  return {
    dir,
    format: head?.format ?? null,
    generation,
    files,
    damaged: files.some((f) => f.status === 'damaged' || f.status === 'missing'),
    locked: existsSync(join(dir, 'lock')),
  };
}
