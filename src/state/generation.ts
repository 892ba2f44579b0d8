/**
 * The files of a state folder and how each one is read and checked: one place, used by the file backend's load
 * (file-store.ts) and by `synthfilter state verify` (verify.ts), so the two never disagree.
 *
 *   STATE.json          {format: 2, fingerprint, generation, files: {name: crc32}}: the current generation and the
 *                       checksum of each of its files (so a missing file, or one from another generation, is seen)
 *   gen-NNNNNN/<file>   dedup.bin (absent when dedup is off), tail.bin, ledger.bin, registry.json, runs.json
 *   pending.json        the run in progress
 *
 * Every file is a checked file (checked-file.ts). A format-1 folder (synthfilter 0.1: no footers, no file list in
 * STATE.json) is read unchecked and becomes format 2 at its next commit; the caller warns.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { handOver } from '../score/dedup/bytes.js';
import { CHECKED_FORMAT, DamagedStateError, readChecked, type StatePath } from './checked-file.js';
import { crcHex } from './crc32.js';
import { Ledger } from './ledger.js';

/** The format this synthfilter writes. */
export const STATE_FORMAT = CHECKED_FORMAT;
/** The format of state folders written before checksums; read unchecked, rewritten at the next commit. */
export const LEGACY_FORMAT = 1;

export const HEAD_FILE = 'STATE.json';
export const PENDING_FILE = 'pending.json';

export const genDir = (n: number): string => `gen-${String(n).padStart(6, '0')}`;
/** A generation folder's name; its number in group 1. */
export const GEN_DIR = /^gen-(\d{6,})$/;

export interface StateHead {
  format: number;
  fingerprint: string;
  generation: number;
  /** the generation's files and the CRC-32 (hex) of each; null in a format-1 folder */
  files: Record<string, string> | null;
  /** STATE.json's own payload size and CRC-32 (null: format 1) */
  bytes: number;
  crc: number | null;
}

/** The generation folders present, by number. */
export function generationsIn(dir: string): number[] {
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    /* no folder: no generations */
  }
  return names.flatMap((n) => {
    const m = GEN_DIR.exec(n);
    return m ? [Number(m[1])] : [];
  });
}

