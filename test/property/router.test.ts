import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Router, type Routed, type Scored } from '../../src/route/router.js';
import { resolveConfig } from '../../src/config/index.js';
import { createFeaturizer } from '../../src/text/features.js';
import type { OriginLabel } from '../../src/types.js';

const feat = createFeaturizer();
interface Spec {
  lab: OriginLabel;
  grp: 'a' | 'b' | 'r';
  soft: boolean;
  hard: boolean;
  topic: number;
}
const specArb = fc.record({
  lab: fc.constantFrom<OriginLabel>('human', 'human', 'synthetic', 'unknown'),
  grp: fc.constantFrom<'a' | 'b' | 'r'>('a', 'a', 'a', 'b', 'b', 'r'),
  soft: fc.boolean(),
  hard: fc.boolean(),
  topic: fc.integer({ min: 0, max: 5 }),
});

function scored(specs: Spec[]): Scored[] {
  return specs.map((sp, i) => {
    const text = `topic${sp.topic} words for record ${i} about subject ${sp.topic} and more`;
    const ruleFailures = [
      ...(sp.soft && i % 3 === 0 ? [{ code: 'mattr', hard: false }] : []),
      ...(sp.hard && i % 5 === 0 ? [{ code: 'dup_line_frac', hard: true }] : []),
    ];
    return {
      seq: i, id: `r${i}`, record: { id: `r${i}`, lab: sp.lab, grp: sp.grp, text }, features: feat(text), bytes: 100,
      pos: { file: 't', line: i + 1 }, dup: null, diversity: null,
      origin: { p_ai: null, by: 'declared', declared: sp.lab },
      ruleFailures,
    } as Scored;
  });
}

interface Setup {
  share: number;
  buffer: number;
  shardMax: number;
  unknownCountsAs: 'human' | 'synthetic';
  stratumShare: number;
  cluster: number;
}
const setupArb = fc.record({
  share: fc.constantFrom(0, 0.1, 0.2, 0.25, 0.5, 1),
  buffer: fc.integer({ min: 0, max: 20 }),
  shardMax: fc.integer({ min: 1, max: 40 }),
  unknownCountsAs: fc.constantFrom<'human' | 'synthetic'>('human', 'synthetic'),
  stratumShare: fc.constantFrom(1, 0.5, 0.4),
  cluster: fc.constantFrom(0, 3),
});

function route(specs: Spec[], st: Setup): Routed[] {
  const cfg = resolveConfig({
    route: {
      maxSyntheticShare: st.share, syntheticBuffer: st.buffer, unknownCountsAs: st.unknownCountsAs, minDocs: 0,
      balanceBy: 'grp', maxStratumShare: st.stratumShare, maxClusterSize: st.cluster,
      tail: { enabled: true, rareVocab: { enabled: false }, rareStratum: { enabled: true, field: 'grp', maxShare: 0.2 } },
    },
    output: { shardMaxRecords: st.shardMax },
  } as any);
  const r = new Router(cfg, { shards: true, labelOf: (_o, rec) => rec['lab'] as OriginLabel });
  const out: Routed[] = [];
  for (const s of scored(specs)) out.push(...r.push(s).done);
  out.push(...r.end());
  return out;
}

const countsSyn = (x: Routed, st: Setup) => !x.tail && (x.label === 'synthetic' || (x.label === 'unknown' && st.unknownCountsAs === 'synthetic'));

test('router invariants on random labelled streams', () => {
  fc.assert(
    fc.property(fc.array(specArb, { maxLength: 120 }), setupArb, (specs, st) => {
      const out = route(specs, st);
      // every input exactly once
      assert.deepEqual(out.map((x) => x.scored.seq).sort((a, b) => a - b), specs.map((_, i) => i));
      // every shard respects the cap at every prefix (so at every boundary and at the end)
      const shards = new Map<string, { n: number; syn: number }>();
      for (const x of out) {
        if (x.decision !== 'accept') continue;
        const s = shards.get(x.shard!) ?? { n: 0, syn: 0 };
        s.n++;
        if (countsSyn(x, st)) s.syn++;
        assert.ok(s.syn <= st.share * s.n + 1e-9, `cap broken in ${x.shard}: ${s.syn}/${s.n}`);
        assert.ok(s.n <= st.shardMax);
        shards.set(x.shard!, s);
      }
      // tail records are only ever rejected by hard rules
      for (const x of out) {
        if (x.tail && x.decision === 'reject') assert.ok(x.hard, `tail record rejected by ${x.reasons}`);
        if (x.tail) assert.notEqual(x.label, 'synthetic');
      }
      // deterministic
      const again = route(specs, st);
      assert.deepEqual(again.map((x) => [x.scored.id, x.decision, x.reasons, x.shard]), out.map((x) => [x.scored.id, x.decision, x.reasons, x.shard]));
    }),
    { numRuns: 400, seed: 1 },
  );
});

