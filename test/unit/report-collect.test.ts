import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from '../../src/config/index.js';
import { EXAMPLES_PER_REASON, MAX_STRATA, METRIC_BINS, NightStats, OTHER_STRATA, P_AI_BINS, metricRange, metricSpecs, type NightData } from '../../src/report/collect.js';
import type { ReasonCode } from '../../src/reasons.js';
import type { Annotation, Outcome } from '../../src/types.js';

const cfg = resolveConfig({ route: { balanceBy: 'meta.domain' } });
const FILES = [
  { path: '/in/a.jsonl', name: 'a.jsonl' },
  { path: '/in/b.jsonl', name: 'b.jsonl' },
];

/** A deterministic mix of outcomes over two files and three domains: every decision, declared and undeclared. */
function outcomes(n: number, seed = 7): Outcome[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: Outcome[] = [];
  for (let i = 0; i < n; i++) {
    const u = rnd();
    const decision: Annotation['decision'] = u < 0.1 ? 'quarantine' : u < 0.45 ? 'reject' : 'accept';
    const declared = rnd() < 0.3;
    const pAi = rnd() < 0.15 ? null : rnd();
    const reasons: ReasonCode[] = decision === 'quarantine' ? ['malformed_json'] : decision === 'reject' ? (rnd() < 0.5 ? ['exact_dup'] : (['dup_line_frac', 'top_2_gram', 'word_count'] as ReasonCode[]).slice(0, 1 + Math.floor(rnd() * 3))) : [];
    const annotation: Annotation = {
      decision,
      reasons,
      dup: { kind: null, of: null, similarity: null },
      diversity: decision === 'quarantine' ? {} : { word_count: Math.floor(rnd() * 800), dup_line_frac: rnd() * 0.6, top_2_gram: rnd() < 0.1 ? null : rnd() * 0.4 },
      origin: declared ? { p_ai: null, label: rnd() < 0.5 ? 'human' : 'synthetic', by: 'declared' } : { p_ai: pAi, label: 'unknown', by: pAi === null ? 'none' : 'detector', ...(pAi === null ? { reason: 'too_short' } : {}) },
      tail: decision === 'accept' && rnd() < 0.1,
      shard: decision === 'accept' ? 'shard-00000' : null,
    };
    out.push({ id: `r${i}`, record: decision === 'quarantine' ? null : { text: 'x', meta: { domain: ['news', 'forum', 'wiki'][i % 3] } }, annotation, pos: { file: FILES[i % 2]!.path, line: i + 1 }, bytes: 10 });
  }
  return out;
}

const collect = (outs: Outcome[]) => {
  const n = new NightStats(cfg, FILES, null);
  for (const o of outs) n.observe(o);
  return n;
};

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const values = (m: Record<string, number>) => sum(Object.values(m));

test('collector reconciles: per-file and per-stratum sums equal the totals, primary reasons sum to the rejected count', () => {
  const outs = outcomes(3000);
  const d = collect(outs).toJSON();
  const count = (dec: string) => outs.filter((o) => o.annotation.decision === dec).length;
  const total = { in: outs.length, kept: count('accept'), rejected: count('reject'), quarantined: count('quarantine') };
  for (const groups of [d.files, d.strata!.groups]) {
    for (const k of ['in', 'kept', 'rejected', 'quarantined'] as const) assert.equal(sum(groups.map((g) => g[k])), total[k], k);
    for (const g of groups) assert.equal(g.in, g.kept + g.rejected + g.quarantined);
    for (const g of groups) assert.equal(values(g.reasons), g.rejected);
  }
  assert.deepEqual(d.files.map((f) => f.file), ['a.jsonl', 'b.jsonl']);
  assert.deepEqual(d.strata!.groups.map((g) => g.value).sort(), ['(no value)', 'forum', 'news', 'wiki']);
  assert.equal(values(d.primary), total.rejected);
  // every rule matched: at least the primary count, and the sum of all reasons of rejected records
  assert.equal(values(d.matched), sum(outs.filter((o) => o.annotation.decision === 'reject').map((o) => o.annotation.reasons.length)));
  for (const [k, v] of Object.entries(d.primary)) assert.ok(d.matched[k]! >= v);
  assert.equal(values(d.quarantine_reasons), total.quarantined);
  assert.equal(sum(d.files.map((f) => f.tail_kept)), outs.filter((o) => o.annotation.tail && o.annotation.decision === 'accept').length);
  // examples: the first ids per primary reason, capped
  for (const [k, ids] of Object.entries(d.examples)) {
    const want = outs.filter((o) => o.annotation.decision === 'reject' && o.annotation.reasons[0] === k).slice(0, EXAMPLES_PER_REASON).map((o) => o.id);
    assert.deepEqual(ids, want);
  }
});

