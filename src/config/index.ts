/**
 * Configuration. config/schema.ts is the one model; `npm run config:defaults` generates from it the defaults
 * (config/default.json), the JSON Schema (config/schema.json) and the `Config` type (config.generated.ts). A user
 * file deep-merges over the defaults and CLI flags override; `validate()` (validate.ts) checks the result once
 * against the JSON Schema, naming the key and the value. `fingerprint()` names persisted state so an incompatible
 * index is never loaded.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { configError } from '../errors.js';
import type { Config } from './config.generated.js';
import { validate } from './validate.js';

export type { Config } from './config.generated.js';
export { validate, suggestKey, configSchema } from './validate.js';

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const DEFAULT_PATH = new URL('../../config/default.json', import.meta.url);
let cachedDefaults: Config | undefined;

/** Every key with its default (config/default.json, generated from the schema). */
export function defaults(): Config {
  cachedDefaults ??= JSON.parse(readFileSync(DEFAULT_PATH, 'utf8')) as Config;
  return structuredClone(cachedDefaults);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Deep merge: objects merge key by key, everything else (arrays included) replaces. */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(over) || !isPlainObject(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) out[k] = k in out ? deepMerge(out[k], v) : v;
  return out as T;
}

/** Defaults, deep-merged with each override in order, then validated. */
export function resolveConfig(...overrides: unknown[]): Config {
  let cfg: unknown = defaults();
  for (const o of overrides) if (o !== undefined) cfg = deepMerge(cfg, o);
  return validate(cfg);
}

export function loadConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw configError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  // "$schema" points editors at config/schema.json; it is not configuration
  if (isPlainObject(parsed) && '$schema' in parsed) {
    const { $schema: _editorsOnly, ...rest } = parsed;
    return rest;
  }
  return parsed;
}

/** Set a dotted path on an object (used for CLI flags like --set dedup.threshold=0.9). */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (!isPlainObject(o[p])) o[p] = {};
    o = o[p] as Record<string, unknown>;
  }
  o[parts[parts.length - 1]!] = value;
}

/**
 * Read a dotted path ("meta.source") from a record: own properties only (never inherited ones such as
 * `constructor`); a key that itself contains dots is found whole first. `undefined` when any step is missing.
 */
export function getPath(obj: unknown, path: string): unknown {
  if (!isPlainObject(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, path)) return obj[path];
  if (!path.includes('.')) return undefined;
  let o: unknown = obj;
  for (const p of path.split('.')) {
    if (!isPlainObject(o) || !Object.prototype.hasOwnProperty.call(o, p)) return undefined;
    o = o[p];
  }
  return o;
}

/** Scorer versions: bump when a scorer's output changes meaning, so persisted state is refused. */
export const SCORER_VERSIONS = { text: 1, dedup: 2, diversity: 1, origin: 1, route: 1 };

/**
 * Fingerprint of everything that changes what persisted state means: scorer versions, text normalisation and
 * dedup parameters. Route thresholds do not invalidate an index and are left out.
 */
export function fingerprint(cfg: Config): string {
  const material = JSON.stringify({ v: SCORER_VERSIONS, dedup: cfg.dedup });
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
