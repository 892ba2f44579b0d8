/**
 * File state backend for the nightly job.
 *
 *   state/STATE.json        {format, fingerprint, generation}: the atomic pointer to the current generation
 *   state/gen-NNNNNN/       dedup.bin (index + exact set + ids), tail.bin (document-frequency sketch),
 *                           ledger.bin (provenance), registry.json (processed inputs), runs.json (run history)
 *   state/pending.json      the run in progress (id, start time, planned inputs): a crashed run resumes from it
 *   state/lock              {pid, host, started}: one run at a time; a lock whose process is gone is stale
 *   state/work/<run>/       per-input spools of the pure scoring phase (deleted at commit)
 *
 * A generation is written completely (every file fsynced) before STATE.json is atomically replaced, so a crash at
 * any point leaves either the old or the new generation current, never a mix.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { writeFileAtomic } from '../sink/files.js';
import { Ledger } from './ledger.js';
import { handOver } from '../score/dedup/bytes.js';

export const STATE_FORMAT = 1;

export interface RegistryEntry {
  size: number;
  mtimeMs: number;
  sha256: string;
  runId: string;
}

export interface RunSummary {
  runId: string;
  startedAt: string;
  inputs: number;
  files: number;
  accept: number;
  reject: number;
  quarantine: number;
  synthetic_share: number;
  tail_retention: number | null;
  reasons: Record<string, number>;
  /** the night's estimated synthetic share with its interval (issue 18; absent in runs before it, null when the
   * night had no estimate): the report's trend and clean's synthetic_share_rising warning read it */
  synthetic_share_estimate?: {
    input: { value: number; low: number; high: number };
    accepted: { value: number; low: number; high: number } | null;
    undeclared: number;
  } | null;
}

export interface StateSnapshot {
  fingerprint: string;
  generation: number;
  dedup: Uint8Array | null;
  tail: { docs: number; df: Uint32Array } | null;
  ledger: Ledger;
  registry: Record<string, RegistryEntry>;
  runs: RunSummary[];
}

/** What `save` takes: the dedup snapshot may come as pieces in order (as `serializeParts` gives them), written
 * out one after another without joining them into one 0.6 GB buffer first. */
export type SaveSnapshot = Omit<StateSnapshot, 'dedup'> & { dedup: Uint8Array | Uint8Array[] | null };

export interface PendingRun {
  runId: string;
  startedAt: string;
  fingerprint: string;
  generation: number;
  files: Array<{ path: string; rel: string; size: number; mtimeMs: number; sha256: string }>;
}

const stateError = (msg: string) => new SynthfilterError('E_STATE', msg);

/** A Buffer's bytes as a plain Uint8Array view (`new Uint8Array(buffer)` would copy, element by element). */
const bytesOf = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);

export class FileStateStore {
  private locked = false;
  constructor(readonly dir: string) {}

  get workDir(): string {
    return join(this.dir, 'work');
  }

