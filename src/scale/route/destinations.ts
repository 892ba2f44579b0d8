/**
 * The output files of a batch-engine night as the route task finalises records: accepted records go to the shard
 * the router named, rejects and quarantine to rotated side files (a new one every output.shardMaxRecords records),
 * named as the one-process sink names them (src/sink/files.ts). Each file's records are written as rows
 * (dest-rows.ts) for the write task that writes the file; `close` returns every file with its seq range, in order
 * of first record.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Annotation } from '../../types.js';
import { DestRowsWriter } from './dest-rows.js';

export type DestKind = 'shard' | 'reject' | 'quarantine';

/** One output file of the night. */
export interface Dest {
  /** its index among the night's files (in order of first record) and its rows file, route/dest-<index>.rows */
  index: number;
  kind: DestKind;
  /** shard name, or the side file's index among its kind's */
  name: string;
  side: number;
  rows: number;
  /** lowest and highest seq among its records */
  minSeq: number;
  maxSeq: number;
}

export const destRowsPath = (dir: string, index: number): string => join(dir, `dest-${String(index).padStart(6, '0')}.rows`);

interface Open {
  dest: Dest;
  out: DestRowsWriter;
}

export class Destinations {
  private readonly all: Dest[] = [];
  private readonly open: Partial<Record<DestKind, Open>> = {};
  private readonly sides = { reject: 0, quarantine: 0 };

  constructor(
    private readonly dir: string,
    private readonly sideMaxRecords: number,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Record one finalised outcome (its annotation already serialised). */
  add(seq: number, a: Annotation, annotationJson: string): void {
    const kind: DestKind = a.decision === 'accept' ? 'shard' : a.decision;
    let o = this.open[kind];
    const full = kind === 'shard' ? o !== undefined && o.dest.name !== a.shard : o !== undefined && o.dest.rows >= this.sideMaxRecords;
    if (full) {
      o!.out.close();
      o = undefined;
    }
    if (!o) {
      const index = this.all.length;
      const side = kind === 'shard' ? -1 : this.sides[kind]++;
      const dest: Dest = { index, kind, name: kind === 'shard' ? (a.shard ?? 'shard-00000') : String(side), side, rows: 0, minSeq: seq, maxSeq: seq };
      this.all.push(dest);
      o = this.open[kind] = { dest, out: new DestRowsWriter(destRowsPath(this.dir, index)) };
    }
    o.out.add(seq, annotationJson);
    const d = o.dest;
    d.rows++;
    if (seq < d.minSeq) d.minSeq = seq;
    if (seq > d.maxSeq) d.maxSeq = seq;
  }

  close(): Dest[] {
    for (const k of ['shard', 'reject', 'quarantine'] as const) this.open[k]?.out.close();
    return this.all;
  }
}
