/**
 * Run-time validation of a configuration against config/schema.json, the JSON Schema generated from the one model
 * (config/schema.ts). It reads the subset that schema uses (type, enum, minimum/maximum, minLength, pattern, anyOf,
 * properties with additionalProperties false, items) and names the key path and the value in every message; an
 * unknown key gets the nearest known key (`dedup.treshold: unknown key (value 0.9); did you mean dedup.threshold?`).
 */
import { readFileSync } from 'node:fs';
import { configError } from '../errors.js';
import type { Config } from './config.generated.js';

export interface SchemaNode {
  type?: string | string[];
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  anyOf?: SchemaNode[];
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean;
  items?: SchemaNode;
  'x-message'?: string;
}

const SCHEMA_PATH = new URL('../../config/schema.json', import.meta.url);
let cachedSchema: SchemaNode | undefined;
export function configSchema(): SchemaNode {
  cachedSchema ??= JSON.parse(readFileSync(SCHEMA_PATH, 'utf8')) as SchemaNode;
  return cachedSchema;
}

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function hasType(t: string, v: unknown): boolean {
  switch (t) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v);
    case 'number':
      return typeof v === 'number' && Number.isFinite(v);
    case 'object':
      return isObject(v);
    default:
      return typeName(v) === t;
  }
}

/** Levenshtein distance (config keys are short). */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return row[b.length]!;
}

/** The nearest known key, when it is close enough to be the intended one. */
export function suggestKey(key: string, known: string[]): string | null {
  let best: string | null = null;
  let bestD = Infinity;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k.toLowerCase());
    if (d < bestD) [best, bestD] = [k, d];
  }
  return best !== null && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : null;
}

/** What a value of this node must be, in words ("an integer in [1, 64]", "one of "word", "char""). */
function expected(s: SchemaNode): string {
  if (s['x-message']) return s['x-message'].replace(/^must be /, '');
  if (s.enum) return `one of ${s.enum.map((x) => JSON.stringify(x)).join(', ')}`;
  const types = Array.isArray(s.type) ? s.type : [s.type ?? 'any'];
  if (types.length === 1 && (types[0] === 'integer' || types[0] === 'number') && s.minimum !== undefined && s.maximum !== undefined) {
    return `${types[0] === 'integer' ? 'an integer' : 'a number'} in [${s.minimum}, ${s.maximum}]`;
  }
  return types.join(' or ');
}

function check(s: SchemaNode, v: unknown, path: string, errors: string[]): void {
  if (s.anyOf) {
    const branches = s.anyOf.map((b) => {
      const e: string[] = [];
      check(b, v, path, e);
      return e;
    });
    if (branches.some((e) => e.length === 0)) return;
    // null or X: report X's problem (with the node's own message when it has one)
    const nonNull = s.anyOf.findIndex((b) => b.type !== 'null');
    if (s['x-message']) errors.push(`${path}: ${s['x-message']}, got ${show(v)}`);
    else errors.push(...branches[nonNull >= 0 ? nonNull : 0]!);
    return;
  }
  const types = s.type === undefined ? [] : Array.isArray(s.type) ? s.type : [s.type];
  const bad = (what = expected(s)) => errors.push(`${path}: must be ${what}, got ${types.length && !types.some((t) => hasType(t, v)) ? `${typeName(v)} ` : ''}${show(v)}`);
  if (types.length && !types.some((t) => hasType(t, v))) return void bad();
  if (s.enum && !s.enum.some((x) => x === v)) return void bad();
  if (typeof v === 'number' && ((s.minimum !== undefined && v < s.minimum) || (s.maximum !== undefined && v > s.maximum))) return void bad();
  if (typeof v === 'string') {
    if (s.minLength !== undefined && v.length < s.minLength) return void errors.push(`${path}: must not be empty, got ${show(v)}`);
    if (s.pattern !== undefined && !new RegExp(s.pattern, 'u').test(v)) return void bad(s['x-message']?.replace(/^must be /, '') ?? `a string matching ${s.pattern}`);
  }
  if (Array.isArray(v) && s.items) v.forEach((x, i) => check(s.items!, x, `${path}[${i}]`, errors));
  if (isObject(v) && s.properties) {
    const known = Object.keys(s.properties);
    for (const [k, x] of Object.entries(v)) {
      const p = path ? `${path}.${k}` : k;
      const node = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      if (node) check(node, x, p, errors);
      else if (s.additionalProperties === false) {
        const near = suggestKey(k, known);
        errors.push(`${p}: unknown key (value ${show(x)})${near ? `; did you mean ${path ? `${path}.${near}` : near}?` : ''}`);
      }
    }
  }
}

/** Validate a full configuration (defaults already merged in); throws E_CONFIG listing every problem. */
export function validate(cfg: unknown): Config {
  if (!isObject(cfg)) throw configError(`invalid configuration: must be a JSON object, got ${typeName(cfg)} ${show(cfg)}`);
  const errors: string[] = [];
  check(configSchema(), cfg, '', errors);
  if (errors.length) throw configError(`invalid configuration:\n  ${errors.join('\n  ')}`);
  return cfg as Config;
}
