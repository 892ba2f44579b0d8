/**
 * Validation against the one schema (schema.ts), with messages that name the key path and the value, and for an
 * unknown key the nearest known key (`dedup.treshold: unknown key (value 0.9); did you mean dedup.threshold?`).
 */
import type { z } from 'zod';
import { configError } from '../errors.js';
import { ConfigSchema, type Config } from './schema.js';

const show = (v: unknown) => JSON.stringify(v)?.slice(0, 80);
const typeName = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** Levenshtein distance, small strings only (config keys). */
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

/** The object schema's keys at a path, looking through defaults, prefaults, optionals and nullables. */
function keysAt(path: PropertyKey[]): string[] {
  let s: z.ZodType = ConfigSchema;
  const unwrap = (x: z.ZodType): z.ZodType => {
    let cur = x as { _zod: { def: { type: string; innerType?: z.ZodType } } };
    while (cur._zod.def.innerType && ['default', 'prefault', 'optional', 'nullable'].includes(cur._zod.def.type)) cur = cur._zod.def.innerType as never;
    return cur as unknown as z.ZodType;
  };
  for (const k of path) {
    const shape = (unwrap(s) as unknown as { shape?: Record<string, z.ZodType> }).shape;
    if (!shape || !(String(k) in shape)) return [];
    s = shape[String(k)]!;
  }
  return Object.keys((unwrap(s) as unknown as { shape?: Record<string, unknown> }).shape ?? {});
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

function describe(issue: z.core.$ZodIssue): string[] {
  const at = issue.path.map(String).join('.');
  const value = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'unrecognized_keys': {
      const known = keysAt(issue.path);
      return issue.keys.map((k) => {
        const p = at ? `${at}.${k}` : k;
        const near = suggestKey(k, known);
        const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[k] : undefined;
        return `${p}: unknown key (value ${show(v)})${near ? `; did you mean ${at ? `${at}.${near}` : near}?` : ''}`;
      });
    }
    case 'invalid_type':
      return [`${at}: must be ${issue.expected}, got ${typeName(value)} ${show(value)}`];
    case 'invalid_value':
      return [`${at}: must be one of ${issue.values.map((x) => JSON.stringify(x)).join(', ')}, got ${show(value)}`];
    case 'invalid_union':
      return [`${at}: must be a string, boolean or number, got ${typeName(value)} ${show(value)}`];
    default:
      return [`${at}: ${issue.message}, got ${show(value)}`];
  }
}

/** Validate a full config (defaults already merged in); throws E_CONFIG listing every problem. */
export function validate(cfg: unknown): Config {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) throw configError(`invalid configuration: must be a JSON object, got ${typeName(cfg)} ${show(cfg)}`);
  const r = ConfigSchema.safeParse(cfg, { reportInput: true });
  if (r.success) return r.data;
  throw configError(`invalid configuration:\n  ${r.error.issues.flatMap(describe).join('\n  ')}`);
}
