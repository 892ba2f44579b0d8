/**
 * The Redis backend's connection: one client, the backend's Lua script loaded on it (../redis-script.ts), and every
 * script call with its fault handling.
 *
 * Faults: every call is retried with backoff while Redis is unreachable, for at most state.retryMs from the first
 * failure; then BackendUnavailableError (exit 7). Ordered calls are numbered mutations that the script
 * acknowledges, so a retry after a lost reply is answered from the acknowledgement and never applied twice, and
 * ordered calls stay in issue order across reconnects. The first fatal error sticks: every later call fails with it.
 */
import { createClient, ErrorReply, RESP_TYPES } from 'redis';
import { SynthfilterError } from '../../errors.js';
import { BackendUnavailableError } from '../backend.js';
import { SCRIPT } from '../redis-script.js';
import { redactUrl } from '../url.js';

/** a script argument */
export type Arg = string | Buffer;

/** replies as Buffers (ids and packed records are binary) */
const TYPES = { [RESP_TYPES.BLOB_STRING]: Buffer, [RESP_TYPES.SIMPLE_STRING]: Buffer } as const;

interface Client {
  connect(): Promise<unknown>;
  destroy(): void;
  sendCommand(args: Arg[], opts?: unknown): Promise<unknown>;
  on(ev: 'error', fn: (e: Error) => void): unknown;
  readonly isReady: boolean;
}

export interface ScriptConnectionOptions {
  url: string;
  /** the key prefix as a hash tag, "{prefix}": KEYS[1] of every call */
  tag: string;
  retryMs: number;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class ScriptConnection {
  private client!: Client;
  private sha = '';
  private instance = '';
  private session = 0;
  private opNo = 0;
  private tail: Promise<void> = Promise.resolve();
  private outageSince: number | null = null;
  private fatal: Error | null = null;
  private lastError = '';
  private closed = false;

  constructor(private readonly o: ScriptConnectionOptions) {}

  /** the server-side session number (0 until `identify`) */
  get sessionNo(): number {
    return this.session;
  }

  /** True once a fatal error stopped the connection. */
  get failed(): boolean {
    return this.fatal !== null;
  }

  /** True when a call may still get through now (no fatal error, client connected). */
  get usable(): boolean {
    return !this.fatal && this.client?.isReady === true;
  }

  unavailable(why: string): BackendUnavailableError {
    return new BackendUnavailableError(
      `state backend: Redis at ${redactUrl(this.o.url)} ${why}. Nothing of this run was committed (its inputs stay unprocessed); ` +
        `rerun when Redis is reachable.`,
    );
  }

  /** Connect within state.retryMs and load the script (the state is joined afterwards: `init`, then `identify`). */
  async open(): Promise<void> {
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
      this.o.log?.(`state backend: Redis at ${redactUrl(this.o.url)} is a Cluster node; the whole index lives in the slot of the hash tag ${this.o.tag}, on the node that serves it`);
    }
  }

  /** The error for a cluster node that does not serve the index's slot (`reply`: its MOVED / ASK / CROSSSLOT). */
  private clusterError(reply: string): SynthfilterError {
    const [kind, slot, node] = reply.split(' ');
    const where = (kind === 'MOVED' || kind === 'ASK') && node ? `: slot ${slot} of the hash tag ${this.o.tag} is served by ${node}` : '';
    return new SynthfilterError(
      'E_CONFIG',
      `state backend: Redis at ${redactUrl(this.o.url)} is a Redis Cluster node that does not serve this state (it answered ${kind}${where}). ` +
        `The Redis state backend keeps its whole index under the one hash tag ${this.o.tag} and updates it with atomic ` +
        `scripts, so it needs a standalone Redis server, or state.url pointing at the cluster node that serves that slot ` +
        `(it is not cluster-aware and does not follow redirects). Nothing of this run was committed.`,
    );
  }

  /** The state's instance id and this connection's session number, as `init` answered them. */
  identify(instance: string, session: number): void {
    this.instance = instance;
    this.session = session;
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

  /** Stop the connection with `e` (the first fatal error is kept and returned). */
  fail(e: Error): Error {
    this.fatal ??= e;
    return this.fatal;
  }

  /** `call` for a promise awaited later than others of the same batch (no unhandled rejection meanwhile). */
  callLater(cmd: string, args: Arg[]): Promise<unknown> {
    const p = this.call(cmd, args, true);
    p.catch(() => {});
    return p;
  }

  /**
   * One script command. `ordered`: a numbered mutation (applied once, in issue order). The first attempt is sent
   * synchronously, so calls pipeline in call order; a retry waits for the ops issued before it to finish. `init`:
   * the `init` command, sent before the state's instance id is known.
   */
  call(cmd: string, args: Arg[], ordered: boolean, init = false): Promise<unknown> {
    if (this.fatal) return Promise.reject(this.fatal);
    const op = ordered ? ++this.opNo : 0;
    const prev = this.tail;
    const send = () =>
      this.client.sendCommand(['EVALSHA', this.sha, '1', this.o.tag, init ? '' : this.instance, String(this.session), String(op), cmd, ...args], { typeMapping: TYPES });
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

  /** Best effort, bounded: cleanup must not hold a failing run for another retry period. */
  async quick(p: Promise<unknown>): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    await Promise.race([p.catch(() => {}), new Promise<void>((r) => (t = setTimeout(r, 2000)))]);
    clearTimeout(t);
  }

  /** End the session (its acknowledgements go) and close the client; a no-op once closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.usable) await this.quick(this.call('end_session', [], false));
    this.closed = true;
    try {
      this.client?.destroy();
    } catch {
      /* already closed */
    }
  }
}
