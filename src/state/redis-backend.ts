/**
 * Redis state backend: many `synthfilter clean` workers, on many machines, deduplicate against one index.
 *
 * Everything runs through one Lua script (redis-script.ts), so each command is atomic on the server. The
 * near-duplicate check of a batch of records is one script call: for each record in order, the exact hash and
 * the LSH band keys are looked up, candidates are verified by the MinHash estimate on stored 16-bit lanes, and a
 * unique record is indexed before the next record is looked at. Two workers can therefore never both keep two
 * near-duplicates, and a verdict's match is always a record that is indexed (kept) at that moment.
 *
 * Faults: every call is retried with backoff while Redis is unreachable, for at most state.retryMs from the first
 * failure; then BackendUnavailableError (exit 7). Mutations are ordered, numbered ops that the script acknowledges,
 * so a retry after a lost reply is answered from the acknowledgement and never applied twice, and ops stay in
 * issue order across reconnects. If the server comes back without its data (no persistence), the instance id check
 * fails every call: the worker stops instead of deduplicating against an empty index.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import type { Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { MinHasher, bandKeys, resolveBandsRows } from '../score/dedup/index.js';
import { dedupConfigOf } from '../score/build.js';
import type { OriginLabel } from '../types.js';
import { BackendUnavailableError, type BackendKind, type DedupItem, type DedupVerdict, type LedgerNote, type SettleRequest, type Settled, type StateBackend, type TailStats } from './backend.js';
import type { PendingRun, RegistryEntry, RunSummary } from './file-store.js';
import type { LedgerEntry } from './ledger.js';
import { SCRIPT } from './redis-script.js';
import { redactUrl } from './url.js';

export { redactUrl };

export const REDIS_FORMAT = 1;
const LABELS: OriginLabel[] = ['unknown', 'human', 'synthetic'];
const TYPES = { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer } as const;
const LOCK_TTL_MS = 60_000;
/** items per script call for settle, remove, join and ledger notes */
const CALL_ITEMS = 512;

type Arg = string | Buffer;
interface Client {
  connect(): Promise<unknown>;
  destroy(): void;
  sendCommand(args: Arg[], opts?: unknown): Promise<unknown>;
  on(ev: 'error', fn: (e: Error) => void): unknown;
  readonly isReady: boolean;
}

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

