/**
 * What the batch engine's route task leaves for the write tasks and the finish, in <night>/route/:
 *   dest-<n>.rows   each output file's records (destinations.ts, dest-rows.ts)
 *   summary.json    the output files, the night's statistics (stats, report counts, histograms), read errors
 *   accepted.bits   one bit per seq: the record was accepted (the history commit keeps exactly these)
 *   tail.df         the tail statistics' document frequencies after the night (little-endian u32)
 *   ledger.notes    one provenance note per routed record, 24 bytes: hash hi, lo, flags (label | emitted << 2 |
 *                   no p_ai << 3), 0, p_ai (f64)
 * Every file is written under a temporary name and renamed, summary.json last: it is the task's result.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, renameSync, writeFileSync } from 'node:fs';
import { BufferedOut } from './buffered-out.js';
import { join } from 'node:path';
import type { NightData } from '../../report/collect.js';
import { SynthfilterError } from '../../errors.js';
import type { SavedStats } from '../../stage/stats.js';
import type { LedgerNote } from '../../state/index.js';
import type { OriginLabel } from '../../types.js';
import type { Dest } from './destinations.js';

export interface RouteSummary {
  /** records of the night (seqs) */
  records: number;
  dests: Dest[];
  stats: SavedStats;
  night: NightData;
  diversityHist: Record<string, number[]>;
  /** cluster size -> clusters of that size (clusters with a loser) */
  clusterSizes: Record<string, number>;
  historyDuplicates: number;
  errors: string[];
  tailDocs: number;
  notes: number;
}

export const routeDir = (nightTaskDir: string): string => join(nightTaskDir, 'route');

function writeAtomic(path: string, data: string | Uint8Array): void {
  writeFileSync(`${path}.tmp`, data);
  renameSync(`${path}.tmp`, path);
}

export function writeSummary(dir: string, s: RouteSummary): void {
  writeAtomic(join(dir, 'summary.json'), JSON.stringify(s));
}

export function readSummary(dir: string): RouteSummary {
  const p = join(dir, 'summary.json');
  if (!existsSync(p)) throw new SynthfilterError('E_STATE', `clean: ${p} is missing: the route task has not finished`);
  return JSON.parse(readFileSync(p, 'utf8')) as RouteSummary;
}

export function writeBits(dir: string, bits: Uint8Array): void {
  writeAtomic(join(dir, 'accepted.bits'), bits);
}

/** The accepted flags by seq (one byte per record: what the history commit takes). */
export function readAccepted(dir: string, records: number): Uint8Array {
  const b = readFileSync(join(dir, 'accepted.bits'));
  const out = new Uint8Array(records);
  for (let s = 0; s < records; s++) out[s] = (b[s >>> 3]! >> (s & 7)) & 1;
  return out;
}

export function writeTail(dir: string, df: Uint32Array): void {
  writeAtomic(join(dir, 'tail.df'), new Uint8Array(df.buffer, df.byteOffset, df.byteLength));
}

export function readTail(dir: string): Uint32Array {
  const b = readFileSync(join(dir, 'tail.df'));
  const out = new Uint32Array(b.byteLength / 4);
  new Uint8Array(out.buffer).set(b);
  return out;
}

const NOTE = 24;
const LABELS: OriginLabel[] = ['unknown', 'human', 'synthetic'];

export class NotesWriter extends BufferedOut {
  count = 0;

  constructor(path: string) {
    super(path, NOTE * 4096);
  }

  add(x: LedgerNote): void {
    this.reserve(NOTE);
    const at = this.n;
    this.buf.writeUInt32LE(x.hash[0]! >>> 0, at);
    this.buf.writeUInt32LE(x.hash[1]! >>> 0, at + 4);
    this.buf.writeUInt32LE(LABELS.indexOf(x.label) | (x.emitted ? 4 : 0) | (x.pAi === null ? 8 : 0), at + 8);
    this.buf.writeUInt32LE(0, at + 12);
    this.buf.writeDoubleLE(x.pAi ?? 0, at + 16);
    this.n += NOTE;
    this.count++;
  }
}

export const notesPath = (dir: string): string => join(dir, 'ledger.notes');

/** The notes in order, `batch` at a time. */
export function* readNotes(path: string, run: string, batch = 4096): Generator<LedgerNote[]> {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(NOTE * batch);
    for (;;) {
      let have = 0;
      while (have < buf.length) {
        const n = readSync(fd, buf, have, buf.length - have, null);
        if (n === 0) break;
        have += n;
      }
      if (have % NOTE !== 0) throw new SynthfilterError('E_STATE', `clean: ${path} is truncated`);
      if (have === 0) return;
      const out: LedgerNote[] = [];
      for (let at = 0; at < have; at += NOTE) {
        const f = buf.readUInt32LE(at + 8);
        out.push({ hash: Uint32Array.of(buf.readUInt32LE(at), buf.readUInt32LE(at + 4)), run, label: LABELS[f & 3]!, emitted: (f & 4) !== 0, pAi: f & 8 ? null : buf.readDoubleLE(at + 16) });
      }
      yield out;
      if (have < buf.length) return;
    }
  } finally {
    closeSync(fd);
  }
}
