import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig, defaults, fingerprint, getPath, deepMerge } from '../../src/config/index.js';

test('defaults validate and every section has the expected keys', () => {
  const c = resolveConfig();
  for (const s of ['input', 'dedup', 'diversity', 'origin', 'route', 'output', 'state']) assert.ok(s in c, s);
  for (const s of ['dedup', 'diversity', 'origin']) assert.equal(typeof (c as any)[s].enabled, 'boolean', `${s}.enabled`);
});

test('unknown keys are errors that name the key and the value', () => {
  assert.throws(() => resolveConfig({ dedup: { treshold: 0.9 } } as any), /dedup\.treshold: unknown key \(value 0\.9\)/);
  assert.throws(() => resolveConfig({ nope: 1 } as any), /nope: unknown key/);
});

test('bad values name the key, the constraint and the value', () => {
  assert.throws(() => resolveConfig({ dedup: { threshold: 1.5 } }), /dedup\.threshold: must be a number in \[0\.01, 1\], got 1\.5/);
  assert.throws(() => resolveConfig({ input: { textField: 3 } } as any), /input\.textField: must be string, got number 3/);
  assert.throws(() => resolveConfig({ route: { unknownCountsAs: 'maybe' } } as any), /route\.unknownCountsAs: must be one of/);
  assert.throws(() => resolveConfig({ output: { shardMaxRecords: 0 } }), /output\.shardMaxRecords/);
});

test('several problems are reported together', () => {
  try {
    resolveConfig({ dedup: { threshold: 2, bogus: 1 } } as any);
    assert.fail('should throw');
  } catch (e) {
    const m = (e as Error).message;
    assert.match(m, /dedup\.threshold/);
    assert.match(m, /dedup\.bogus/);
    assert.equal((e as any).code, 'E_CONFIG');
  }
});

test('deep merge: objects merge, arrays and scalars replace', () => {
  assert.deepEqual(deepMerge({ a: { b: 1, c: [1, 2] }, d: 1 }, { a: { c: [3] } }), { a: { b: 1, c: [3] }, d: 1 });
  const c = resolveConfig({ dedup: { shingle: { size: 3 } } });
  assert.equal((c.dedup as any).shingle.size, 3);
  assert.equal((c.dedup as any).shingle.unit, 'word');
});

test('fingerprint is stable and changes with dedup parameters only', () => {
  const a = fingerprint(resolveConfig());
  assert.equal(a, fingerprint(resolveConfig()));
  assert.notEqual(a, fingerprint(resolveConfig({ dedup: { threshold: 0.9 } })));
  assert.equal(a, fingerprint(resolveConfig({ route: { maxSyntheticShare: 0.5 } })));
  assert.match(a, /^[0-9a-f]{16}$/);
});

test('getPath reads dotted paths and returns undefined when a step is missing', () => {
  const r = { meta: { source: 'gpt-4', flags: { ai: true } }, text: 'x' };
  assert.equal(getPath(r, 'meta.source'), 'gpt-4');
  assert.equal(getPath(r, 'meta.flags.ai'), true);
  assert.equal(getPath(r, 'meta.nope.deeper'), undefined);
  assert.equal(getPath(r, 'text'), 'x');
  // own properties only, and a dotted key is found whole
  assert.equal(getPath({}, 'constructor'), undefined);
  assert.equal(getPath({ a: {} }, 'a.toString'), undefined);
  assert.equal(getPath({ 'meta.source': 'whole', meta: { source: 'nested' } }, 'meta.source'), 'whole');
  assert.ok(defaults());
});