test('the quota is used: with an unbounded buffer, accepted synthetic = min(S, floor(share*H/(1-share)))', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom<OriginLabel>('human', 'synthetic'), { maxLength: 150 }), fc.constantFrom(0.1, 0.2, 0.25, 0.5), (labs, share) => {
      const specs: Spec[] = labs.map((lab) => ({ lab, grp: 'a', soft: false, hard: false, topic: 0 }));
      const cfg = resolveConfig({ route: { maxSyntheticShare: share, syntheticBuffer: 1000, minDocs: 0, tail: { enabled: false } } } as any);
      const r = new Router(cfg, { shards: false, labelOf: (_o, rec) => rec['lab'] as OriginLabel });
      const out: Routed[] = [];
      for (const s of scored(specs)) out.push(...r.push(s).done);
      out.push(...r.end());
      const H = labs.filter((l) => l === 'human').length;
      const S = labs.length - H;
      const accSyn = out.filter((x) => x.decision === 'accept' && x.label === 'synthetic').length;
      assert.equal(accSyn, Math.min(S, Math.floor((share * H) / (1 - share) + 1e-9)));
      for (const x of out) if (x.decision === 'reject') assert.deepEqual(x.reasons, ['synthetic_cap']);
    }),
    { numRuns: 300, seed: 2 },
  );
});

test('arrival order does not waste quota: synthetic first, humans later still fills the cap', () => {
  const specs: Spec[] = [
    ...Array.from({ length: 5 }, () => ({ lab: 'synthetic' as const, grp: 'a' as const, soft: false, hard: false, topic: 1 })),
    ...Array.from({ length: 20 }, () => ({ lab: 'human' as const, grp: 'a' as const, soft: false, hard: false, topic: 2 })),
  ];
  const cfg = resolveConfig({ route: { maxSyntheticShare: 0.2, minDocs: 0, tail: { enabled: false } } } as any);
  const r = new Router(cfg, { shards: false, labelOf: (_o, rec) => rec['lab'] as OriginLabel });
  const out: Routed[] = [];
  for (const s of scored(specs)) out.push(...r.push(s).done);
  out.push(...r.end());
  assert.equal(out.filter((x) => x.decision === 'accept' && x.label === 'synthetic').length, 5);
});

test('a full buffer rejects the lowest-priority synthetic record with synthetic_cap', () => {
  const cfg = resolveConfig({ route: { maxSyntheticShare: 0.5, syntheticBuffer: 1, minDocs: 0, tail: { enabled: false } } } as any);
  const r = new Router(cfg, { shards: false, labelOf: (_o, rec) => rec['lab'] as OriginLabel });
  const mk = (i: number, lab: OriginLabel, mattr: number): Scored => ({
    ...scored([{ lab, grp: 'a', soft: false, hard: false, topic: i }])[0]!, seq: i, id: `x${i}`,
    diversity: { metrics: { mattr }, lang: 'en', langConfidence: 1, mode: 'space' },
  });
  const done: Routed[] = [];
  done.push(...r.push(mk(0, 'synthetic', 0.9)).done); // no room yet: waits
  done.push(...r.push(mk(1, 'synthetic', 0.3)).done); // buffer over: lowest value (x1) goes
  assert.deepEqual(done.map((x) => [x.scored.id, x.decision, x.reasons]), [['x1', 'reject', ['synthetic_cap']]]);
  done.push(...r.push(mk(2, 'human', 0.5)).done); // human opens room for x0
  assert.deepEqual(done.slice(1).map((x) => [x.scored.id, x.decision]), [['x2', 'accept'], ['x0', 'accept']]);
});

test('maxWait bounds how long a synthetic record waits', () => {
  const cfg = resolveConfig({ route: { maxSyntheticShare: 0.2, maxWait: 3, minDocs: 0, tail: { enabled: false } } } as any);
  const r = new Router(cfg, { shards: false, labelOf: (_o, rec) => rec['lab'] as OriginLabel });
  const specs: Spec[] = Array.from({ length: 6 }, (_, i) => ({ lab: i === 0 ? 'synthetic' : 'synthetic', grp: 'a', soft: false, hard: false, topic: i }));
  const out: Routed[] = [];
  for (const s of scored(specs)) out.push(...r.push(s).done);
  const first = out.find((x) => x.scored.seq === 0);
  assert.ok(first, 'record 0 was finalised before end of stream');
  assert.deepEqual(first!.reasons, ['synthetic_cap']);
});
