/**
 * Output files. A regular file is written under a temporary name, fsynced and renamed when complete, so a reader
 * never sees a partial shard; a FIFO or character device is written in place, and a symlink's target is written
 * (src/fsx/output-target.ts). The sha256 and byte count are computed on the bytes as written.
 */
import { mkdirSync, openSync, open, fsyncSync, closeSync, write, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, basename } from 'node:path';
import { gzip as gzipCb, type ZlibOptions } from 'node:zlib';
import { promisify } from 'node:util';
import { SynthfilterError } from '../errors.js';
import { removeContained, renameContained } from '../fsx/contained.js';
import { outputTarget } from '../fsx/output-target.js';
import { validateName } from '../fsx/names.js';
import { serializeOutcome } from './serialize.js';
import { getPath } from '../config/index.js';
import type { Outcome, OriginLabel } from '../types.js';

const gzipAsync = promisify(gzipCb) as (buf: Uint8Array, opts: ZlibOptions) => Promise<Buffer>;

export interface FileInfo {
  file: string; // relative to the output directory
  records: number;
  bytes: number;
  sha256: string;
}

/** fsync a file by path. */
export function fsyncPath(p: string): void {
  const fd = openSync(p, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDir(p: string): void {
  try {
    const fd = openSync(p, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* directories cannot be fsynced on every platform */
  }
}

/** Write a small file atomically (temp + fsync + rename). */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  fsyncPath(tmp);
  renameContained(tmp, path, [dirname(path)]);
  fsyncDir(dirname(path));
}

/** Bytes gathered before a block is encoded (and compressed) and written. */
const BLOCK_BYTES = 1 << 20;
/** zlib output buffer: one block compresses in one thread-pool job (the 16 KiB default costs a round trip through
 * the event loop per 16 KiB) */
const CHUNK = BLOCK_BYTES + (BLOCK_BYTES >> 2);
/** Blocks being compressed or written at once, per file (bounds memory; compression runs on the libuv pool). */
const MAX_IN_FLIGHT = 4;

/**
 * A JSONL(.gz) output file: a regular file is written atomically (temp + fsync + rename); a FIFO or character
 * device is opened and written in place; a symlink's target is written and the link stays a link.
 *
 * Writes are gathered into ~1 MB blocks. With gzip each block is compressed on its own, as one gzip member
 * (RFC 1952 allows a file to be a series of members; gzip, zcat, Python and Node read it as one stream), on the
 * libuv thread pool while the caller goes on: the routing thread no longer waits for each block's compression, and
 * several blocks compress at once. Block boundaries depend only on the sequence of writes, so the same writes give
 * the same bytes.
 */
export class AtomicFile {
  /** the temporary file renamed over the target at close; null when the target is written in place */
  readonly tmp: string | null;
  /** the file written (a symlink's target), in `tmp`'s folder */
  private readonly target: string;
  records = 0;
  private bytes = 0;
  private readonly hash = createHash('sha256');
  /** the descriptor; opened without blocking the event loop when in place (a FIFO waits for its reader) */
  private readonly fd: Promise<number>;
  private pending: Array<string | Uint8Array> = [];
  private pendingLen = 0;
  private blocks = 0;
  private chain: Promise<void>;
  private readonly inFlight: Array<Promise<void>> = [];
  private failed: Error | null = null;
  private aborted = false;

  constructor(readonly path: string, private readonly gzip: boolean, readonly rel: string, private readonly level = 3) {
    const outErr = (e: unknown) => new SynthfilterError('E_OUTPUT', `${this.path}: ${(e as Error).message}`, this.path);
    let t;
    try {
      t = outputTarget(path);
    } catch (e) {
      throw e instanceof SynthfilterError ? e : outErr(e);
    }
    this.target = t.path;
    if (t.mode === 'in-place') {
      this.tmp = null;
      this.fd = new Promise((resolve, reject) => open(t.path, 'w', (err, fd) => (err ? reject(outErr(err)) : resolve(fd))));
    } else {
      this.tmp = join(dirname(t.path), `.${basename(t.path)}.tmp-${process.pid}`);
      try {
        mkdirSync(dirname(t.path), { recursive: true });
        this.fd = Promise.resolve(openSync(this.tmp, 'w'));
      } catch (e) {
        throw outErr(e);
      }
    }
    this.chain = this.fd.then(
      () => {},
      (e: Error) => {
        this.failed ??= e;
      },
    );
  }

  async write(text: string | Uint8Array, records: number): Promise<void> {
    if (this.failed) throw this.failed;
    this.records += records;
    this.pending.push(text);
    this.pendingLen += text.length;
    if (this.pendingLen >= BLOCK_BYTES) await this.dispatch();
    if (this.failed) throw this.failed;
  }

  /** Encode the gathered writes as one block and queue it behind the blocks before it. */
  private async dispatch(): Promise<void> {
    if (this.pendingLen === 0 && !(this.gzip && this.blocks === 0)) return;
    const parts = this.pending;
    this.pending = [];
    this.pendingLen = 0;
    this.blocks++;
    const raw = parts.every((x) => typeof x === 'string')
      ? Buffer.from((parts as string[]).join('')) // one UTF-8 encode, no per-part buffers
      : parts.length === 1
        ? (parts[0] as Uint8Array)
        : Buffer.concat(parts.map((x) => (typeof x === 'string' ? Buffer.from(x) : x)));
    const encoded: Promise<Uint8Array> = this.gzip ? gzipAsync(raw, { level: this.level, chunkSize: CHUNK }) : Promise.resolve(raw);
    encoded.catch(() => {}); // surfaced through the chain below
    const done = this.chain.then(async () => {
      const out = await encoded;
      if (this.aborted || this.failed) return;
      this.hash.update(out);
      this.bytes += out.byteLength;
      await writeAll(await this.fd, out);
    });
    this.chain = done.catch((e: Error) => {
      this.failed ??= new SynthfilterError('E_OUTPUT', `${this.path}: ${e.message}`, this.path);
    });
    this.inFlight.push(this.chain);
    while (this.inFlight.length > MAX_IN_FLIGHT) await this.inFlight.shift();
  }

  async close(): Promise<FileInfo> {
    if (this.failed) throw this.failed;
    await this.dispatch(); // the rest (and, for an empty gzip file, one empty member: a valid .gz)
    await this.chain;
    this.inFlight.length = 0;
    if (this.failed) {
      this.abort();
      throw this.failed;
    }
    const fd = await this.fd;
    try {
      if (this.tmp !== null) fsyncSync(fd); // a pipe or device has nothing to make durable
      closeSync(fd);
    } catch (e) {
      throw new SynthfilterError('E_OUTPUT', `${this.path}: ${(e as Error).message}`, this.path);
    }
    if (this.tmp !== null) {
      renameContained(this.tmp, this.target, [dirname(this.target)]);
      fsyncDir(dirname(this.target));
    }
    return { file: this.rel, records: this.records, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.failed ??= new SynthfilterError('E_OUTPUT', `${this.path}: aborted`, this.path);
    if (this.tmp !== null) removeContained(this.tmp, [dirname(this.tmp)]);
    // blocks still in flight skip their write; the descriptor closes after them (never while one could use it)
    void this.chain.finally(async () => {
      try {
        closeSync(await this.fd);
      } catch {
        /* never opened, or closed already (close() failed after its fsync) */
      }
    });
  }
}

function writeAll(fd: number, data: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (at: number) => {
      if (at >= data.byteLength) return resolve();
      write(fd, data, at, data.byteLength - at, null, (err, n) => (err ? reject(err) : step(at + n)));
    };
    step(0);
  });
}

export interface ShardInfo extends FileInfo {
  name: string;
  origin: Record<OriginLabel, number>;
  synthetic_share: number;
  tail: number;
  /** counts per value of route.balanceBy (when set) */
  strata: Record<string, number>;
  /** p_ai histogram, 10 bins over [0, 1], of records the detector judged */
  p_ai_hist: number[];
}

export interface SinkOptions {
  annotate: boolean;
  annotationKey: string;
  gzip: boolean;
  /** rotate rejects/quarantine files after this many records */
  sideMaxRecords: number;
  /** dotted path of the stratum field for per-shard counts */
  stratumField?: string | null;
  /** the index of the first rejects/quarantine file (a sink that writes one side file of a night: the batch
   * engine's write tasks) */
  firstSide?: number;
}

/**
 * Directory sink: accepted records go to the shard the router named; rejects and quarantine go to their own
 * rotated files (always annotated: the reasons are the point of them).
 */
export class DirectorySink {
  readonly shards: ShardInfo[] = [];
  readonly rejects: FileInfo[] = [];
  readonly quarantine: FileInfo[] = [];
  private shard: AtomicFile | null = null;
  private shardName = '';
  private shardOrigin: Record<OriginLabel, number> = { human: 0, synthetic: 0, unknown: 0 };
  private shardTail = 0;
  private shardStrata: Record<string, number> = {};
  private shardHist: number[] = new Array(10).fill(0);
  private side: Record<'reject' | 'quarantine', AtomicFile | null> = { reject: null, quarantine: null };
  private sideIdx: Record<'reject' | 'quarantine', number>;
  private readonly ext: string;

  constructor(readonly dir: string, private readonly o: SinkOptions) {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (e) {
      throw new SynthfilterError('E_OUTPUT', `cannot create output folder ${dir}: ${(e as Error).message}`, dir);
    }
    this.ext = o.gzip ? '.jsonl.gz' : '.jsonl';
    this.sideIdx = { reject: o.firstSide ?? 0, quarantine: o.firstSide ?? 0 };
  }

  private async closeShard(): Promise<void> {
    if (!this.shard) return;
    const info = await this.shard.close();
    const n = info.records;
    this.shards.push({
      ...info,
      name: this.shardName,
      origin: this.shardOrigin,
      synthetic_share: n ? this.shardOrigin.synthetic / n : 0,
      tail: this.shardTail,
      strata: this.shardStrata,
      p_ai_hist: this.shardHist,
    });
    this.shard = null;
    this.shardOrigin = { human: 0, synthetic: 0, unknown: 0 };
    this.shardTail = 0;
    this.shardStrata = {};
    this.shardHist = new Array(10).fill(0);
  }

  /** Records the current rejects/quarantine file still takes (a whole file when there is none or it is full). */
  private sideRoom(kind: 'reject' | 'quarantine'): number {
    const f = this.side[kind];
    return !f || f.records >= this.o.sideMaxRecords ? this.o.sideMaxRecords : this.o.sideMaxRecords - f.records;
  }

  private async sideFile(kind: 'reject' | 'quarantine'): Promise<AtomicFile> {
    let f = this.side[kind];
    if (f && f.records >= this.o.sideMaxRecords) {
      (kind === 'reject' ? this.rejects : this.quarantine).push(await f.close());
      f = null;
    }
    if (!f) {
      const folder = kind === 'reject' ? 'rejects' : 'quarantine';
      const name = `${folder}-${String(this.sideIdx[kind]++).padStart(5, '0')}${this.ext}`;
      f = new AtomicFile(join(this.dir, folder, name), this.o.gzip, `${folder}/${name}`);
      this.side[kind] = f;
    }
    return f;
  }

  async write(outcomes: Outcome[]): Promise<void> {
    // group consecutive lines per target to write in few calls
    let buf = '';
    let n = 0;
    let target: string | null = null;
    const flush = async () => {
      if (!n || target === null) return;
      if (target === 'reject' || target === 'quarantine') await (await this.sideFile(target)).write(buf, n);
      else await this.shard!.write(buf, n);
      buf = '';
      n = 0;
    };
    for (const o of outcomes) {
      const a = o.annotation;
      let t: string;
      if (a.decision === 'accept') {
        t = `shard:${a.shard}`;
        if (a.shard !== this.shardName || !this.shard) {
          await flush();
          await this.closeShard();
          this.shardName = validateName('shard name', a.shard ?? 'shard-00000', 'E_OUTPUT');
          this.shard = new AtomicFile(join(this.dir, `${this.shardName}${this.ext}`), this.o.gzip, `${this.shardName}${this.ext}`);
        }
        this.shardOrigin[a.origin.label]++;
        if (a.tail) this.shardTail++;
        if (a.origin.p_ai !== null) this.shardHist[Math.min(9, Math.floor(a.origin.p_ai * 10))]!++;
        if (this.o.stratumField && o.record) {
          const v = getPath(o.record, this.o.stratumField);
          const k = v === undefined || v === null ? '(none)' : String(v);
          this.shardStrata[k] = (this.shardStrata[k] ?? 0) + 1;
        }
      } else t = a.decision;
      if (t !== target) {
        await flush();
        target = t;
      }
      buf += serializeOutcome(o, a.decision === 'accept' ? this.o.annotate : true, this.o.annotationKey) + '\n';
      n++;
      // a side file takes at most sideMaxRecords: a run of rejects longer than its room goes on in the next file
      if (buf.length > 1 << 20 || (t === 'reject' || t === 'quarantine' ? n >= this.sideRoom(t) : false)) await flush();
    }
    await flush();
  }

  async close(): Promise<void> {
    await this.closeShard();
    for (const kind of ['reject', 'quarantine'] as const) {
      const f = this.side[kind];
      if (f) (kind === 'reject' ? this.rejects : this.quarantine).push(await f.close());
      this.side[kind] = null;
    }
  }

  abort(): void {
    this.shard?.abort();
    this.side.reject?.abort();
    this.side.quarantine?.abort();
  }
}
