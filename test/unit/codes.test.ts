/**
 * Codes as types: REASON_CODES (src/reasons.ts) lists every reason the stage emits, the README's reason table lists
 * exactly those, and the modules emit from the same set; ERROR_CODES lists every code a SynthfilterError carries.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  DIVERSITY_REASON_CODES,
  DUPLICATE_REASON_CODES,
  ERROR_CODES,
  QUARANTINE_REASON_CODES,
  QUARANTINE_REASONS,
  READ_REASONS,
  REASON_CODES,
  ROUTE_REASONS,
  ROUTING_REASON_CODES,
} from '../../src/index.js';
import { METRIC_KEYS } from '../../src/score/diversity/index.js';
import { ROOT } from '../helpers.js';

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Rows of the `| decision | kind | reason codes |` table, from README.md or any docs/*.md. */
function reasonTable(): Array<{ decision: string; kind: string; codes: string[] }> {
  const files = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => join('docs', f))];
  for (const f of files) {
    const lines = readFileSync(join(ROOT, f), 'utf8').split('\n');
    const h = lines.findIndex((l) => /^\|\s*decision\s*\|\s*kind\s*\|\s*reason codes\s*\|/.test(l));
    if (h < 0) continue;
    const rows = [];
    for (let i = h + 2; i < lines.length && lines[i]!.startsWith('|'); i++) {
      const [decision, kind, codes] = lines[i]!.split('|').slice(1, 4).map((c) => c.trim());
      rows.push({ decision: decision!, kind: kind!, codes: [...codes!.matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]!) });
    }
    return rows;
  }
  assert.fail('no "| decision | kind | reason codes |" table in README.md or docs/*.md');
}

test('the reason table in the docs lists exactly REASON_CODES, group by group', () => {
  const rows = reasonTable();
  const group = (decision: string, kind: string) => rows.filter((r) => r.decision === decision && r.kind === kind).flatMap((r) => r.codes);
  assert.deepEqual(sorted(group('quarantine', 'bad input')), sorted(QUARANTINE_REASON_CODES));
  assert.deepEqual(sorted(group('reject', 'duplicates')), sorted(DUPLICATE_REASON_CODES));
  assert.deepEqual(sorted(group('reject', 'diversity rules')), sorted(DIVERSITY_REASON_CODES));
  assert.deepEqual(sorted(group('reject', 'routing')), sorted(ROUTING_REASON_CODES));
  const all = rows.flatMap((r) => r.codes);
  assert.equal(new Set(all).size, all.length, 'no code listed twice');
  assert.deepEqual(sorted(all), sorted(REASON_CODES));
});

test('the modules emit reasons from REASON_CODES, and every code has an emitter', () => {
  assert.deepEqual(sorted([...Object.values(READ_REASONS), ...Object.values(QUARANTINE_REASONS)]), sorted(QUARANTINE_REASON_CODES));
  assert.deepEqual(sorted(METRIC_KEYS), sorted(DIVERSITY_REASON_CODES), 'one diversity reason per metric');
  const rules = JSON.parse(readFileSync(join(ROOT, 'config', 'default.json'), 'utf8')).diversity.rules;
  assert.deepEqual(sorted(Object.keys(rules)), sorted(DIVERSITY_REASON_CODES), 'one diversity rule per code in config/default.json');
  const routed = Object.values(ROUTE_REASONS);
  assert.deepEqual(sorted(routed), sorted([...DUPLICATE_REASON_CODES, ...ROUTING_REASON_CODES.filter((c) => c !== 'synthetic_reuse')]));
  assert.match(readFileSync(join(ROOT, 'src', 'stage', 'batch', 'route.ts'), 'utf8'), /'synthetic_reuse'/, 'the nightly job (its route step) emits synthetic_reuse');
});

test('ERROR_CODES: every code is raised somewhere in src, and nothing raises another', () => {
  const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : e.name.endsWith('.ts') ? [join(d, e.name)] : []));
  const src = walk(join(ROOT, 'src')).filter((f) => !f.endsWith('errors.ts')).map((f) => readFileSync(f, 'utf8')).join('\n');
  const raised = new Set([...src.matchAll(/SynthfilterError\(\s*'(E_[A-Z_]+)'/g), ...src.matchAll(/super\(\s*'(E_[A-Z_]+)'/g)].map((m) => m[1]!));
  assert.deepEqual(sorted(raised), sorted(ERROR_CODES));
});
