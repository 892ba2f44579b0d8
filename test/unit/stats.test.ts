/** mergeStats: the stats of the parts of a run add up to the stats of the whole, with no special case. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { test } from 'node:test';
import fc from 'fast-check';
import { createFilter, mergeStats, newStats, REASON_CODES, type Annotation, type Outcome, type Stats } from '../../src/index.js';
import { countDecision, countInput, countTail } from '../../src/stage/stats.js';
import { fakeText, ROOT } from '../helpers.js';

/** What the core counts per record, as one step of a fold. */
function countOutcome(s: Stats, o: { annotation: Annotation; bytes: number }, hard: boolean): void {
  countInput(s, o.bytes);
  countDecision(s, o.annotation, null);
  if (o.annotation.tail) countTail(s, o.annotation.decision === 'accept', hard);
}

type Item = { annotation: Annotation; bytes: number; hard: boolean };
const statsOf = (items: Item[]) => {
  const s = newStats();
  for (const it of items) countOutcome(s, it, it.hard);
  return s;
};
const mergeParts = (parts: Item[][]) => parts.map(statsOf).reduce(mergeStats, newStats());

const arbItem: fc.Arbitrary<Item> = fc.record({
  decision: fc.constantFrom('accept', 'reject', 'quarantine'),
  reasons: fc.array(fc.constantFrom(...REASON_CODES), { maxLength: 4 }),
  label: fc.constantFrom('human', 'synthetic', 'unknown'),
  pAi: fc.option(fc.double({ min: 0, max: 1, noNaN: true })),
  tail: fc.boolean(),
  hard: fc.boolean(),
  bytes: fc.nat(5000),
}).map((r) => ({
  annotation: { decision: r.decision, reasons: r.reasons, dup: { kind: null, of: null, similarity: null }, diversity: {}, origin: { p_ai: r.pAi, label: r.label, by: 'detector' }, tail: r.tail, shard: null } as Annotation,
  bytes: r.bytes,
  hard: r.hard,
}));

test('merge of the per-part stats == stats of the whole, for any split (reasons in first-occurrence order)', () => {
  fc.assert(
    fc.property(fc.array(arbItem, { maxLength: 60 }), fc.array(fc.nat(60), { maxLength: 5 }), (items, cuts) => {
      const at = [...new Set(cuts.map((c) => Math.min(c, items.length)))].sort((a, b) => a - b);
      const parts: Item[][] = [];
      let prev = 0;
      for (const c of [...at, items.length]) {
        parts.push(items.slice(prev, c));
        prev = c;
      }
      const whole = statsOf(items);
      const merged = mergeParts(parts);
      assert.deepEqual(merged, whole);
      assert.equal(JSON.stringify(merged), JSON.stringify(whole), 'same key order');
    }),
  );
});

test('mergeStats with empty stats is the identity and leaves its inputs alone', () => {
  const s = statsOf([{ annotation: { decision: 'reject', reasons: ['near_dup'], dup: { kind: 'near', of: 'x', similarity: 0.9 }, diversity: {}, origin: { p_ai: 0.42, label: 'human', by: 'detector' }, tail: true, shard: null }, bytes: 10, hard: true }]);
  const copy = JSON.stringify(s);
  assert.deepEqual(mergeStats(s, newStats()), s);
  assert.deepEqual(mergeStats(newStats(), s), s);
  const twice = mergeStats(s, s);
  assert.equal(twice.reasons['near_dup'], 2);
  assert.equal(twice.pAiHist.human[4], 2);
  assert.deepEqual(twice.tail, { seen: 2, accepted: 0, hard: 2 });
  assert.equal(JSON.stringify(s), copy);
});

test('on a real run, the core stats equal the fold of its outcomes, and the merge of its parts', async () => {
  const cfg = JSON.parse(readFileSync(join(ROOT, 'config', 'samples.json'), 'utf8'));
  const lines = readFileSync(join(ROOT, 'samples', 'mixed.jsonl'), 'utf8').split('\n').filter((l) => l.trim());
  const input: unknown[] = lines.map((l) => { try { return JSON.parse(l); } catch { return l; } });
  for (let i = 0; i < 600; i++) {
    const rare = i % 7 === 0 ? ' ' + Array.from({ length: 40 }, (_, j) => `rare${i}w${j}`).join(' ') : '';
    input.push({ id: `x${i}`, text: fakeText(i + 1, 80) + rare, meta: i % 5 === 0 ? {} : { source: i % 3 ? 'human' : 'gpt-4' } });
  }
  const filter = createFilter({ ...cfg, route: { ...cfg.route, minDocs: 100 } }, { emit: 'all' });
  const outs: Outcome[] = [];
  await pipeline(Readable.from(input), filter, new Writable({ objectMode: true, write: (o, _e, cb) => (outs.push(o), cb()) }));
  const core = (filter as unknown as { stats: Stats }).stats;
  assert.ok(core.tail.seen > 0 && core.reasons['synthetic_cap']! > 0 && core.quarantine > 0 && core.pAiHist.human.some((n) => n > 0), JSON.stringify(core));
  // a rejected tail record was rejected by a hard rule (tail records bypass soft rules, balancing and caps)
  const items = outs.map((o) => ({ annotation: o.annotation, bytes: o.bytes, hard: o.annotation.decision === 'reject' }));
  // the library API yields outcomes in decision order, and the core counts reasons in that order: compare the counts.
  // bytesIn counts input bytes read, which objects given to the library API do not have (outcome.bytes is then the
  // text's length).
  // the share tracker's estimate depends on the detector's parameters, which the fold's bare stats do not load: its
  // counts are compared (the estimator's merge has its own tests in prevalence.test.ts)
  const norm = (s: Stats) => ({ ...s, bytesIn: 0, reasons: Object.fromEntries(Object.entries(s.reasons).sort()), syntheticShare: { records: s.syntheticShare.records, undeclared: s.syntheticShare.undeclared } });
  assert.deepEqual(norm(statsOf(items)), norm(core));
  const third = Math.floor(items.length / 3);
  assert.deepEqual(norm(mergeParts([items.slice(0, third), items.slice(third, 2 * third), items.slice(2 * third)])), norm(core));
});