test('collector: p_ai by provenance, abstentions counted apart, metric histograms of enabled rules only', () => {
  const outs = outcomes(2000);
  const d = collect(outs).toJSON();
  const scored = outs.filter((o) => o.annotation.decision !== 'quarantine');
  const und = scored.filter((o) => o.annotation.origin.by !== 'declared');
  assert.equal(sum(d.p_ai.undeclared), und.filter((o) => o.annotation.origin.p_ai !== null).length);
  assert.equal(values(d.p_ai.abstained), und.filter((o) => o.annotation.origin.p_ai === null).length);
  assert.equal(d.p_ai.abstained['too_short'], values(d.p_ai.abstained));
  assert.equal(d.p_ai.declared_unscored, scored.length - und.length);
  assert.equal(d.p_ai.undeclared.length, P_AI_BINS);
  const enabled = metricSpecs(cfg).map((m) => m.name);
  assert.deepEqual(d.metrics.map((m) => m.name), enabled);
  assert.ok(!enabled.includes('mattr') && !enabled.includes('distinct_2'), 'disabled-by-default rules are not drawn');
  const top2 = d.metrics.find((m) => m.name === 'top_2_gram')!;
  assert.equal(top2.hist.length, METRIC_BINS + 1);
  assert.equal(sum(top2.hist) + top2.missing, scored.length);
  assert.equal(top2.missing, scored.filter((o) => o.annotation.diversity['top_2_gram'] === null).length);
  // a value beyond the axis lands in the overflow bin
  const wc = d.metrics.find((m) => m.name === 'word_count')!;
  assert.equal(wc.hist[METRIC_BINS], scored.filter((o) => (o.annotation.diversity['word_count'] as number) >= wc.hi).length);
});

test('collector merges: two halves merged equal one pass (and survive toJSON/fromJSON)', () => {
  const outs = outcomes(2500, 11);
  const whole = collect(outs).toJSON();
  const a = collect(outs.slice(0, 1200));
  const b = collect(outs.slice(1200));
  a.merge(NightStats.fromJSON(cfg, JSON.parse(JSON.stringify(b.toJSON())) as NightData, null));
  const merged = a.toJSON();
  const strip = (d: NightData) => ({ ...d, files: d.files.map(({ acc, share, ...g }) => g), strata: d.strata!.groups.map(({ acc, share, ...g }) => g).sort((x, y) => (x.value < y.value ? -1 : 1)), share_total: null });
  assert.deepEqual(strip(merged), strip({ ...whole, strata: { field: whole.strata!.field, groups: whole.strata!.groups } }));
  // the share estimates agree (sums of floats in another order: equal to 1e-9)
  merged.files.forEach((f, i) => {
    assert.ok(f.share && whole.files[i]!.share);
    assert.ok(Math.abs(f.share.value - whole.files[i]!.share!.value) < 1e-6);
  });
  assert.ok(Math.abs(merged.share_total!.value - whole.share_total!.value) < 1e-6);
});

test('collector: strata are bounded; values beyond the cap share one group and still reconcile', () => {
  const n = new NightStats(cfg, FILES, null);
  const base = outcomes(1)[0]!;
  for (let i = 0; i < MAX_STRATA + 50; i++) n.observe({ ...base, annotation: { ...base.annotation, decision: 'accept' }, record: { text: 'x', meta: { domain: `d${i}` } } });
  const d = n.toJSON();
  assert.equal(d.strata!.groups.length, MAX_STRATA + 1);
  assert.equal(d.strata!.groups.find((g) => g.value === OTHER_STRATA)!.in, 50);
  assert.equal(sum(d.strata!.groups.map((g) => g.in)), MAX_STRATA + 50);
});

test('metric ranges put the rule thresholds on the axis', () => {
  for (const r of [{ max: 0.3 }, { min: 0.8 }, { max: 0 }, { min: 3, max: 10 }, { min: 2 }, { max: 3 }, { min: 50, max: 100000 }]) {
    const { lo, hi } = metricRange(r);
    assert.ok(hi > lo);
    if (r.min !== undefined) assert.ok(r.min >= lo && r.min < hi, `min ${r.min} in [${lo}, ${hi})`);
    if (r.max !== undefined && r.max <= 1) assert.ok(r.max >= lo && r.max <= hi, `max ${r.max} in [${lo}, ${hi}]`);
  }
  assert.deepEqual(metricRange({ min: 50, max: 100000 }), { lo: 0, hi: 500 });
});
