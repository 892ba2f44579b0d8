/**
 * The Redis backend, loaded on demand. `redis` is an optional peer dependency: only this backend uses it, and it
 * (with its five @redis/* modules) would otherwise be installed with every copy of the stage. Without it,
 * `state.backend: "redis"` is a configuration error (exit 2) that says what to install.
 */
import { SynthfilterError } from '../errors.js';

export const REDIS_MISSING =
  'state.backend is "redis" but the package "redis" is not installed: it is an optional peer dependency of synthfilter; ' +
  'install it next to synthfilter with `npm install redis@^5`';

/** True for Node's error when the package `name` itself (not a module inside it) cannot be found. */
function isMissingPackage(e: unknown, name: string): boolean {
  const err = e as { code?: string; message?: string };
  return err?.code === 'ERR_MODULE_NOT_FOUND' && typeof err.message === 'string' && err.message.includes(`'${name}'`);
}

export async function loadRedisBackend(): Promise<typeof import('./redis-backend.js')> {
  try {
    return await import('./redis-backend.js');
  } catch (e) {
    if (isMissingPackage(e, 'redis')) throw new SynthfilterError('E_CONFIG', REDIS_MISSING);
    throw e;
  }
}
