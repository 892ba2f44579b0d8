/**
 * Redis state backend: many `synthfilter clean` workers, on many machines, deduplicate against one index.
 *
 * Everything runs through one Lua script (redis-script.ts), so each command is atomic on the server. The
 * near-duplicate check of a batch of records is one script call: for each record in order, the exact hash and
 * the LSH band keys are looked up, candidates are verified by the MinHash estimate on stored 16-bit lanes, and a
 * unique record is indexed before the next record is looked at. Two workers can therefore never both keep two
 * near-duplicates, and a verdict's match is always a record that is indexed (kept) at that moment.
 *
 * This class holds the backend's operations; its parts are under redis/: the connection with its retries and
 * ordered ops (connection.ts), the partition lock (partition-lock.ts), and the formats of what the script reads
 * and writes (record-codec.ts, ledger-format.ts, tail-format.ts). If the server comes back without its data (no
 * persistence), the instance id check fails every call: the worker stops instead of deduplicating against an
 * empty index.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { removeContained } from '../fsx/contained.js';
import { resolveBandsRows } from '../score/dedup/index.js';
import { dedupConfigOf } from '../score/build.js';
import { StagedNotes } from './staged-notes.js';
import type { BackendKind, DedupItem, DedupVerdict, LedgerNote, SettleRequest, Settled, StateBackend, TailStats } from './backend.js';
import type { PendingRun, RegistryEntry, RunSummary } from './file-store.js';
import type { LedgerEntry } from './ledger.js';
import { ScriptConnection } from './redis/connection.js';
import { decodeLedgerEntries, encodeLedgerNote, exactHashKey } from './redis/ledger-format.js';
import { PartitionLock } from './redis/partition-lock.js';
import { RecordCodec } from './redis/record-codec.js';
import { decodeTail, encodeTail } from './redis/tail-format.js';
import { redactUrl } from './url.js';

export { redactUrl };

export const REDIS_FORMAT = 1;
/** items per script call for settle, remove, join and ledger notes */
const CALL_ITEMS = 512;

