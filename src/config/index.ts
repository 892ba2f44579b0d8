/**
 * Configuration: `config/default.json` holds every knob with its default. A user file deep-merges over it and CLI
 * flags override. `validate()` is the one place values are checked: unknown keys and bad values are errors naming
 * the key and the value. `fingerprint()` names persisted state so an incompatible index is never loaded.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { configError } from '../errors.js';

// The shape is the default file's; keep loose typing at this boundary and typed views in each module.
export type Config = {
  input: {
    textField: string;
    idField: string;
    format: 'auto' | 'jsonl' | 'json';
    maxTextBytes: number;
    maxLineBytes: number;
    rawMaxBytes: number;
  };
  dedup: { enabled: boolean; [k: string]: unknown };
  diversity: { enabled: boolean; [k: string]: unknown };
  origin: { enabled: boolean; [k: string]: unknown };
  route: {
    seed: number;
    maxSyntheticShare: number;
    syntheticBuffer: number;
    maxWait: number;
    unknownCountsAs: 'human' | 'synthetic';
    [k: string]: unknown;
  };
  output: {
    annotationKey: string;
    annotate: boolean;
    shardMaxRecords: number;
    shardMaxBytes: number;
    compress: 'gzip' | 'none';
  };
  state: { backend: string; [k: string]: unknown };
};

export type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

const DEFAULT_PATH = new URL('../../config/default.json', import.meta.url);
let cachedDefaults: Config | undefined;

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

/**
 * Keys whose value may legitimately differ in type from the default (nullable fields, free maps).
 * `free` keys take any JSON object (their contents are validated by their module).
 */
const NULLABLE = new Set<string>(['route.balanceBy', 'route.tail.rareStratum.field', 'state.url', 'state.dir', 'origin.declared.field']);
const FREE = new Set<string>(['origin.declared', 'diversity.rules']);

/** Validators for the free-form sections: each returns its problems as `path: message` strings. */
const FREE_CHECKS: Record<string, (v: Record<string, unknown>, path: string, def: unknown) => string[]> = {
  'diversity.rules': (v, path, def) => {
    const known = Object.keys(def as object);
    const out: string[] = [];
    for (const [code, rule] of Object.entries(v)) {
      const p = `${path}.${code}`;
      if (!known.includes(code)) out.push(`${p}: unknown rule (known: ${known.join(', ')})`);
      if (!isPlainObject(rule)) {
        out.push(`${p}: must be an object {enabled, hard, min?, max?}, got ${JSON.stringify(rule)}`);
        continue;
      }
      for (const [k, x] of Object.entries(rule)) {
        if (k === 'enabled' || k === 'hard') {
          if (typeof x !== 'boolean') out.push(`${p}.${k}: must be boolean, got ${JSON.stringify(x)}`);
        } else if (k === 'min' || k === 'max') {
          if (typeof x !== 'number' || !Number.isFinite(x)) out.push(`${p}.${k}: must be a finite number, got ${JSON.stringify(x)}`);
        } else out.push(`${p}.${k}: unknown key (value ${JSON.stringify(x)})`);
      }
    }
    return out;
  },
  'origin.declared': (v, path) => {
    const out: string[] = [];
    for (const [k, x] of Object.entries(v)) {
      if (k === 'field') {
        if (typeof x !== 'string') out.push(`${path}.field: must be a dotted path string, got ${JSON.stringify(x)}`);
      } else if (k === 'synthetic' || k === 'human') {
        if (!Array.isArray(x) || x.some((e) => !['string', 'boolean', 'number'].includes(typeof e))) out.push(`${path}.${k}: must be an array of strings/booleans/numbers, got ${JSON.stringify(x)}`);
      } else out.push(`${path}.${k}: unknown key (value ${JSON.stringify(x)})`);
    }
    return out;
  },
};

type Check = (v: unknown) => string | null;
const num = (lo: number, hi: number, int = false): Check => (v) =>
  typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi || (int && !Number.isInteger(v))
    ? `must be ${int ? 'an integer' : 'a number'} in [${lo}, ${hi}]`
    : null;
const oneOf = (...xs: unknown[]): Check => (v) => (xs.includes(v) ? null : `must be one of ${xs.map((x) => JSON.stringify(x)).join(', ')}`);

