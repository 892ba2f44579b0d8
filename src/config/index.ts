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

const hasOwn = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/**
 * Key names that reach an object's prototype when assigned (`o[k] = v`), so a config or `--set` path holding one
 * could write onto Object.prototype for the whole process. They are never config keys: refused wherever a key
 * enters (`--set`, config files, the library API), naming the key.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

function refuseKey(key: string, path: string, where: string): void {
  if (FORBIDDEN_KEYS.has(key)) throw configError(`${where}: key "${path}" is not allowed (the segment "${key}" is reserved)`);
}

/** Throw E_CONFIG naming the first key (at any depth, arrays included) that is `__proto__`, `constructor` or `prototype`. */
export function assertSafeKeys(value: unknown, where: string, path = ''): void {
  if (Array.isArray(value)) {
    value.forEach((x, i) => assertSafeKeys(x, where, `${path}[${i}]`));
    return;
  }
  if (typeof value !== 'object' || value === null) return;
  for (const k of Object.keys(value)) {
    const p = path ? `${path}.${k}` : k;
    refuseKey(k, p, where);
    assertSafeKeys((value as Record<string, unknown>)[k], where, p);
  }
}

/**
 * Deep merge: objects merge key by key, everything else (arrays included) replaces. Only own keys are read and
 * written (an inherited `constructor` is not a key of the base), and reserved keys are refused, so a merge never
 * writes through a prototype.
 */
export function deepMerge<T>(base: T, over: unknown): T {
  if (!isPlainObject(over) || !isPlainObject(base)) return (over === undefined ? base : over) as T;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    refuseKey(k, k, 'configuration');
    out[k] = hasOwn(out, k) ? deepMerge(out[k], v) : v;
  }
  return out as T;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/**
 * Defaults, deep-merged with each override in order, then validated. Each override is undefined or a plain object
 * whose keys are checked before anything is merged (E_CONFIG naming a reserved key such as `__proto__`).
 */
export function resolveConfig(...overrides: unknown[]): Config {
  let cfg: unknown = defaults();
  for (const o of overrides) {
    if (o === undefined) continue;
    if (!isPlainObject(o)) throw configError(`configuration must be an object, got ${typeName(o)} ${JSON.stringify(o)?.slice(0, 80)}`);
    assertSafeKeys(o, 'configuration');
    cfg = deepMerge(cfg, o);
  }
  return validate(cfg);
}

/** Read a JSON config file: it must hold an object without reserved keys (E_CONFIG naming the file otherwise). */
export function loadConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw configError(`cannot read config file ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw configError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
  if (!isPlainObject(value)) throw configError(`config file ${path} must hold a JSON object, got ${typeName(value)}`);
  assertSafeKeys(value, `config file ${path}`);
  // "$schema" points editors at config/schema.json; it is not configuration
  if (hasOwn(value, '$schema')) {
    const { $schema: _editorsOnly, ...rest } = value;
    return rest;
  }
  return value;
}

/**
 * Set a dotted path on an object (used for CLI flags like --set dedup.threshold=0.9). A reserved segment
 * (`__proto__`, `constructor`, `prototype`) or an empty one is an E_CONFIG error naming the key; only own
 * properties are walked.
 */
export function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  for (const p of parts) {
    refuseKey(p, path, '--set');
    if (p === '') throw configError(`--set: key "${path}" has an empty segment`);
  }
  assertSafeKeys(value, `--set ${path}`);
  let o = obj;
  for (const p of parts.slice(0, -1)) {
    if (!hasOwn(o, p) || !isPlainObject(o[p])) o[p] = {};
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
  if (hasOwn(obj, path)) return obj[path];
  if (!path.includes('.')) return undefined;
  let o: unknown = obj;
  for (const p of path.split('.')) {
    if (!isPlainObject(o) || !hasOwn(o, p)) return undefined;
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
  // dedup.memory is a resource budget (the same verdicts for any budget) and dedup.engine "index" is the absent
  // default: neither changes what the state means, so a config naming them keeps its fingerprint
  const { memory: _memory, engine, ...rest } = cfg.dedup;
  const dedup = engine === undefined || engine === 'index' ? rest : { ...rest, engine };
  const material = JSON.stringify({ v: SCORER_VERSIONS, dedup });
  return createHash('sha256').update(material).digest('hex').slice(0, 16);
}
