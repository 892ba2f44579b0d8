/** Choosing and opening the state backend of a `clean` run from `state.*` config (see backend.ts). */
import { join } from 'node:path';
import { defaults, type Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import type { StateBackend } from './backend.js';
import { FileBackend, MemoryBackend } from './private-backends.js';
import { loadRedisBackend } from './load-redis.js';

export * from './backend.js';
export { FileBackend, MemoryBackend } from './private-backends.js';
export { redactUrl } from './url.js';
// the Redis backend (and its client library) loads only when a run uses it: import it from './redis-backend.js'

/** `state.*` (config/schema.ts). */
export type StateSettings = Config['state'];

/** `state.*`, with the schema's defaults (config/default.json) for keys an older config lacks. */
export function stateSettings(cfg: Config): StateSettings {
  return { ...defaults().state, ...cfg.state };
}

export interface BackendChoice {
  cfg: Config;
  fingerprint: string;
  /** the worker partition (lock, pending run, registry, history) */
  partition: string;
  /** --state DIR: the file backend's directory; with redis, only local spools go there */
  stateDir?: string;
  /** --out DIR: spools go under it when there is no state directory */
  outDir: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

/**
 * redis when state.backend is "redis"; otherwise the file backend when a state directory is given (what `clean`
 * always did, also under the default "memory"), and the memory backend (nothing persisted) without one.
 */
export async function createStateBackend(c: BackendChoice): Promise<StateBackend> {
  const s = stateSettings(c.cfg);
  const workDir = c.stateDir ? join(c.stateDir, 'work') : join(c.outDir, '.synthfilter-work');
  if (s.backend === 'redis') {
    if (!s.url) throw new SynthfilterError('E_CONFIG', 'state.backend is "redis" but state.url is not set (redis://[user:password@]host:port[/db] or rediss:// for TLS)');
    const { RedisBackend } = await loadRedisBackend();
    return new RedisBackend({ cfg: c.cfg, fingerprint: c.fingerprint, partition: c.partition, workDir, url: s.url, prefix: s.prefix, retryMs: s.retryMs, bucketBits: s.bucketBits, lanes: s.lanes, log: c.log });
  }
  if (c.stateDir) return new FileBackend({ cfg: c.cfg, fingerprint: c.fingerprint, partition: c.partition }, c.stateDir, c.log && ((m) => c.log!(`warning: ${m}`)));
  if (s.backend === 'file') throw new SynthfilterError('E_USAGE', 'state.backend is "file" but no state directory was given (--state DIR)');
  return new MemoryBackend({ cfg: c.cfg, fingerprint: c.fingerprint, partition: c.partition, workDir });
}
