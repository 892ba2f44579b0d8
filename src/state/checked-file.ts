/**
 * Checked state files: every file in a state folder is its payload followed by a fixed-size text footer,
 *
 *   <payload bytes>\n#synthfilter-state format=0002 bytes=0000000000001234 crc32=89abcdef\n
 *
 * carrying the format version, the payload length and the CRC-32 of the payload (crc32.ts). The footer is written
 * last, so a file cut short at any point has no valid footer; a flipped byte anywhere fails the checksum, the length
 * or the footer's own syntax. A file that does not check is reported by name as E_STATE (exit 6) before anything is
 * written. Files written by synthfilter before checksums (format 1) have no footer: they are read unchecked only
 * where the caller says the folder is a format-1 folder (see generation.ts).
 *
 * Small files that are replaced in place (STATE.json, pending.json) are written as `<name>.tmp-<pid>` and renamed;
 * a crash can leave that temp file behind, and `removeOrphanTemps` deletes it when the next run holds the lock.
 */
import { closeSync, fsyncSync, lstatSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import { removeContained, renameContained } from '../fsx/contained.js';
import { dirname, join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { crc32, crcHex } from './crc32.js';

/** The format every file of a state folder is written in now. */
export const CHECKED_FORMAT = 2;

const footerText = (format: number, bytes: number, crc: number) =>
  `\n#synthfilter-state format=${String(format).padStart(4, '0')} bytes=${String(bytes).padStart(16, '0')} crc32=${crcHex(crc)}\n`;
/** Bytes of the footer (it has a fixed size, so it is found from the end of the file). */
export const FOOTER_BYTES = footerText(0, 0, 0).length;
const FOOTER_RE = /^\n#synthfilter-state format=(\d{4}) bytes=(\d{16}) crc32=([0-9a-f]{8})\n$/;

/** What a state file that checks holds. */
export interface CheckedPayload {
  /** the payload (a view of the bytes read, without the footer) */
  payload: Uint8Array;
  /** CRC-32 of the payload; null for a format-1 file (no footer) */
  crc: number | null;
}

const REMEDY =
  'Restore the state folder from a backup, or start over with a new --state DIR (every input is then processed as new). ' +
  '`synthfilter state verify --state DIR` checks every file.';
/** pending.json only records the run in progress: without it the next run plans again from the committed state */
const PENDING_REMEDY = 'Delete it (and the folder work/ next to it) to plan the run again from the committed state.';

/** A state file that cannot be used: E_STATE (exit 6), naming the file. `why` is the short reason. */
export class DamagedStateError extends SynthfilterError {
  constructor(
    readonly stateDir: string,
    /** the file, relative to the state folder */
    readonly rel: string,
    readonly why: string,
  ) {
    super('E_STATE', `state ${stateDir}: ${rel} is damaged (${why}). ${rel === 'pending.json' ? PENDING_REMEDY : REMEDY}`, join(stateDir, rel));
    this.name = 'DamagedStateError';
  }
}

/** Where a file lives: the state folder and the file's path inside it (the name errors report). */
export interface StatePath {
  dir: string;
  rel: string;
}

/**
 * Check a file's bytes. Returns the payload, or the reason the file is damaged. `legacyOk`: a file without a footer
 * is taken whole, unchecked (a format-1 folder).
 */
export function checkBytes(bytes: Uint8Array, legacyOk: boolean): CheckedPayload | { why: string } {
  const n = bytes.byteLength;
  const tail = n >= FOOTER_BYTES ? Buffer.from(bytes.buffer, bytes.byteOffset + n - FOOTER_BYTES, FOOTER_BYTES).toString('latin1') : '';
  const m = FOOTER_RE.exec(tail);
  if (!m) {
    if (legacyOk) return { payload: bytes, crc: null };
    return { why: n === 0 ? 'empty file' : 'no checksum footer: cut short, or not written by synthfilter' };
  }
  const format = Number(m[1]);
  if (format > CHECKED_FORMAT) return { why: `format ${format}, written by a newer synthfilter; this one reads format ${CHECKED_FORMAT}` };
  if (format !== CHECKED_FORMAT) return { why: `footer names format ${format}` };
  const len = Number(m[2]);
  if (len !== n - FOOTER_BYTES) return { why: `length mismatch: the footer says ${len} payload bytes, the file has ${n - FOOTER_BYTES}` };
  const payload = bytes.subarray(0, len);
  const crc = crc32(payload);
  if (crcHex(crc) !== m[3]) return { why: `checksum mismatch: stored crc32 ${m[3]}, computed ${crcHex(crc)}` };
  return { payload, crc };
}

/** Read and check a state file; a missing, unreadable or damaged file throws DamagedStateError. */
export function readChecked(at: StatePath, legacyOk: boolean): CheckedPayload {
  let buf: Buffer;
  try {
    buf = readFileSync(join(at.dir, at.rel));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new DamagedStateError(at.dir, at.rel, code === 'ENOENT' ? 'missing' : `unreadable: ${(e as Error).message}`);
  }
  const r = checkBytes(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), legacyOk);
  if ('why' in r) throw new DamagedStateError(at.dir, at.rel, r.why);
  return r;
}

/** Write a checked file at `path` (payload pieces in order, then the footer) and fsync it; returns the CRC-32. */
export function writeChecked(path: string, data: string | Uint8Array | Uint8Array[]): number {
  const pieces = Array.isArray(data) ? data : [typeof data === 'string' ? Buffer.from(data) : data];
  const fd = openSync(path, 'w');
  try {
    let crc = 0;
    let bytes = 0;
    const put = (part: Uint8Array) => {
      for (let at = 0; at < part.byteLength; ) at += writeSync(fd, part, at, part.byteLength - at);
    };
    for (const part of pieces) {
      crc = crc32(part, crc);
      bytes += part.byteLength;
      put(part);
    }
    put(Buffer.from(footerText(CHECKED_FORMAT, bytes, crc), 'latin1'));
    fsyncSync(fd);
    return crc;
  } finally {
    closeSync(fd);
  }
}

/** Temp names of the files written by `writeCheckedAtomic` in the state folder (and by synthfilter 0.1). */
const ORPHAN_TEMP = /^(STATE|pending)\.json\.tmp-\d+$/;

export const isOrphanTempName = (name: string): boolean => ORPHAN_TEMP.test(name);

/** Replace a small checked file atomically: `<path>.tmp-<pid>`, fsync, rename, fsync the folder. */
export function writeCheckedAtomic(path: string, data: string | Uint8Array): number {
  const tmp = `${path}.tmp-${process.pid}`;
  const crc = writeChecked(tmp, data);
  renameContained(tmp, path, [dirname(path)]);
  try {
    const fd = openSync(dirname(path), 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* directories cannot be fsynced on every platform */
  }
  return crc;
}

/**
 * Delete temp files a crashed run left in the state folder: only names `writeCheckedAtomic` makes, only directly
 * inside `dir`, only regular files or symlinks (a symlink is removed, never followed). Call it holding the lock (no
 * other run is writing then). Returns the names removed.
 */
export function removeOrphanTemps(dir: string): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return removed;
  }
  for (const name of names) {
    if (!isOrphanTempName(name)) continue;
    const p = join(dir, name);
    try {
      const st = lstatSync(p);
      if (!st.isFile() && !st.isSymbolicLink()) continue;
      removeContained(p, [dir]);
      removed.push(name);
    } catch {
      /* gone already */
    }
  }
  return removed;
}
