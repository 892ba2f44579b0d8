import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShareTracker } from '../../src/stage/share.js';
import { risingWarning, RISING_WINDOW } from '../../src/stage/share-warnings.js';
import type { Annotation } from '../../src/types.js';

const ann = (o: Partial<Annotation['origin']>, decision: Annotation['decision'] = 'accept', shard: string | null = null): Annotation => ({
  decision, reasons: [], dup: { kind: null, of: null, similarity: null }, diversity: {},
  origin: { p_ai: null, label: 'unknown', by: 'none', ...o }, tail: false, shard,
});

test('ShareTracker: declared, undeclared, abstained and invalid provenance on a dotted field (own keys only)', () => {
  const t = new ShareTracker(null, { enabled: true, declared: { field: 'meta.source', synthetic: ['ai', 7], human: ['human', false] } });
  const und = ann({ p_ai: 0.4, by: 'detector' });
  t.observe(ann({ by: 'declared', label: 'synthetic' }), { meta: { source: 'ai' } });
  t.observe(ann({ by: 'declared', label: 'human' }), { meta: { source: 'human' } });
  t.observe(und, { meta: { source: 'gpt' } }); // unlisted: invalid
  t.observe(und, { meta: { source: '7' } }); // listed as a number, not a string: invalid
  t.observe(und, { 'meta.source': 'x' }); // a key with a dot is found whole: invalid
  t.observe(und, { meta: Object.create({ source: 'gpt' }) }); // inherited, not own: absent
  t.observe(und, { meta: { source: null } }); // null: absent
  t.observe(ann({ reason: 'too_short' }, 'reject'), {});
  assert.equal(t.provenanceInvalid, 3);
  assert.equal(t.records, 8);
  assert.equal(t.undeclared, 6);
  assert.deepEqual(t.abstained, { too_short: 1 });
  const r = t.report();
  assert.ok(r.estimate);
  assert.equal(r.estimate.undeclared, 6 / 8);
  assert.equal(r.estimate.abstained, 1 / 6);
  assert.equal(r.provenance_invalid, 3);
});

test('ShareTracker: per-shard estimates follow the accepted records of each shard', () => {
  const t = new ShareTracker(null, { enabled: false, declared: { field: 'p', synthetic: ['s'], human: ['h'] } });
  const d = (label: 'human' | 'synthetic', shard: string, decision: Annotation['decision'] = 'accept') => t.observe(ann({ by: 'declared', label }, decision, shard), {});
  d('synthetic', 'shard-00000');
  d('human', 'shard-00000');
  d('human', 'shard-00001');
  d('synthetic', 'shard-00001', 'reject');
  d('synthetic', 'shard-00000'); // a shard seen again after another
  const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs ${b}`);
  near(t.shard('shard-00000')!.value, 2 / 3);
  assert.equal(t.shard('shard-00001')!.value, 0);
  assert.equal(t.shard('shard-00009'), null);
  near(t.report().estimate!.input.value, 3 / 5);
  near(t.report().estimate!.accepted!.value, 2 / 4);
});

test('ShareTracker: origin scoring off gives a null estimate with a reason', () => {
  const t = new ShareTracker(null, null);
  t.observe(ann({}), { text: 'x' });
  const r = t.report();
  assert.equal(r.estimate, null);
  assert.match(r.estimate_reason!, /origin scoring is off/);
});

test('risingWarning: fires when tonight\'s low exceeds the mean high of the recent nights only', () => {
  const e = (low: number, high: number) => ({ value: (low + high) / 2, low, high });
  assert.equal(risingWarning(e(0.5, 0.6), []), null, 'no earlier night');
  assert.equal(risingWarning(null, [e(0, 0.1)]), null, 'no estimate tonight');
  assert.equal(risingWarning(e(0.5, 0.6), [null, undefined]), null, 'earlier nights without estimates');
  assert.ok(risingWarning(e(0.5, 0.6), [e(0.1, 0.2), null, e(0.3, 0.4)]), 'mean high 0.3 < 0.5');
  assert.equal(risingWarning(e(0.35, 0.6), [e(0.1, 0.2), e(0.3, 0.5)]), null, 'mean high 0.35 is not exceeded');
  // only the last RISING_WINDOW nights count: an old high night no longer holds the mean up
  const old = [e(0.9, 1), ...Array.from({ length: RISING_WINDOW }, () => e(0, 0.1))];
  assert.ok(risingWarning(e(0.2, 0.3), old));
});
