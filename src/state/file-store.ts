/**
 * File state backend for the nightly job.
 *
 *   state/STATE.json        {format, fingerprint, generation, files}: the atomic pointer to the current generation
 *   state/gen-NNNNNN/       dedup.bin (index + exact set + ids), tail.bin (document-frequency sketch),
 *                           ledger.bin (provenance), registry.json (processed inputs), runs.json (run history)
 *   state/pending.json      the run in progress (id, start time, planned inputs): a crashed run resumes from it
 *   state/lock              {pid, host, started}: one run at a time; a lock whose process is gone is stale
 *   state/work/<run>/       per-input spools of the pure scoring phase (deleted at commit)
 *
 * A generation is written completely (every file fsynced) before STATE.json is atomically replaced, so a crash at
 * any point leaves either the old or the new generation current, never a mix. Every file but the lock and the
 * spools carries a format version and a checksum (checked-file.ts, generation.ts): a damaged file is reported by
 * name (E_STATE, exit 6) when the state is loaded, before anything is written.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeSync } from 'node:fs';
import { removeContained } from '../fsx/contained.js';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { Ledger } from './ledger.js';
import { removeOrphanTemps, writeChecked, writeCheckedAtomic } from './checked-file.js';
import { crcHex } from './crc32.js';
import { GEN_DIR, HEAD_FILE, LEGACY_FORMAT, PENDING_FILE, STATE_FORMAT, expectedFiles, genDir, readGenerationFile, readHead, readPendingFile, type GenerationFile } from './generation.js';

export { STATE_FORMAT } from './generation.js';

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

export class FileStateStore {
  private locked = false;
  /** `warn`: notes about the folder that do not stop the run (a format-1 folder, orphan temp files removed) */
  constructor(
    readonly dir: string,
    private readonly warn: (msg: string) => void = () => {},
  ) {}

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
        // holding the lock, no other run writes here: temp files of a crashed run can go
        const orphans = removeOrphanTemps(this.dir);
        if (orphans.length) this.warn(`state ${this.dir}: removed temp files a crashed run left behind: ${orphans.join(', ')}`);
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
        removeContained(path, [this.dir]); // stale: its process is gone
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
    if (this.locked) removeContained(join(this.dir, 'lock'), [this.dir]);
    this.locked = false;
  }

  /**
   * Load the current generation; null for a new state directory. Refuses another format or fingerprint; a missing,
   * cut short or altered file is reported by name (E_STATE) before anything is written.
   */
  load(fingerprint: string): StateSnapshot | null {
    const head = readHead(this.dir);
    if (!head) return null;
    if (head.fingerprint !== fingerprint) {
      throw stateError(
        `state ${this.dir} was built with config fingerprint ${head.fingerprint}, this run's is ${fingerprint}: the dedup ` +
          `parameters or scorer versions differ, so the index cannot be reused. Use the original config, or a new --state directory.`,
      );
    }
    if (head.format === LEGACY_FORMAT) {
      this.warn(`state ${this.dir} has format ${LEGACY_FORMAT} (no checksums): read unchecked; the next commit writes it as format ${STATE_FORMAT}`);
    }
    const names = expectedFiles(this.dir, head);
    const read = <K extends GenerationFile>(name: K) => readGenerationFile(this.dir, head, name).value;
    return {
      fingerprint,
      generation: head.generation,
      dedup: names.includes('dedup.bin') ? read('dedup.bin') : null,
      tail: read('tail.bin'),
      ledger: read('ledger.bin'),
      registry: read('registry.json') as Record<string, RegistryEntry>,
      runs: read('runs.json') as unknown as RunSummary[],
    };
  }

  /** Write a new generation, then switch STATE.json to it atomically, then drop older generations. */
  save(s: SaveSnapshot): number {
    const next = s.generation + 1;
    const g = join(this.dir, genDir(next));
    removeContained(g, [this.dir]);
    mkdirSync(g, { recursive: true });
    // every file is written piece by piece (the dedup snapshot comes as pieces), its checksum footer last, and
    // fsynced; STATE.json records each file's checksum
    const files: Record<string, string> = {};
    const put = (name: GenerationFile, data: string | Uint8Array | Uint8Array[]) => {
      files[name] = crcHex(writeChecked(join(g, name), data));
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
    writeCheckedAtomic(join(this.dir, HEAD_FILE), JSON.stringify({ format: STATE_FORMAT, fingerprint: s.fingerprint, generation: next, files }) + '\n');
    for (const d of readdirSync(this.dir)) if (GEN_DIR.test(d) && d !== genDir(next)) removeContained(join(this.dir, d), [this.dir]);
    return next;
  }

  /** The run in progress, checked; a damaged pending.json is E_STATE (delete it to plan the run again). */
  readPending(): PendingRun | null {
    const head = readHead(this.dir);
    return (readPendingFile(this.dir, head === null || head.format === LEGACY_FORMAT)?.value as PendingRun | undefined) ?? null;
  }

  writePending(p: PendingRun): void {
    writeCheckedAtomic(join(this.dir, PENDING_FILE), JSON.stringify(p) + '\n');
  }

  /** The work files first, then the pending record that names them: a cleanup cut short by a crash is still
   * recorded, and the next run finishes it. */
  clearPending(runId: string): void {
    removeContained(join(this.workDir, runId), [this.dir]);
    removeContained(join(this.dir, PENDING_FILE), [this.dir]);
  }
}
