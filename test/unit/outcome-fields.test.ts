/**
 * Lean outcomes: what the library API yields per record carries only documented fields (README "Library API" and
 * "The annotation (public contract)"); the core's internals (features, token hashes, signatures, input chunks)
 * never show in JSON.stringify(outcome) or Object.keys.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import { createFilter, filterRecords, type Outcome } from '../../src/index.js';
import { fakeText, ROOT } from '../helpers.js';

const OUTCOME_FIELDS = ['id', 'record', 'annotation', 'raw', 'pos', 'bytes'];
const ANNOTATION_FIELDS = ['decision', 'reasons', 'dup', 'diversity', 'origin', 'tail', 'tail_rule', 'waived', 'shard', 'source', 'detail'];
const DUP_FIELDS = ['kind', 'of', 'similarity'];
const ORIGIN_FIELDS = ['p_ai', 'label', 'by', 'reason', 'top'];

const SAMPLES_CFG = JSON.parse(readFileSync(join(ROOT, 'config', 'samples.json'), 'utf8'));

/** The sample records (lines that are not JSON go in as strings: quarantined as not_object). */
function sampleRecords(): unknown[] {
  return readFileSync(join(ROOT, 'samples', 'mixed.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      try {
        return JSON.parse(l);
      } catch {
        return l;
      }
    });
}

function undocumented(o: Outcome): string[] {
  const bad: string[] = [];
  const check = (obj: object, allowed: string[], where: string) => {
    for (const k of Object.keys(obj)) if (!allowed.includes(k)) bad.push(`${where}.${k}`);
  };
  check(o, OUTCOME_FIELDS, 'outcome');
  check(o.annotation, ANNOTATION_FIELDS, 'annotation');
  check(o.annotation.dup, DUP_FIELDS, 'annotation.dup');
  check(o.annotation.origin, ORIGIN_FIELDS, 'annotation.origin');
  const json = JSON.parse(JSON.stringify(o)) as Record<string, unknown>;
  check(json, OUTCOME_FIELDS, 'JSON(outcome)');
  return bad;
}

test('every outcome of filterRecords and createFilter carries only documented fields', async () => {
  const cfg = { ...SAMPLES_CFG, origin: { ...SAMPLES_CFG.origin, explain: true } };
  const seen = new Set<string>();
  for await (const o of filterRecords(sampleRecords(), cfg)) {
    assert.deepEqual(undocumented(o), [], `outcome ${o.id}`);
    seen.add(o.annotation.decision);
  }
  assert.deepEqual([...seen].sort(), ['accept', 'quarantine', 'reject'], 'the samples cover every decision');
  const all: Outcome[] = [];
  await pipeline(Readable.from(sampleRecords()), createFilter(cfg, { emit: 'all' }), new Writable({ objectMode: true, write: (o, _e, cb) => (all.push(o), cb()) }));
  assert.equal(all.length, sampleRecords().length);
  for (const o of all) assert.deepEqual(undocumented(o), [], `outcome ${o.id}`);
});

test('the documented field names appear in the docs', () => {
  const docs = [readFileSync(join(ROOT, 'README.md'), 'utf8'), ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => readFileSync(join(ROOT, 'docs', f), 'utf8'))].join('\n');
  for (const f of [...ANNOTATION_FIELDS, ...DUP_FIELDS, ...ORIGIN_FIELDS]) assert.match(docs, new RegExp(`"${f}"|\\b${f}\\b`), f);
  for (const f of ['o.id', 'o.record', 'o.annotation']) assert.ok(docs.includes(f), f);
});

test('the outcome of a 1.3 KB record serialises to the record plus its annotation, not its internals', async () => {
  let text = fakeText(7, 260);
  while (Buffer.byteLength(text) < 1250) text += ' more';
  const rec = { id: 'r1', text, meta: { source: 'human' } };
  const recBytes = JSON.stringify(rec).length;
  assert.ok(recBytes > 1250 && recBytes < 1400, `record of ${recBytes} bytes`);
  const outs: Outcome[] = [];
  for await (const o of filterRecords([rec], SAMPLES_CFG)) outs.push(o);
  assert.equal(outs.length, 1);
  const json = JSON.stringify(outs[0]);
  const annotationBytes = JSON.stringify(outs[0]!.annotation).length;
  // before internals were hidden: 12.5 KB (features with token hashes, shingles and signature lanes)
  assert.ok(json.length <= recBytes + annotationBytes + 120, `outcome JSON ${json.length} B for a ${recBytes} B record (annotation ${annotationBytes} B)`);
  assert.ok(annotationBytes < 1200, `annotation ${annotationBytes} B`);
});
