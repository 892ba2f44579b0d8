/**
 * The batch engine's write tasks: `write:<part>` writes the output files whose first record (lowest seq) is in
 * that part (each file of the night is written by exactly one task), into the run's staging folder, with the
 * annotations the route task decided. It reads the spools over its files' seq range, in input order, and writes
 * each file's records in the order the router finalised them (a record the router held back, a synthetic record
 * waiting for quota, waits here until its turn: as many as the router held at once). Idempotent: a file is
 * written under a temporary name and renamed (src/sink/files.ts); temporary files an interrupted attempt left are
 * removed first, so a rerun writes the same bytes.
 */
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Config } from '../../config/index.js';
import { SynthfilterError } from '../../errors.js';
import { DirectorySink, type FileInfo, type ShardInfo } from '../../sink/files.js';
import { spoolEntries } from '../../stage/spool.js';
import type { StopWatch } from '../../stage/stop.js';
import type { Annotation, JsonRecord, Outcome } from '../../types.js';
import type { PartSeqs } from '../batch-tasks.js';
import { readDestRows } from './dest-rows.js';
import { destRowsPath, type Dest } from './destinations.js';

/** What a write task returns for each file it wrote. */
export interface WrittenFile {
  dest: number;
  kind: Dest['kind'];
  info: ShardInfo | FileInfo;
}

export interface WriteTaskInput {
  cfg: Config;
  /** this task's files */
  dests: Dest[];
  /** the night's parts in input order, with the folder their spools are in */
  parts: PartSeqs[];
  spoolDir: string;
  /** the route task's folder (the files' rows) */
  routeDir: string;
  /** the run's staging folder */
  staging: string;
  stop: StopWatch;
}

/** A record read back from its spool: what its output line needs. */
interface Line {
  id: string;
  record: JsonRecord | null;
  raw: string | undefined;
}

/** One output file being written: its rows in order and its sink. */
class FileWriter {
  private readonly rows: Generator<{ seq: number; annotation: string }>;
  private head: { seq: number; annotation: string } | null;
  private readonly sink: DirectorySink;
  private block: Outcome[] = [];
  written = 0;

  constructor(readonly dest: Dest, routeDir: string, cfg: Config, staging: string) {
    this.rows = readDestRows(destRowsPath(routeDir, dest.index));
    this.head = this.rows.next().value ?? null;
    this.sink = new DirectorySink(staging, { annotate: cfg.output.annotate, annotationKey: cfg.output.annotationKey, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: (cfg.route.balanceBy as string | null) ?? null, firstSide: dest.side });
  }

  /** Write the rows whose records have been read, in order; returns when the next row's record is still ahead. */
  async drain(ready: Map<number, Line>): Promise<void> {
    while (this.head && ready.has(this.head.seq)) {
      const l = ready.get(this.head.seq)!;
      ready.delete(this.head.seq);
      this.block.push({ id: l.id, record: l.record, raw: l.raw, annotation: JSON.parse(this.head.annotation) as Annotation, pos: { file: '', line: 0 }, bytes: 0 });
      this.written++;
      this.head = this.rows.next().value ?? null;
      if (this.block.length >= 1024) await this.flush();
    }
  }

  private async flush(): Promise<void> {
    const b = this.block;
    this.block = [];
    if (b.length) await this.sink.write(b);
  }

  get done(): boolean {
    return this.head === null;
  }

  async close(): Promise<ShardInfo | FileInfo> {
    await this.flush();
    await this.sink.close();
    const info = this.sink.shards[0] ?? this.sink.rejects[0] ?? this.sink.quarantine[0];
    if (!info || this.written !== this.dest.rows) throw new SynthfilterError('E_STATE', `clean: output file ${this.dest.kind} ${this.dest.name}: ${this.written} of ${this.dest.rows} records written`);
    return info;
  }

  abort(): void {
    this.sink.abort();
  }
}

/** The path an output file gets in the staging folder (as DirectorySink names it). */
export function destFile(cfg: Config, d: Dest): string {
  const ext = cfg.output.compress === 'gzip' ? '.jsonl.gz' : '.jsonl';
  if (d.kind === 'shard') return `${d.name}${ext}`;
  const folder = d.kind === 'reject' ? 'rejects' : 'quarantine';
  return `${folder}/${folder}-${String(d.side).padStart(5, '0')}${ext}`;
}

/** Temporary files an interrupted attempt left for this file (AtomicFile names them .<name>.tmp-<pid>). */
function removeLeftovers(path: string): void {
  const dir = dirname(path);
  if (!existsSync(dir)) return;
  const prefix = `.${basename(path)}.tmp-`;
  for (const n of readdirSync(dir)) if (n.startsWith(prefix)) rmSync(join(dir, n), { force: true });
}

export async function writeTask(w: WriteTaskInput): Promise<WrittenFile[]> {
  if (w.dests.length === 0) return [];
  for (const d of w.dests) removeLeftovers(join(w.staging, destFile(w.cfg, d)));
  const lo = Math.min(...w.dests.map((d) => d.minSeq));
  const hi = Math.max(...w.dests.map((d) => d.maxSeq));
  // which of this task's files each record in range goes to (a seq belongs to one file of the night)
  const owner = new Map<number, FileWriter>();
  const writers = w.dests.map((d) => new FileWriter(d, w.routeDir, w.cfg, w.staging));
  for (const fw of writers) for (const r of readDestRows(destRowsPath(w.routeDir, fw.dest.index))) owner.set(r.seq, fw);
  const ready = new Map<number, Line>();
  try {
    for (const part of w.parts) {
      if (part.count === 0 || part.base > hi || part.base + part.count <= lo) continue;
      let seq = part.base;
      for await (const x of spoolEntries(join(w.spoolDir, `${part.name}.spool`))) {
        if (seq >= part.base + part.count) break;
        w.stop.check();
        const fw = owner.get(seq);
        if (fw) {
          const record = x.k === 'q' ? (x.record ?? null) : ((x.line !== undefined ? JSON.parse(x.line) : x.record) as JsonRecord);
          ready.set(seq, { id: x.id, record, raw: x.k === 'q' ? (x.raw ?? undefined) : x.line });
          await fw.drain(ready);
        }
        seq++;
      }
    }
    const infos: WrittenFile[] = [];
    for (const fw of writers) {
      if (!fw.done) throw new SynthfilterError('E_STATE', `clean: output file ${fw.dest.kind} ${fw.dest.name}: records missing from the spools`);
      infos.push({ dest: fw.dest.index, kind: fw.dest.kind, info: await fw.close() });
    }
    return infos;
  } catch (e) {
    for (const fw of writers) fw.abort();
    throw e;
  }
}