const HEX = Buffer.from('0123456789abcdef', 'latin1');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class RedisBackend implements StateBackend {
  readonly kind: BackendKind = 'redis';
  readonly partition: string;
  readonly workDir: string;
  readonly dedup: boolean;
  private gen = 0;
  private client!: Client;
  private sha = '';
  private readonly tag: string;
  private readonly ph: string;
  private instance = '';
  private session = 0;
  private opNo = 0;
  private tail: Promise<void> = Promise.resolve();
  private outageSince: number | null = null;
  private fatal: Error | null = null;
  private lastError = '';
  private closed = false;
  private lockHolder: string | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private runKey = '';
  // dedup parameters
  private readonly lanes: number;
  get signatureLanes(): number {
    return this.dedup ? this.lanes : 0;
  }
  private readonly bands: number;
  private readonly rows: number;
  private readonly seed: number;
  private readonly need: number;
  private readonly hasher: MinHasher;
  private readonly dedupArgs: string[];
  private readonly xbits: number;
  private readonly sig: Uint32Array;
  private readonly keys: Uint32Array;
  /** band keys of the records this session indexed (exact removal of their band entries) */
  private readonly ownBands = new Map<number, Buffer>();
  private staged = { notes: [] as LedgerNote[], registry: null as Record<string, RegistryEntry> | null, runs: [] as RunSummary[], tail: null as TailStats | null };

  constructor(private readonly o: RedisBackendOptions) {
    if (!/^rediss?:\/\//.test(o.url)) throw new SynthfilterError('E_CONFIG', `state.url must be a redis:// or rediss:// URL, got ${JSON.stringify(redactUrl(o.url))}`);
    if (!/^[^{}\s]+$/.test(o.prefix)) throw new SynthfilterError('E_CONFIG', `state.prefix must be non-empty, without braces or spaces, got ${JSON.stringify(o.prefix)}`);
    this.partition = o.partition;
    this.workDir = o.workDir;
    this.dedup = o.cfg.dedup.enabled;
    this.tag = `{${o.prefix}}`;
    this.ph = createHash('sha1').update(o.partition).digest('hex').slice(0, 12);
    const dc = dedupConfigOf(o.cfg);
    const br = resolveBandsRows(dc);
    // lanes stored for verification: the band keys use the first bands*rows of them (the lane keys are a seeded
    // stream, so a longer signature starts with the dedup scorer's lanes)
    this.lanes = Math.max(o.lanes, br.bands * br.rows);
    this.bands = br.bands;
    this.rows = br.rows;
    this.seed = dc.seed;
    // a candidate is a near duplicate when its estimated Jaccard (equal lanes / lanes) reaches the threshold
    this.need = Math.max(1, Math.ceil(dc.threshold * this.lanes - 1e-9));
    this.hasher = new MinHasher(this.lanes, this.seed);
    this.xbits = Math.max(4, o.bucketBits - 3);
    const flags = (dc.exact ? 1 : 0) | (dc.near ? 2 : 0);
    this.dedupArgs = [this.lanes, this.bands, this.need, dc.maxCandidates, flags, o.bucketBits, this.xbits].map(String).concat(this.ph);
    this.sig = new Uint32Array(this.lanes);
    this.keys = new Uint32Array(this.bands);
  }

  get generation(): number {
    return this.gen;
  }

  /** the server-side session number (tests) */
  get sessionNo(): number {
    return this.session;
  }

  // -------------------------------------------------------------------------------------------------------------
  // connection, ordered ops, retries

  private unavailable(why: string): BackendUnavailableError {
    return new BackendUnavailableError(
      `state backend: Redis at ${redactUrl(this.o.url)} ${why}. Nothing of this run was committed (its inputs stay unprocessed); ` +
        `rerun when Redis is reachable.`,
    );
  }

  private connecting: Promise<void> | null = null;

  /** Connect, load the script, and join the state (created on first use; refused on another fingerprint). */
  private connect(): Promise<void> {
    this.connecting ??= this.doConnect();
    return this.connecting;
  }

  async open(): Promise<void> {
    await this.connect();
    this.gen = Number((await this.call('read', [this.ph, 'generation'], false)) as Buffer);
  }

  private async doConnect(): Promise<void> {
    this.client = createClient({
      url: this.o.url,
      disableOfflineQueue: true,
      socket: { connectTimeout: Math.max(500, Math.min(10_000, this.o.retryMs)), reconnectStrategy: (n: number) => Math.min(50 * 2 ** n, 1000) },
    }) as unknown as Client;
    this.client.on('error', (e) => {
      this.lastError = errMsg(e);
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), Math.max(1, this.o.retryMs))));
    const connected = this.client.connect().then(
      () => 'ok' as const,
      (e) => {
        this.lastError = errMsg(e);
        return 'failed' as const;
      },
    );
    const r = await Promise.race([connected, deadline]);
    clearTimeout(timer);
    if (r !== 'ok') {
      this.closed = true;
      try {
        this.client.destroy();
      } catch {
        /* already closed */
      }
      throw this.unavailable(`is unreachable (tried for state.retryMs=${this.o.retryMs} ms; last error: ${this.lastError || 'timeout'})`);
    }
    await this.noteCluster();
    await this.retrying(() => this.loadScript());
    const v = (await this.call('init', [randomBytes(12).toString('hex'), this.o.fingerprint, String(REDIS_FORMAT), String(this.lanes), String(this.bands), String(this.rows), String(this.o.bucketBits), new Date().toISOString()], false, true)) as Buffer[];
    const [instance, fp, format, lanes, bands, rows, bits, session] = v.map((b) => b.toString());
    if (Number(format) !== REDIS_FORMAT) throw new SynthfilterError('E_STATE', `Redis state ${this.tag} has format ${format}; this synthfilter reads format ${REDIS_FORMAT}`);
    if (fp !== this.o.fingerprint || Number(bits) !== this.o.bucketBits || Number(lanes) !== this.lanes || Number(bands) !== this.bands || Number(rows) !== this.rows) {
      throw new SynthfilterError(
        'E_STATE',
        `Redis state ${this.tag} was built with config fingerprint ${fp} (bucketBits ${bits}), this run's is ${this.o.fingerprint} (bucketBits ${this.o.bucketBits}): ` +
          `the dedup parameters or scorer versions differ, so the index cannot be shared. Use the original config, or another state.prefix.`,
      );
    }
    this.instance = instance!;
    this.session = Number(session);
  }

  /**
   * Redis Cluster: every key of the backend carries the one hash tag {prefix}, and each script call reads and
   * writes keys it derives at run time, so the whole index lives in one slot, on one node. A cluster node that
   * serves that slot works like a standalone server (noted in the log: the cluster adds no capacity here); any
   * other node answers MOVED (or ASK while the slot migrates), which `call` turns into a configuration error
   * (exit 2) that names the node to use, never a state error. A server that hides INFO is taken as standalone.
   */
  private async noteCluster(): Promise<void> {
    const info = await this.retrying(() =>
      this.client.sendCommand(['INFO', 'cluster']).then(
        (r) => String(r),
        (e: unknown) => (e instanceof ErrorReply ? '' : Promise.reject(e)),
      ),
    );
    if (/^cluster_enabled:1\b/m.test(info)) {
      this.o.log?.(`state backend: Redis at ${redactUrl(this.o.url)} is a Cluster node; the whole index lives in the slot of the hash tag ${this.tag}, on the node that serves it`);
    }
  }

  /** The error for a cluster node that does not serve the index's slot (`reply`: its MOVED / ASK / CROSSSLOT). */
  private clusterError(reply: string): SynthfilterError {
    const [kind, slot, node] = reply.split(' ');
    const where = (kind === 'MOVED' || kind === 'ASK') && node ? `: slot ${slot} of the hash tag ${this.tag} is served by ${node}` : '';
    return new SynthfilterError(
      'E_CONFIG',
      `state backend: Redis at ${redactUrl(this.o.url)} is a Redis Cluster node that does not serve this state (it answered ${kind}${where}). ` +
        `The Redis state backend keeps its whole index under the one hash tag ${this.tag} and updates it with atomic ` +
        `scripts, so it needs a standalone Redis server, or state.url pointing at the cluster node that serves that slot ` +
        `(it is not cluster-aware and does not follow redirects). Nothing of this run was committed.`,
    );
  }

  private async loadScript(): Promise<void> {
    this.sha = ((await this.client.sendCommand(['SCRIPT', 'LOAD', SCRIPT], { typeMapping: TYPES })) as Buffer).toString();
  }

  /** Run `fn` until it succeeds, retrying connection-level failures for at most state.retryMs. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    let delay = 25;
    for (;;) {
      try {
        const r = await fn();
        this.healthy();
        return r;
      } catch (e) {
        if (this.closed) throw this.fatal ?? new SynthfilterError('E_STATE', 'state backend is closed');
        if (e instanceof ErrorReply) throw e;
        this.outage(errMsg(e));
        if (Date.now() - this.outageSince! > this.o.retryMs) throw this.fail(this.unavailable(`has been unreachable for more than state.retryMs=${this.o.retryMs} ms (last error: ${this.lastError})`));
        await sleep(delay);
        delay = Math.min(delay * 2, 1000);
      }
    }
  }

  private outage(msg: string): void {
    this.lastError = msg;
    if (this.outageSince !== null) return;
    this.outageSince = Date.now();
    this.o.log?.(`state backend: Redis at ${redactUrl(this.o.url)} unreachable (${msg}); retrying for up to state.retryMs=${this.o.retryMs} ms`);
  }

  private healthy(): void {
    if (this.outageSince === null) return;
    this.o.log?.(`state backend: Redis reachable again after ${Date.now() - this.outageSince} ms`);
    this.outageSince = null;
  }

  private fail(e: Error): Error {
    this.fatal ??= e;
    return this.fatal;
  }

  /**
   * One script command. `ordered`: a numbered mutation (applied once, in issue order). The first attempt is sent
   * synchronously, so calls pipeline in call order; a retry waits for the ops issued before it to finish.
   */
  /** `call` for a promise awaited later than others of the same batch (no unhandled rejection meanwhile). */
  private callLater(cmd: string, args: Arg[]): Promise<unknown> {
    const p = this.call(cmd, args, true);
    p.catch(() => {});
    return p;
  }

  private call(cmd: string, args: Arg[], ordered: boolean, init = false): Promise<unknown> {
    if (this.fatal) return Promise.reject(this.fatal);
    const op = ordered ? ++this.opNo : 0;
    const prev = this.tail;
    const send = () =>
      this.client.sendCommand(['EVALSHA', this.sha, '1', this.tag, init ? '' : this.instance, String(this.session), String(op), cmd, ...args], { typeMapping: TYPES });
    const attempt = async (): Promise<unknown> => {
      let delay = 25;
      let waited = false;
      let first: Promise<unknown> | null;
      try {
        first = send();
      } catch (e) {
        first = Promise.reject(e);
      }
      for (;;) {
        try {
          const r = await (first ?? send());
          first = null;
          this.healthy();
          return r;
        } catch (e) {
          first = null;
          if (this.fatal) throw this.fatal;
          if (this.closed) throw new SynthfilterError('E_STATE', 'state backend is closed');
          const msg = errMsg(e);
          if (e instanceof ErrorReply) {
            if (msg.startsWith('NOSCRIPT')) {
              await this.retrying(() => this.loadScript());
              continue;
            }
            if (/^(MOVED|ASK|CROSSSLOT)\b/.test(msg)) throw this.fail(this.clusterError(msg));
            if (msg.includes('SF_STATE_LOST')) throw this.fail(this.unavailable(`lost its data during the run: ${msg.replace(/^SF_STATE_LOST /, '')}`));
            if (!msg.includes('SF_ORDER') && !/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|READONLY)/.test(msg)) {
              throw this.fail(new SynthfilterError('E_STATE', `state backend: Redis refused ${cmd}: ${msg}`));
            }
          }
          this.outage(msg);
          if (Date.now() - this.outageSince! > this.o.retryMs) {
            throw this.fail(this.unavailable(`has been unreachable for more than state.retryMs=${this.o.retryMs} ms (last error: ${msg})`));
          }
          if (ordered && !waited) {
            waited = true;
            await prev; // the ops before this one go first (their retries included)
          }
          await sleep(delay);
          delay = Math.min(delay * 2, 1000);
        }
      }
    };
    const p = attempt();
    if (ordered) this.tail = p.then(
      () => {},
      () => {},
    );
    return p;
  }

  // -------------------------------------------------------------------------------------------------------------
  // lock, pending run

  async lock(): Promise<void> {
    await this.connect();
    const me = JSON.stringify({ token: randomBytes(8).toString('hex'), pid: process.pid, host: hostname(), started: new Date().toISOString() });
    let takeover = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = ((await this.call('lock', [this.ph, me, String(LOCK_TTL_MS), takeover], false)) as Buffer).toString();
      if (r === 'ok') {
        this.lockHolder = me;
        this.heartbeat = setInterval(() => void this.renew(), LOCK_TTL_MS / 4);
        this.heartbeat.unref();
        return;
      }
      let info: { pid?: number; host?: string; started?: string } = {};
      try {
        info = JSON.parse(r);
      } catch {
        /* not ours to read */
      }
      if (info.host === hostname() && typeof info.pid === 'number' && !pidAlive(info.pid)) {
        takeover = r; // its process is gone: take the lock over
        continue;
      }
      throw new SynthfilterError(
        'E_LOCKED',
        `partition ${this.partition} is locked by pid ${info.pid ?? '?'} on ${info.host ?? '?'} since ${info.started ?? '?'}: another run is active ` +
          `(a lock whose holder stopped expires after ${LOCK_TTL_MS / 1000} s)`,
      );
    }
    throw new SynthfilterError('E_LOCKED', `partition ${this.partition}: could not take the lock`);
  }

  private async renew(): Promise<void> {
    if (!this.lockHolder || this.fatal) return;
    try {
      const r = ((await this.call('lock', [this.ph, this.lockHolder, String(LOCK_TTL_MS), ''], false)) as Buffer).toString();
      if (r !== 'ok') this.fail(new SynthfilterError('E_LOCKED', `lost the lock of partition ${this.partition} to ${r}`));
    } catch {
      /* an outage: the run's own calls report it */
    }
  }

  async unlock(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const holder = this.lockHolder;
    this.lockHolder = null;
    if (!holder || this.fatal || !this.client?.isReady) return; // the lock expires by itself
    await this.quick(this.call('unlock', [this.ph, holder], false));
  }

  /** Best effort, bounded: cleanup must not hold a failing run for another retry period. */
  private async quick(p: Promise<unknown>): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([p.catch(() => {}), new Promise<void>((r) => (t = setTimeout(r, 2000)))]);
    clearTimeout(t);
  }

  async readPending(): Promise<PendingRun | null> {
    const b = (await this.call('read', [this.ph, 'pending'], false)) as Buffer;
    if (!b.length) return null;
    try {
      return JSON.parse(b.toString()) as PendingRun;
    } catch {
      return null;
    }
  }

  async writePending(p: PendingRun): Promise<void> {
    await this.call('pending_set', [this.ph, JSON.stringify(p), this.partition], true);
  }

  /** Forget what an interrupted attempt on this partition indexed (everything indexed since the last commit). */
  async beginRun(runId: string): Promise<void> {
    this.runKey = runId;
    mkdirSync(this.workDir, { recursive: true });
    const n = Number(((await this.call('rollback', this.dedupArgs, true)) as Buffer).toString());
    if (n > 0) this.o.log?.(`forgot ${n} records indexed by an interrupted run of partition ${this.partition}`);
  }

  async clearPending(runId: string): Promise<void> {
    rmSync(join(this.workDir, runId), { recursive: true, force: true }); // the pending run itself went with the commit
  }

  // -------------------------------------------------------------------------------------------------------------
  // dedup

  /** Bucket of a 32-bit value: its top `bits` bits as fixed-width hex (the script's `bucket`). */
  private static bucketHex(x: number, bits: number): string {
    return (x >>> (32 - bits)).toString(16).padStart(Math.ceil(bits / 4), '0');
  }

  /** `bucketHex` written into `buf` at `o` (hot path: no intermediate string). */
  private static writeBucket(buf: Buffer, o: number, x: number, bits: number): void {
    const v = x >>> (32 - bits);
    const n = Math.ceil(bits / 4);
    for (let i = 0; i < n; i++) buf[o + i] = HEX[(v >>> (4 * (n - 1 - i))) & 15]!;
  }

  /** flags(1) exact hash(8) exact bucket(hex) band keys(4B) band buckets(B x hex) 16-bit lanes(2L) id(rest) */
  private encode(it: DedupItem): Buffer {
    const f = it.features;
    const short = f.shingles.length === 0;
    const idb = Buffer.from(it.id, 'utf8');
    const B = this.bands;
    const L = this.lanes;
    const xh = Math.ceil(this.xbits / 4);
    const bh = Math.ceil(this.o.bucketBits / 4);
    const bko = 9 + xh;
    const bno = bko + 4 * B;
    const sigo = bno + bh * B;
    const buf = Buffer.alloc(sigo + 2 * L + idb.length, 0x30);
    buf[0] = (it.insert ? 1 : 0) | (short ? 2 : 0);
    buf.writeUInt32BE(f.exactHash[0]! >>> 0, 1);
    buf.writeUInt32BE(f.exactHash[1]! >>> 0, 5);
    RedisBackend.writeBucket(buf, 9, f.exactHash[0]! >>> 0, this.xbits);
    if (!short) {
      // lanes computed ahead by a scoring thread (same seed: a prefix of the same lane stream) or here
      const pre = f.signature;
      const sig = pre !== undefined && pre.length >= this.lanes ? pre : this.hasher.signature(f.shingles, this.sig);
      bandKeys(sig, B, this.rows, this.seed, this.keys);
      for (let b = 0; b < B; b++) {
        const k = this.keys[b]! >>> 0;
        buf.writeUInt32BE(k, bko + 4 * b);
        RedisBackend.writeBucket(buf, bno + bh * b, k, this.o.bucketBits);
      }
      for (let i = 0; i < L; i++) buf.writeUInt16BE(sig[i]! & 0xffff, sigo + 2 * i);
    }
    idb.copy(buf, sigo + 2 * L);
    return buf;
  }

  private bandsOf(rec: Buffer): Buffer {
    const bko = 9 + Math.ceil(this.xbits / 4);
    return rec[0]! & 2 ? Buffer.alloc(0) : rec.subarray(bko, bko + 4 * this.bands);
  }

  checkAndInsert(items: DedupItem[]): Promise<DedupVerdict[]> {
    if (!this.dedup || items.length === 0) return Promise.resolve(items.map(() => ({ dup: { kind: null, of: null, similarity: null }, matchRef: null, ref: null })));
    const recs = items.map((it) => this.encode(it));
    // issued now (pipelined in call order); parsed when the reply comes
    const p = this.call('check', [...this.dedupArgs, ...recs], true);
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
          if (code === 'U') this.ownBands.set(doc, this.bandsOf(recs[i]!));
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
        p: this.callLater('settle', [...this.dedupArgs, ...recs.map((x) => Buffer.concat([this.docRef(x.root), x.rec]))]),
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
          this.ownBands.set(doc, this.bandsOf(x.rec));
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
      return { recs, p: this.callLater('join', [...this.dedupArgs, ...recs]) };
    });
    const out: string[] = [];
    for (const { recs, p } of parts) {
      const b = (await p) as Buffer;
      recs.forEach((rec, i) => {
        const doc = b.readUInt32BE(4 * i);
        this.ownBands.set(doc, this.bandsOf(rec));
        out.push(String(doc));
      });
    }
    return out;
  }

  async remove(refs: string[]): Promise<void> {
    if (!this.dedup || refs.length === 0) return;
    const ps = this.chunks(refs).map((c) => this.call('remove', [...this.dedupArgs, ...c.map((r) => this.docRef(r))], true));
    await Promise.all(ps);
    for (const r of refs) this.ownBands.delete(Number(r));
  }

  // -------------------------------------------------------------------------------------------------------------
  // ledger, registry, runs, tail

  /** exact hash(8) and its bucket (hex) */
  private hashBuf(h: ArrayLike<number>): Buffer {
    const x = RedisBackend.bucketHex(h[0]! >>> 0, this.xbits);
    const b = Buffer.alloc(8 + x.length);
    b.writeUInt32BE(h[0]! >>> 0, 0);
    b.writeUInt32BE(h[1]! >>> 0, 4);
    b.write(x, 8, 'latin1');
    return b;
  }

  async ledgerGet(hashes: Array<ArrayLike<number>>): Promise<Array<LedgerEntry | null>> {
    if (hashes.length === 0) return [];
    const b = (await this.call('ledger_get', [String(this.xbits), this.runKey, ...hashes.map((h) => this.hashBuf(h))], false)) as Buffer;
    const out: Array<LedgerEntry | null> = [];
    let o = 0;
    for (let i = 0; i < hashes.length; i++) {
      if (b[o] === 0x30) {
        out.push(null);
        o += 1;
        continue;
      }
      const label = LABELS[b[o + 1]! - 0x30] ?? 'unknown';
      const emitted = b.readUInt16BE(o + 2);
      const pn = b.readUInt16BE(o + 4);
      const p = b.toString('utf8', o + 6, o + 6 + pn);
      o += 6 + pn;
      const fn = b.readUInt16BE(o);
      const firstRun = b.toString('utf8', o + 2, o + 2 + fn);
      o += 2 + fn;
      out.push({ firstRun, label, pAi: p === '' ? null : Number(p), emitted });
    }
    return out;
  }

  async ledgerNote(notes: LedgerNote[]): Promise<void> {
    for (const n of notes) this.staged.notes.push(n);
  }

  async registryGet(): Promise<Record<string, RegistryEntry>> {
    const flat = (await this.call('read', [this.ph, 'registry'], false)) as Buffer[];
    const out: Record<string, RegistryEntry> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) out[flat[i]!.toString()] = JSON.parse(flat[i + 1]!.toString());
    return out;
  }

  async registrySet(entries: Record<string, RegistryEntry>): Promise<void> {
    this.staged.registry = { ...(this.staged.registry ?? {}), ...entries };
  }

  async runsList(): Promise<RunSummary[]> {
    const xs = (await this.call('read', [this.ph, 'runs'], false)) as Buffer[];
    return xs.map((b) => JSON.parse(b.toString()) as RunSummary);
  }

  async runsAppend(s: RunSummary): Promise<void> {
    this.staged.runs.push(s);
  }

  async tailGet(): Promise<TailStats | null> {
    const b = (await this.call('read', [this.ph, 'tail'], false)) as Buffer;
    if (!b.length) return null;
    const raw = inflateRawSync(b.subarray(4));
    return { docs: b.readUInt32BE(0), df: new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) };
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
    this.staged = { notes: [], registry: null, runs: [], tail: null };
    const byRun = new Map<string, LedgerNote[]>();
    for (const n of s.notes) {
      const xs = byRun.get(n.run) ?? [];
      xs.push(n);
      byRun.set(n.run, xs);
    }
    const ps: Promise<unknown>[] = [];
    for (const [run, notes] of byRun) {
      for (const c of this.chunks(notes)) {
        const args = c.map((n) => Buffer.concat([this.hashBuf(n.hash), Buffer.from(`${LABELS.indexOf(n.label)}${n.emitted ? 1 : 0}${n.pAi === null ? '' : String(n.pAi)}`)]));
        ps.push(this.call('ledger_note', [String(this.xbits), run, ...args], true));
      }
    }
    let tailBlob: Buffer = Buffer.alloc(0);
    if (s.tail) {
      const h = Buffer.alloc(4);
      h.writeUInt32BE(s.tail.docs >>> 0, 0);
      tailBlob = Buffer.concat([h, deflateRawSync(Buffer.from(s.tail.df.buffer, s.tail.df.byteOffset, s.tail.df.byteLength), { level: 1 })]);
    }
    const reg: string[] = [];
    for (const [k, v] of Object.entries(s.registry ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) reg.push(k, JSON.stringify(v));
    const runs = s.runs.map((r) => JSON.stringify(r));
    ps.push(this.call('commit', [this.ph, tailBlob, String(runs.length), ...runs, ...reg], true));
    await Promise.all(ps);
    this.gen += runs.length;
    this.ownBands.clear();
    this.runKey = ''; // committed: from now on the run's notes count like any other run's
  }

  async close(): Promise<void> {
    await this.unlock();
    if (this.closed) return;
    if (!this.fatal && this.client?.isReady) await this.quick(this.call('end_session', [], false));
    this.closed = true;
    try {
      this.client?.destroy();
    } catch {
      /* already closed */
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // measurement (bench, docs)

  /** INFO memory used_memory, and the number of indexed (live) records. */
  async memory(): Promise<{ usedMemory: number; indexed: number }> {
    const info = ((await this.client.sendCommand(['INFO', 'memory'], { typeMapping: TYPES })) as Buffer).toString();
    const used = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
    const n = Number(((await this.client.sendCommand(['GET', `${this.tag}:n`], { typeMapping: TYPES })) as Buffer | null)?.toString() ?? 0);
    return { usedMemory: used, indexed: n };
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
