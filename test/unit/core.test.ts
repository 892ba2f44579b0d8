import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterRecords } from '../../src/stage/transform.js';
import { serializeOutcome } from '../../src/sink/serialize.js';
import type { Outcome } from '../../src/types.js';
import { CORE_ONLY } from '../helpers.js';
import { deepMerge } from '../../src/config/index.js';

async function all(records: unknown[], cfg?: any, inputOrder = true): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for await (const o of filterRecords(records, deepMerge(CORE_ONLY, cfg ?? {}), { inputOrder })) out.push(o);
  return out;
}

test('one crafted record per quarantine reason', async () => {
  const outs = await all([
    { text: 'fine text here' },
    { body: 'no text' },
    { text: 12 },
    { text: '   ' },
    { text: 'x'.repeat(300) },
    'not an object',
    { text: null },
  ], { input: { maxTextBytes: 200 } });
  assert.deepEqual(outs.map((o) => [o.annotation.decision, o.annotation.reasons[0] ?? null]), [
    ['accept', null],
    ['quarantine', 'missing_text'],
    ['quarantine', 'non_string_text'],
    ['quarantine', 'empty_text'],
    ['quarantine', 'text_too_long'],
    ['quarantine', 'not_object'],
    ['quarantine', 'missing_text'],
  ]);
});

test('exact duplicates: normalised text, keep first, dup.of names the kept id', async () => {
  const outs = await all([{ id: 'a', text: 'Hello   World' }, { id: 'b', text: 'hello world' }, { id: 'c', text: 'hello world!' }]);
  assert.equal(outs[0]!.annotation.decision, 'accept');
  assert.deepEqual(outs[1]!.annotation.dup, { kind: 'exact', of: 'a', similarity: 1 });
  assert.deepEqual(outs[1]!.annotation.reasons, ['exact_dup']);
  assert.equal(outs[2]!.annotation.decision, 'accept');
});

test('a rejected record never suppresses its later twins; disabled dedup keeps everything', async () => {
  const outs = await all([{ id: 'a', text: 'same' }, { id: 'b', text: 'same' }], { dedup: { enabled: false } });
  assert.deepEqual(outs.map((o) => o.annotation.decision), ['accept', 'accept']);
  assert.equal(outs[0]!.annotation.dup.kind, null);
});

test('ids: dotted id field, numeric ids, and a stable hash id when missing', async () => {
  const a = await all([{ meta: { uid: 'u1' }, text: 't1' }, { text: 't2' }], { input: { idField: 'meta.uid' } });
  assert.equal(a[0]!.id, 'u1');
  const b = await all([{ text: 't2' }]);
  assert.equal(a[1]!.id, b[0]!.id, 'hash id is stable across runs');
  assert.match(b[0]!.id, /^sf-[0-9a-f]{16}$/);
});

test('dotted text field', async () => {
  const outs = await all([{ doc: { body: 'deep text' } }, { doc: {} }], { input: { textField: 'doc.body' } });
  assert.deepEqual(outs.map((o) => o.annotation.decision), ['accept', 'quarantine']);
});

test('annotation has the full public shape even when scorers are off', async () => {
  const [o] = await all([{ text: 'abc' }]);
  const a = o!.annotation;
  assert.deepEqual(Object.keys(a).sort(), ['decision', 'diversity', 'dup', 'origin', 'reasons', 'shard', 'tail'].sort());
  assert.deepEqual(a.origin, { p_ai: null, label: 'unknown', by: 'none' });
});

test('serialisation keeps the record untouched apart from the annotation key', () => {
  const o: Outcome = {
    id: 'a', record: { id: 'a', text: 'x', n: 1.50 }, raw: '{"id":"a", "text":"x", "n":1.50}',
    annotation: { decision: 'accept', reasons: [], dup: { kind: null, of: null, similarity: null }, diversity: {}, origin: { p_ai: null, label: 'unknown', by: 'none' }, tail: false, shard: null },
    pos: { file: 'f', line: 1 }, bytes: 10,
  };
  assert.equal(serializeOutcome(o, false, 'sf'), '{"id":"a", "text":"x", "n":1.50}');
  const withAnn = serializeOutcome(o, true, 'sf');
  assert.ok(withAnn.startsWith('{"id":"a", "text":"x", "n":1.50,"sf":{'));
  assert.deepEqual(JSON.parse(withAnn).sf, o.annotation);
  const empty = serializeOutcome({ ...o, record: {}, raw: '{}' }, true, 'sf');
  assert.deepEqual(Object.keys(JSON.parse(empty)), ['sf']);
  const clash = serializeOutcome({ ...o, record: { sf: 1, text: 'x' }, raw: '{"sf":1,"text":"x"}' }, true, 'sf');
  assert.equal(typeof JSON.parse(clash).sf, 'object');
});