  /** Take the run lock; a lock left by a dead process on this host is taken over. */
  lock(): void {
    mkdirSync(this.dir, { recursive: true });
    const path = join(this.dir, 'lock');
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(path, 'wx');
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() }));
        fsyncSync(fd);
        closeSync(fd);
        this.locked = true;
        return;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw stateError(`cannot create lock ${path}: ${(e as Error).message}`);
      }
      let info: { pid?: number; host?: string; started?: string } = {};
      try {
        info = JSON.parse(readFileSync(path, 'utf8'));
      } catch {
        /* a lock being written, or garbage: treat as held unless it is old */
      }
      const sameHost = info.host === hostname();
      let alive = true;
      if (sameHost && typeof info.pid === 'number') {
        try {
          process.kill(info.pid, 0);
        } catch (e) {
          alive = (e as NodeJS.ErrnoException).code === 'EPERM';
        }
      }
      if (sameHost && !alive) {
        rmSync(path, { force: true }); // stale: its process is gone
        continue;
      }
      throw new SynthfilterError(
        'E_LOCKED',
        `state ${this.dir} is locked by pid ${info.pid ?? '?'} on ${info.host ?? '?'} since ${info.started ?? '?'}: another run is active` +
          (sameHost ? '' : ` (on another host: if it is dead, remove ${path})`),
      );
    }
    throw new SynthfilterError('E_LOCKED', `state ${this.dir}: could not take the lock`);
  }

  unlock(): void {
    if (this.locked) rmSync(join(this.dir, 'lock'), { force: true });
    this.locked = false;
  }

  /** Load the current generation; null for a new state directory. Refuses another format or fingerprint. */
  load(fingerprint: string): StateSnapshot | null {
    const ptr = join(this.dir, 'STATE.json');
    if (!existsSync(ptr)) return null;
    let head: { format: number; fingerprint: string; generation: number };
    try {
      head = JSON.parse(readFileSync(ptr, 'utf8'));
    } catch (e) {
      throw stateError(`state ${this.dir} is corrupt: cannot read STATE.json (${(e as Error).message})`);
    }
    if (head.format !== STATE_FORMAT) throw stateError(`state ${this.dir} has format ${head.format}; this synthfilter reads format ${STATE_FORMAT}`);
    if (head.fingerprint !== fingerprint) {
      throw stateError(
        `state ${this.dir} was built with config fingerprint ${head.fingerprint}, this run's is ${fingerprint}: the dedup ` +
          `parameters or scorer versions differ, so the index cannot be reused. Use the original config, or a new --state directory.`,
      );
    }
    const g = join(this.dir, gen(head.generation));
    try {
      const tailBuf = readFileSync(join(g, 'tail.bin'));
      const docs = tailBuf.readUInt32LE(0);
      const df = new Uint32Array(tailBuf.buffer.slice(tailBuf.byteOffset + 4, tailBuf.byteOffset + tailBuf.length));
      const dedupPath = join(g, 'dedup.bin');
      return {
        fingerprint,
        generation: head.generation,
        // read fresh and handed over: the index is built on views of these bytes, not copies
        dedup: existsSync(dedupPath) ? handOver(bytesOf(readFileSync(dedupPath))) : null,
        tail: { docs, df },
        ledger: Ledger.deserialize(handOver(bytesOf(readFileSync(join(g, 'ledger.bin'))))),
        registry: JSON.parse(readFileSync(join(g, 'registry.json'), 'utf8')),
        runs: JSON.parse(readFileSync(join(g, 'runs.json'), 'utf8')),
      };
    } catch (e) {
      throw stateError(`state ${this.dir} is corrupt: generation ${head.generation} is unreadable (${(e as Error).message})`);
    }
  }

  /** Write a new generation, then switch STATE.json to it atomically, then drop older generations. */
  save(s: SaveSnapshot): number {
    const next = s.generation + 1;
    const g = join(this.dir, gen(next));
    rmSync(g, { recursive: true, force: true });
    mkdirSync(g, { recursive: true });
    // every file is written piece by piece (the dedup snapshot comes as pieces) and fsynced through one descriptor
    const put = (name: string, data: string | Uint8Array | Uint8Array[]) => {
      const pieces = Array.isArray(data) ? data : [typeof data === 'string' ? Buffer.from(data) : data];
      const fd = openSync(join(g, name), 'w');
      try {
        for (const part of pieces) for (let at = 0; at < part.byteLength; ) at += writeSync(fd, part, at, part.byteLength - at);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    };
    if (s.dedup) put('dedup.bin', s.dedup);
    const tail = s.tail ?? { docs: 0, df: new Uint32Array(0) };
    const tb = Buffer.alloc(4 + tail.df.byteLength);
    tb.writeUInt32LE(tail.docs, 0);
    Buffer.from(tail.df.buffer, tail.df.byteOffset, tail.df.byteLength).copy(tb, 4);
    put('tail.bin', tb);
    put('ledger.bin', s.ledger.serialize());
    put('registry.json', JSON.stringify(Object.fromEntries(Object.entries(s.registry).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))));
    put('runs.json', JSON.stringify(s.runs));
    writeFileAtomic(join(this.dir, 'STATE.json'), JSON.stringify({ format: STATE_FORMAT, fingerprint: s.fingerprint, generation: next }) + '\n');
    for (const d of readdirSync(this.dir)) if (/^gen-\d+$/.test(d) && d !== gen(next)) rmSync(join(this.dir, d), { recursive: true, force: true });
    return next;
  }

  readPending(): PendingRun | null {
    const p = join(this.dir, 'pending.json');
    if (!existsSync(p)) return null;
    try {
      return JSON.parse(readFileSync(p, 'utf8')) as PendingRun;
    } catch {
      return null; // a torn pending file: plan again
    }
  }

  writePending(p: PendingRun): void {
    writeFileAtomic(join(this.dir, 'pending.json'), JSON.stringify(p) + '\n');
  }

  /** The work files first, then the pending record that names them: a cleanup cut short by a crash is still
   * recorded, and the next run finishes it. */
  clearPending(runId: string): void {
    rmSync(join(this.workDir, runId), { recursive: true, force: true });
    rmSync(join(this.dir, 'pending.json'), { force: true });
  }
}

const gen = (n: number) => `gen-${String(n).padStart(6, '0')}`;