/** Range and enum constraints beyond the type check. */
const CONSTRAINTS: Record<string, Check> = {
  'input.format': oneOf('auto', 'jsonl', 'json'),
  'input.maxTextBytes': num(1, 2 ** 31, true),
  'input.maxLineBytes': num(16, 2 ** 31, true),
  'input.rawMaxBytes': num(0, 2 ** 31, true),
  'input.textField': (v) => (v === '' ? 'must not be empty' : null),
  'dedup.threshold': num(0.01, 1),
  'dedup.numPerm': num(8, 1024, true),
  'dedup.bands': num(0, 1024, true),
  'dedup.rows': num(0, 1024, true),
  'dedup.verify': oneOf('estimate', 'exact'),
  'dedup.fnWeight': num(0, 1),
  'dedup.sketchSize': num(1, 65535, true),
  'dedup.maxCandidates': num(1, 1e9, true),
  'dedup.keep': oneOf('first', 'longest', 'human-first'),
  'dedup.shingle.unit': oneOf('word', 'char'),
  'dedup.shingle.size': num(1, 64, true),
  'dedup.normalize.unicode': oneOf('NFC', 'NFKC', 'none'),
  'origin.threshold': num(0, 1),
  'origin.humanThreshold': num(0, 1),
  'origin.minWords': num(0, 1e6, true),
  'route.maxSyntheticShare': num(0, 1),
  'route.syntheticBuffer': num(0, 10_000_000, true),
  'route.maxWait': num(1, 1e12, true),
  'route.unknownCountsAs': oneOf('human', 'synthetic'),
  'route.capBasis': oneOf('labels', 'expected'),
  'route.maxStratumShare': num(0.0001, 1),
  'route.maxSyntheticReuse': num(0, 65535, true),
  'route.maxClusterSize': num(0, 65535, true),
  'route.minDocs': num(0, 1e12, true),
  'route.tail.rareVocab.maxDocFreq': num(0, 1),
  'route.tail.rareVocab.minShare': num(0, 1),
  'route.tail.rareVocab.minWords': num(1, 1e6, true),
  'route.tail.rareStratum.maxShare': num(0, 1),
  'output.annotationKey': (v) => (v === '' ? 'must not be empty' : null),
  'output.shardMaxRecords': num(1, 1e12, true),
  'output.shardMaxBytes': num(1024, 2 ** 53, true),
  'output.compress': oneOf('gzip', 'none'),
  'state.backend': oneOf('memory', 'file', 'redis'),
  'state.url': (v) => (v === null || (typeof v === 'string' && /^rediss?:\/\/[^\s]+$/.test(v)) ? null : 'must be null or a redis:// or rediss:// URL'),
  'state.prefix': (v) => (typeof v === 'string' && /^[^{}\s]+$/.test(v) ? null : 'must be non-empty, without braces or whitespace'),
  'state.retryMs': num(0, 86_400_000, true),
  'state.bucketBits': num(8, 24, true),
  'state.lanes': num(8, 1024, true),
  'state.batch': num(1, 10_000, true),
  'state.inFlight': num(1, 256, true),
};

/** Extra constraints modules register (e.g. diversity rules), keyed by dotted path; `*` matches one segment. */
export function registerConstraint(path: string, check: Check): void {
  CONSTRAINTS[path] = check;
}

function constraintFor(path: string): Check | undefined {
  if (CONSTRAINTS[path]) return CONSTRAINTS[path];
  for (const [k, c] of Object.entries(CONSTRAINTS)) {
    if (!k.includes('*')) continue;
    const a = k.split('.');
    const b = path.split('.');
    if (a.length === b.length && a.every((s, i) => s === '*' || s === b[i])) return c;
  }
  return undefined;
}

const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

function walk(def: unknown, val: unknown, path: string, errors: string[]): void {
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80);
  if (FREE.has(path)) {
    if (!isPlainObject(val)) errors.push(`${path}: must be an object, got ${show(val)}`);
    else errors.push(...(FREE_CHECKS[path]?.(val, path, def) ?? []));
    return;
  }
  if (isPlainObject(def)) {
    if (!isPlainObject(val)) {
      errors.push(`${path}: must be an object, got ${show(val)}`);
      return;
    }
    for (const k of Object.keys(val)) {
      const p = path ? `${path}.${k}` : k;
      if (!(k in def)) errors.push(`${p}: unknown key (value ${show(val[k])})`);
      else walk(def[k], val[k], p, errors);
    }
    return;
  }
  const td = typeName(def);
  const tv = typeName(val);
  if (!(td === tv || (NULLABLE.has(path) && (tv === 'null' || tv === 'string')))) {
    errors.push(`${path}: must be ${td}, got ${tv} ${show(val)}`);
    return;
  }
  if (td === 'array' && Array.isArray(def) && def.length > 0 && Array.isArray(val)) {
    const et = typeName(def[0]);
    val.forEach((x, i) => {
      if (typeName(x) !== et) errors.push(`${path}[${i}]: must be ${et}, got ${show(x)}`);
    });
  }
  const check = constraintFor(path);
  const msg = check?.(val);
  if (msg) errors.push(`${path}: ${msg}, got ${show(val)}`);
}

/** Validate a full config against the default file's shape and the constraints; throws E_CONFIG with every problem. */
export function validate(cfg: unknown): Config {
  const errors: string[] = [];
  walk(defaults(), cfg, '', errors);
  if (errors.length) throw configError(`invalid configuration:\n  ${errors.join('\n  ')}`);
  return cfg as Config;
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
  try {
    return JSON.parse(text);
  } catch (e) {
    throw configError(`config file ${path} is not valid JSON: ${(e as Error).message}`);
  }
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