export interface RedisBackendOptions {
  cfg: Config;
  fingerprint: string;
  partition: string;
  workDir: string;
  url: string;
  prefix: string;
  retryMs: number;
  bucketBits: number;
  /** MinHash lanes stored per record for verification (at least bands x rows) */
  lanes: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export class RedisBackend implements StateBackend {
  readonly kind: BackendKind = 'redis';
  readonly partition: string;
  readonly workDir: string;
  readonly dedup: boolean;
  private gen = 0;
  private readonly conn: ScriptConnection;
  private readonly partitionLock: PartitionLock;
  private connecting: Promise<void> | null = null;
  private readonly tag: string;
  private readonly ph: string;
  private runKey = '';
  // dedup parameters
  private readonly lanes: number;
  get signatureLanes(): number {
    return this.dedup ? this.lanes : 0;
  }
  private readonly bands: number;
  private readonly rows: number;
  private readonly xbits: number;
  private readonly codec: RecordCodec;
  private readonly dedupArgs: string[];
  /** band keys of the records this session indexed (exact removal of their band entries) */
  private readonly ownBands = new Map<number, Buffer>();
  private staged = { notes: new StagedNotes(), registry: null as Record<string, RegistryEntry> | null, runs: [] as RunSummary[], tail: null as TailStats | null };

  constructor(private readonly o: RedisBackendOptions) {
    if (!/^rediss?:\/\//.test(o.url)) throw new SynthfilterError('E_CONFIG', `state.url must be a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(o.url))}`);
    if (!/^[^{}\s]+$/.test(o.prefix)) throw new SynthfilterError('E_CONFIG', `state.prefix must be non-empty, without braces or spaces, got ${JSON.stringify(o.prefix)}`);
    this.partition = o.partition;
    this.workDir = o.workDir;
    this.dedup = o.cfg.dedup.enabled;
    this.tag = `{${o.prefix}}`;
    this.ph = createHash('sha1').update(o.partition).digest('hex').slice(0, 12);
    this.conn = new ScriptConnection({ url: o.url, tag: this.tag, retryMs: o.retryMs, log: o.log });
    this.partitionLock = new PartitionLock(this.conn, this.ph, o.partition);
    const dc = dedupConfigOf(o.cfg);
    const br = resolveBandsRows(dc);
    // lanes stored for verification: the band keys use the first bands*rows of them (the lane keys are a seeded
    // stream, so a longer signature starts with the dedup scorer's lanes)
    this.lanes = Math.max(o.lanes, br.bands * br.rows);
    this.bands = br.bands;
    this.rows = br.rows;
    // a candidate is a near duplicate when its estimated Jaccard (equal lanes / lanes) reaches the threshold
    const need = Math.max(1, Math.ceil(dc.threshold * this.lanes - 1e-9));
    this.xbits = Math.max(4, o.bucketBits - 3);
    this.codec = new RecordCodec({ lanes: this.lanes, bands: this.bands, rows: this.rows, seed: dc.seed, xbits: this.xbits, bucketBits: o.bucketBits });
    const flags = (dc.exact ? 1 : 0) | (dc.near ? 2 : 0);
    this.dedupArgs = [this.lanes, this.bands, need, dc.maxCandidates, flags, o.bucketBits, this.xbits].map(String).concat(this.ph);
  }

  get generation(): number {
    return this.gen;
  }

  /** the server-side session number (tests) */
  get sessionNo(): number {
    return this.conn.sessionNo;
  }

  // -------------------------------------------------------------------------------------------------------------
  // joining the state

  /** Connect, load the script, and join the state (created on first use; refused on another fingerprint). */
  private connect(): Promise<void> {
    this.connecting ??= this.doConnect();
    return this.connecting;
  }

  async open(): Promise<void> {
    await this.connect();
    this.gen = Number((await this.conn.call('read', [this.ph, 'generation'], false)) as Buffer);
  }

  private async doConnect(): Promise<void> {
    await this.conn.open();
    const v = (await this.conn.call('init', [randomBytes(12).toString('hex'), this.o.fingerprint, String(REDIS_FORMAT), String(this.lanes), String(this.bands), String(this.rows), String(this.o.bucketBits), new Date().toISOString()], false, true)) as Buffer[];
    const [instance, fp, format, lanes, bands, rows, bits, session] = v.map((b) => b.toString());
    if (Number(format) !== REDIS_FORMAT) throw new SynthfilterError('E_STATE', `Redis state ${this.tag} has format ${format}; this synthfilter reads format ${REDIS_FORMAT}`);
    if (fp !== this.o.fingerprint || Number(bits) !== this.o.bucketBits || Number(lanes) !== this.lanes || Number(bands) !== this.bands || Number(rows) !== this.rows) {
      throw new SynthfilterError(
        'E_STATE',
        `Redis state ${this.tag} was built with config fingerprint ${fp} (bucketBits ${bits}), this run's is ${this.o.fingerprint} (bucketBits ${this.o.bucketBits}): ` +
          `the dedup parameters or scorer versions differ, so the index cannot be shared. Use the original config, or another state.prefix.`,
      );
    }
    this.conn.identify(instance!, Number(session));
  }

  // -------------------------------------------------------------------------------------------------------------
  // lock, pending run

  async lock(): Promise<void> {
    await this.connect();
    await this.partitionLock.acquire();
  }

  async unlock(): Promise<void> {
    await this.partitionLock.release();
  }

  async readPending(): Promise<PendingRun | null> {
    const b = (await this.conn.call('read', [this.ph, 'pending'], false)) as Buffer;
    if (!b.length) return null;
    try {
      return JSON.parse(b.toString()) as PendingRun;
    } catch {
      return null;
    }
  }

  async writePending(p: PendingRun): Promise<void> {
    await this.conn.call('pending_set', [this.ph, JSON.stringify(p), this.partition], true);
  }

  /** Forget what an interrupted attempt on this partition indexed (everything indexed since the last commit). */
  async beginRun(runId: string): Promise<void> {
    this.runKey = runId;
    mkdirSync(this.workDir, { recursive: true });
    const n = Number(((await this.conn.call('rollback', this.dedupArgs, true)) as Buffer).toString());
    if (n > 0) this.o.log?.(`forgot ${n} records indexed by an interrupted run of partition ${this.partition}`);
  }

  async clearPending(runId: string): Promise<void> {
    removeContained(join(this.workDir, runId), [this.workDir]); // the pending run itself went with the commit
  }

  // -------------------------------------------------------------------------------------------------------------
  // dedup

  private encode(it: DedupItem): Buffer {
    return this.codec.encode(it);
  }

  checkAndInsert(items: DedupItem[]): Promise<DedupVerdict[]> {
    if (!this.dedup || items.length === 0) return Promise.resolve(items.map(() => ({ dup: { kind: null, of: null, similarity: null }, matchRef: null, ref: null })));
    const recs = items.map((it) => this.encode(it));
    // issued now (pipelined in call order); parsed when the reply comes
    const p = this.conn.call('check', [...this.dedupArgs, ...recs], true);
    return p.then((reply) => {
      const b = reply as Buffer;
      const out: DedupVerdict[] = [];
      let o = 0;
      for (let i = 0; i < items.length; i++) {
        const code = String.fromCharCode(b[o]!);
        const doc = b.readUInt32BE(o + 1);
        const eq = b.readUInt16BE(o + 5);
        const n = b.readUInt16BE(o + 7);
        const id = b.toString('utf8', o + 9, o + 9 + n);
        o += 9 + n;
        const short = items[i]!.features.shingles.length === 0;
        if (code === 'X' || code === 'N') {
          const dup = code === 'X' ? { kind: 'exact' as const, of: id, similarity: 1 } : { kind: 'near' as const, of: id, similarity: eq / this.lanes };
          if (short && code === 'X') (dup as { short?: boolean }).short = true;
          out.push({ dup, matchRef: String(doc), ref: null });
        } else {
          const dup = short ? { kind: null, of: null, similarity: null, short: true } : { kind: null, of: null, similarity: null };
          if (code === 'U') this.ownBands.set(doc, this.codec.bandsOf(recs[i]!));
          out.push({ dup, matchRef: null, ref: code === 'U' ? String(doc) : null });
        }
      }
      return out;
    });
  }

  private chunks<T>(xs: T[]): T[][] {
    const out: T[][] = [];
    for (let i = 0; i < xs.length; i += CALL_ITEMS) out.push(xs.slice(i, i + CALL_ITEMS));
    return out;
  }

  /** doc(4) n(2) band keys(4n): an indexed record and, when this session indexed it, its band keys */
  private docRef(ref: string): Buffer {
    const doc = Number(ref);
    const bk = this.ownBands.get(doc) ?? Buffer.alloc(0);
    const h = Buffer.alloc(6);
    h.writeUInt32BE(doc, 0);
    h.writeUInt16BE(bk.length / 4, 4);
    return Buffer.concat([h, bk]);
  }

  async settle(reqs: SettleRequest[]): Promise<Settled[]> {
    if (!this.dedup || reqs.length === 0) return reqs.map(() => ({ best: false, indexed: true, ref: null }));
    const parts = this.chunks(reqs).map((c) => {
      const recs = c.map((r) => ({ root: r.root, rec: this.encode({ ...r.best, insert: true }) }));
      return {
        recs,
        p: this.conn.callLater('settle', [...this.dedupArgs, ...recs.map((x) => Buffer.concat([this.docRef(x.root), x.rec]))]),
      };
    });
    const out: Settled[] = [];
    for (const { recs, p } of parts) {
      const b = (await p) as Buffer;
      recs.forEach((x, i) => {
        const code = String.fromCharCode(b[i * 5]!);
        const doc = b.readUInt32BE(i * 5 + 1);
        if (code === 'S') {
          this.ownBands.delete(Number(x.root));
          this.ownBands.set(doc, this.codec.bandsOf(x.rec));
          out.push({ best: true, indexed: true, ref: String(doc) });
        } else out.push({ best: false, indexed: true, ref: x.root });
      });
    }
    return out;
  }

  async join(items: DedupItem[]): Promise<string[]> {
    if (!this.dedup || items.length === 0) return [];
    const parts = this.chunks(items).map((c) => {
      const recs = c.map((it) => this.encode({ ...it, insert: true }));
      return { recs, p: this.conn.callLater('join', [...this.dedupArgs, ...recs]) };
    });
    const out: string[] = [];
    for (const { recs, p } of parts) {
      const b = (await p) as Buffer;
      recs.forEach((rec, i) => {
        const doc = b.readUInt32BE(4 * i);
        this.ownBands.set(doc, this.codec.bandsOf(rec));
        out.push(String(doc));
      });
    }
    return out;
  }

  async remove(refs: string[]): Promise<void> {
    if (!this.dedup || refs.length === 0) return;
    const ps = this.chunks(refs).map((c) => this.conn.call('remove', [...this.dedupArgs, ...c.map((r) => this.docRef(r))], true));
    await Promise.all(ps);
    for (const r of refs) this.ownBands.delete(Number(r));
  }

  // -------------------------------------------------------------------------------------------------------------
  // ledger, registry, runs, tail

  async ledgerGet(hashes: Array<ArrayLike<number>>): Promise<Array<LedgerEntry | null>> {
    if (hashes.length === 0) return [];
    const b = (await this.conn.call('ledger_get', [String(this.xbits), this.runKey, ...hashes.map((h) => exactHashKey(h, this.xbits))], false)) as Buffer;
    return decodeLedgerEntries(b, hashes.length);
  }

  async ledgerNote(notes: LedgerNote[]): Promise<void> {
    for (const n of notes) this.staged.notes.push(n);
  }

  async registryGet(): Promise<Record<string, RegistryEntry>> {
    const flat = (await this.conn.call('read', [this.ph, 'registry'], false)) as Buffer[];
    const out: Record<string, RegistryEntry> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!.toString()] = JSON.parse(flat[i + 1]!.toString());
    return out;
  }

  async registrySet(entries: Record<string, RegistryEntry>): Promise<void> {
    this.staged.registry = { ...(this.staged.registry ?? {}), ...entries };
  }

  async runsList(): Promise<RunSummary[]> {
    const xs = (await this.conn.call('read', [this.ph, 'runs'], false)) as Buffer[];
    return xs.map((b) => JSON.parse(b.toString()) as RunSummary);
  }

  async runsAppend(s: RunSummary): Promise<void> {
    this.staged.runs.push(s);
  }

  async tailGet(): Promise<TailStats | null> {
    const b = (await this.conn.call('read', [this.ph, 'tail'], false)) as Buffer;
    if (!b.length) return null;
    return decodeTail(b);
  }

  async tailSet(t: TailStats): Promise<void> {
    this.staged.tail = t;
  }

  /**
   * The run's commit: ledger notes (idempotent per run, so a commit interrupted half-way is completed by the
   * rerun without double counts), then one atomic step with the run history, tail statistics and registry that
   * also clears the pending run and makes the run's index entries permanent.
   */
  async persist(): Promise<void> {
    const s = this.staged;
    this.staged = { notes: new StagedNotes(), registry: null, runs: [], tail: null };
    const byRun = new Map<string, LedgerNote[]>();
    for (const n of s.notes) {
      const xs = byRun.get(n.run) ?? [];
      xs.push(n);
      byRun.set(n.run, xs);
    }
    const ps: Promise<unknown>[] = [];
    for (const [run, notes] of byRun) {
      for (const c of this.chunks(notes)) {
        const args = c.map((n) => encodeLedgerNote(n, this.xbits));
        ps.push(this.conn.call('ledger_note', [String(this.xbits), run, ...args], true));
      }
    }
    const tailBlob: Buffer = s.tail ? encodeTail(s.tail) : Buffer.alloc(0);
    const reg: string[] = [];
    for (const [k, v] of Object.entries(s.registry ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) reg.push(k, JSON.stringify(v));
    const runs = s.runs.map((r) => JSON.stringify(r));
    ps.push(this.conn.call('commit', [this.ph, tailBlob, String(runs.length), ...runs, ...reg], true));
    await Promise.all(ps);
    this.gen += runs.length;
    this.ownBands.clear();
    this.runKey = ''; // committed: from now on the run's notes count like any other run's
  }

  async close(): Promise<void> {
    await this.unlock();
    await this.conn.close();
  }
}