function parseJson(at: StatePath, payload: Uint8Array): unknown {
  try {
    return JSON.parse(Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8'));
  } catch (e) {
    throw new DamagedStateError(at.dir, at.rel, `not valid JSON: ${(e as Error).message}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Read STATE.json; null for a state folder that has never committed. A folder whose STATE.json is gone while
 * generations after the first exist is damaged (only the first commit can crash before STATE.json exists).
 */
export function readHead(dir: string): StateHead | null {
  const at = { dir, rel: HEAD_FILE };
  if (!existsSync(join(dir, HEAD_FILE))) {
    const later = generationsIn(dir).filter((n) => n >= 2);
    if (later.length) throw new DamagedStateError(dir, HEAD_FILE, `missing, while ${later.map(genDir).join(', ')} exist`);
    return null;
  }
  const { payload, crc } = readChecked(at, true);
  const h = parseJson(at, payload);
  if (!isObject(h) || typeof h['format'] !== 'number' || typeof h['fingerprint'] !== 'string' || !Number.isSafeInteger(h['generation']) || (h['generation'] as number) < 1) {
    throw new DamagedStateError(dir, HEAD_FILE, 'not a state head: format, fingerprint or generation missing');
  }
  const format = h['format'];
  if (crc === null && format === STATE_FORMAT) throw new DamagedStateError(dir, HEAD_FILE, 'no checksum footer: cut short');
  if (crc === null && format !== LEGACY_FORMAT) throw new DamagedStateError(dir, HEAD_FILE, `format ${format}; this synthfilter reads formats ${LEGACY_FORMAT} and ${STATE_FORMAT}`);
  const base = { format, fingerprint: h['fingerprint'], generation: h['generation'] as number, bytes: payload.byteLength, crc };
  if (crc === null) return { ...base, files: null };
  const files = h['files'];
  if (format !== STATE_FORMAT || !isObject(files) || !Object.values(files).every((v) => typeof v === 'string' && /^[0-9a-f]{8}$/.test(v))) {
    throw new DamagedStateError(dir, HEAD_FILE, 'format 2 head without a valid file list');
  }
  return { ...base, files: files as Record<string, string> };
}

export interface TailSnapshot {
  docs: number;
  df: Uint32Array;
}

/** How each generation file's payload becomes its value (throwing on content that cannot be one). */
const decoders = {
  'dedup.bin': (b: Uint8Array): Uint8Array => handOver(b), // read fresh: the index is built on views of these bytes
  'tail.bin': (b: Uint8Array): TailSnapshot => {
    if (b.byteLength < 4 || (b.byteLength - 4) % 4 !== 0) throw new Error(`${b.byteLength} bytes is not a count and a table of 32-bit counts`);
    const copy = b.slice(4); // an aligned copy of the table
    return { docs: new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true), df: new Uint32Array(copy.buffer, 0, copy.byteLength / 4) };
  },
  'ledger.bin': (b: Uint8Array): Ledger => Ledger.deserialize(handOver(b)),
};

export type GenerationFile = keyof typeof decoders | 'registry.json' | 'runs.json';
export type Decoded<K extends GenerationFile> = K extends keyof typeof decoders ? ReturnType<(typeof decoders)[K]> : K extends 'runs.json' ? unknown[] : Record<string, unknown>;

/** The files a generation holds, in the order they are written. */
export const GENERATION_FILES: GenerationFile[] = ['dedup.bin', 'tail.bin', 'ledger.bin', 'registry.json', 'runs.json'];

/** The files the head's generation must have: its list (format 2), or every file but an absent dedup.bin (format 1). */
export function expectedFiles(dir: string, head: StateHead): GenerationFile[] {
  if (head.files) {
    const listed = Object.keys(head.files) as GenerationFile[];
    return [...GENERATION_FILES.filter((f) => listed.includes(f)), ...listed.filter((f) => !GENERATION_FILES.includes(f))];
  }
  return GENERATION_FILES.filter((f) => f !== 'dedup.bin' || existsSync(join(dir, genDir(head.generation), f)));
}

/** Read, check and decode one file of the head's generation; DamagedStateError names it when it cannot be used. */
export function readGenerationFile<K extends GenerationFile>(dir: string, head: StateHead, name: K): { value: Decoded<K>; bytes: number; crc: number | null } {
  const at = { dir, rel: `${genDir(head.generation)}/${name}` };
  const { payload, crc } = readChecked(at, head.files === null);
  if (head.files) {
    const want = head.files[name];
    if (want === undefined) throw new DamagedStateError(dir, at.rel, `not listed in ${HEAD_FILE}`);
    if (crc !== null && crcHex(crc) !== want) throw new DamagedStateError(dir, at.rel, `checksum ${crcHex(crc)} differs from ${want} recorded in ${HEAD_FILE} (a file of another generation?)`);
  }
  const bytes = payload.byteLength;
  if (name === 'registry.json' || name === 'runs.json') {
    const v = parseJson(at, payload);
    if (name === 'runs.json' ? !Array.isArray(v) : !isObject(v)) throw new DamagedStateError(dir, at.rel, `not a JSON ${name === 'runs.json' ? 'array' : 'object'}`);
    return { value: v as Decoded<K>, bytes, crc };
  }
  const decode = decoders[name as keyof typeof decoders];
  if (!decode) throw new DamagedStateError(dir, at.rel, 'not a file this synthfilter knows');
  try {
    return { value: decode(payload) as Decoded<K>, bytes, crc };
  } catch (e) {
    throw new DamagedStateError(dir, at.rel, `unreadable content: ${(e as Error).message}`);
  }
}

/** Read and check pending.json (the run in progress); null when there is none. `legacyOk`: a format-1 folder. */
export function readPendingFile(dir: string, legacyOk: boolean): { value: Record<string, unknown>; bytes: number; crc: number | null } | null {
  if (!existsSync(join(dir, PENDING_FILE))) return null;
  const at = { dir, rel: PENDING_FILE };
  const { payload, crc } = readChecked(at, legacyOk);
  const v = parseJson(at, payload);
  if (!isObject(v) || typeof v['runId'] !== 'string' || typeof v['fingerprint'] !== 'string' || !Number.isSafeInteger(v['generation']) || !Array.isArray(v['files'])) {
    throw new DamagedStateError(dir, PENDING_FILE, 'not a pending run: runId, fingerprint, generation or files missing');
  }
  return { value: v, bytes: payload.byteLength, crc };
}
