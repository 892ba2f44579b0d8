/**
 * The queue's Redis connection: `--queue redis://HOST:PORT[/DB]` checked, the optional packages loaded on demand,
 * and one node-redis client per BullMQ object (a worker's blocking reads need a connection of their own).
 *
 * `bullmq` (and `redis`, the client it is given) are optional peer dependencies: only the queue runner uses them.
 * Without them `--queue` is a configuration error (exit 2) that says what to install, never a stack trace.
 * A URL that is not redis:// or rediss:// is a usage error (exit 2); a Redis that does not answer within the connect
 * timeout is a backend error (exit 7), as for the Redis state backend.
 */
import { SynthfilterError, usageError } from '../../errors.js';
import { BackendUnavailableError } from '../../state/backend.js';
import { redactUrl } from '../../state/url.js';

export const QUEUE_MISSING =
  'install bullmq to use --queue: it is an optional peer dependency of synthfilter, and so is the Redis client it ' +
  'uses; install both next to synthfilter with `npm install bullmq@^6 redis@^5`';

/** How long the first connection may take before the run gives up with exit 7. */
export const CONNECT_TIMEOUT_MS = 5000;

/** The checked queue URL (exit 2 when it is not a redis:// or rediss:// URL with a host). */
export function parseQueueUrl(raw: string): URL {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw usageError(`--queue must be a Redis URL such as redis://HOST:6379, got "${raw}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw usageError(`--queue must be a redis:// or rediss:// URL, got "${redactUrl(raw)}"`);
  if (!u.hostname) throw usageError(`--queue needs a host: redis://HOST:PORT, got "${redactUrl(raw)}"`);
  if (u.pathname && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) throw usageError(`--queue: the path of the URL is a database number (redis://HOST:PORT/0), got "${u.pathname}"`);
  return u;
}

function isMissingPackage(e: unknown, name: string): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(`'${name}'`);
}

export type BullMQ = typeof import('bullmq');
type RedisModule = typeof import('redis');
export type RedisClient = ReturnType<RedisModule['createClient']>;

/** bullmq and redis, or a configuration error naming what to install. */
export async function loadQueueLibs(): Promise<{ bullmq: BullMQ; redis: RedisModule }> {
  try {
    const [bullmq, redis] = await Promise.all([import('bullmq'), import('redis')]);
    return { bullmq, redis };
  } catch (e) {
    if (isMissingPackage(e, 'bullmq') || isMissingPackage(e, 'redis')) throw new SynthfilterError('E_CONFIG', QUEUE_MISSING);
    throw e;
  }
}

/** Opens node-redis clients to one Redis and closes them all at the end. */
export class QueueConnections {
  private readonly clients: RedisClient[] = [];

  private constructor(
    private readonly redis: RedisModule,
    readonly url: URL,
  ) {}

  static async open(rawUrl: string): Promise<{ bullmq: BullMQ; conns: QueueConnections }> {
    const url = parseQueueUrl(rawUrl);
    const { bullmq, redis } = await loadQueueLibs();
    const conns = new QueueConnections(redis, url);
    await conns.client(); // reachable now, or exit 7 before anything is submitted
    return { bullmq, conns };
  }

  /** A new connected client. The first connection must succeed within CONNECT_TIMEOUT_MS; later outages are
   *  retried (BullMQ waits for the connection to come back). */
  async client(): Promise<RedisClient> {
    const deadline = Date.now() + CONNECT_TIMEOUT_MS;
    let connected = false;
    let lastError: unknown;
    const c = this.redis.createClient({
      url: this.url.toString(),
      socket: {
        connectTimeout: CONNECT_TIMEOUT_MS,
        // before the first connection: retry until the deadline, then give up; after it: retry for ever
        reconnectStrategy: (n: number, cause: Error) => (!connected && Date.now() > deadline ? cause : Math.min(100 * 2 ** n, 2000)),
      },
    });
    c.on('error', (e: unknown) => (lastError = e)); // a lost connection is retried; BullMQ waits for it
    try {
      await c.connect();
      connected = true;
    } catch (e) {
      throw new BackendUnavailableError(
        `--queue: Redis at ${redactUrl(this.url.toString())} is unreachable (${(lastError as Error)?.message ?? (e as Error).message})`,
      );
    }
    this.clients.push(c);
    return c;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.splice(0).map((c) => c.close().catch(() => c.destroy())));
  }
}
