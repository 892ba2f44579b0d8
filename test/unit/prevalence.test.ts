import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/score/origin/model.js';
import {
  ShareAccumulator,
  expectedSynthetic,
  quantificationParams,
  thresholdFor,
  type QuantificationParams,
} from '../../src/score/origin/prevalence.js';
import { referenceOf, type QuantMethod } from '../../src/score/origin/quantify.js';

/**
 * Synthetic score distributions: human p_ai = shift + 0.6·u², machine p_ai = 1 - 0.6·u² - shift, u uniform, drawn at
 * stratified quantiles and rounded to multiples of 1/1024 (sums are then exact in any order). Three "sources"
 * differ by their shift, like the detector's held-out sources do.
 */
const q = (x: number): number => Math.round(x * 1024) / 1024;
function human(n: number, shift = 0, offset = 0.5): number[] {
  return Array.from({ length: n }, (_, i) => q(shift + 0.6 * ((i + offset) / n) ** 2));
}
function machine(n: number, shift = 0, offset = 0.5): number[] {
  return Array.from({ length: n }, (_, i) => q(1 - shift - 0.6 * ((i + offset) / n) ** 2));
}
const SHIFTS = [-0.03, 0, 0.03];

function paramsFor(method: QuantMethod, operatingPoints: Record<string, number> = {}): QuantificationParams {
  const sources = SHIFTS.map((s, i) => referenceOf(`src${i}`, human(2000, Math.max(0, s)), machine(2000, Math.max(0, -s)), 0.5, 20));
  return quantificationParams({ quantification: { version: 1, method, accThreshold: 0.5, bins: 20, sources, operatingPoints } })!;
}

/** A set of n scored undeclared records with prevalence prev (interleaved so any split mixes both classes). */
function mixture(n: number, prev: number, offset = 0.37): number[] {
  const nAi = Math.round(prev * n);
  const a = machine(nAi, 0, offset);
  const h = human(n - nAi, 0, offset);
  const out: number[] = [];
  for (let i = 0; i < Math.max(a.length, h.length); i++) {
    if (i < a.length) out.push(a[i]!);
    if (i < h.length) out.push(h[i]!);
  }
  return out;
}

function estimateOf(params: QuantificationParams | null, ps: Array<number | null>, declared: Array<'human' | 'synthetic'> = []) {
  const acc = new ShareAccumulator(params);
  for (const p of ps) acc.add(null, p);
  for (const d of declared) acc.add(d, null);
  return acc.estimate();
}

describe('synthetic-share estimator', () => {
  for (const method of ['pacc', 'acc', 'hdy', 'em'] as const) {
    it(`${method}: recovers known prevalences, with the truth inside the interval`, () => {
      const params = paramsFor(method);
      for (const prev of [0, 0.1, 0.3, 0.5, 0.76, 0.9, 1]) {
        const r = estimateOf(params, mixture(2000, prev));
        assert.ok(r.estimate, `${method} ${prev}`);
        const e = r.estimate!;
        assert.ok(Math.abs(e.value - prev) <= 0.05, `${method} prev ${prev}: value ${e.value}`);
        assert.ok(e.low <= prev && prev <= e.high, `${method} prev ${prev}: [${e.low}, ${e.high}]`);
        assert.ok(e.low <= e.value && e.value <= e.high && e.low >= 0 && e.high <= 1);
        assert.equal(r.method, method);
        assert.equal(r.undeclared, 1);
        assert.equal(r.abstained, 0);
      }
    });
  }

  it('edge cases 0 and 1: the interval reaches the boundary and stays narrow on the other side', () => {
    const params = paramsFor('pacc');
    const zero = estimateOf(params, mixture(3000, 0)).estimate!;
    assert.equal(zero.low, 0);
    assert.ok(zero.value <= 0.03 && zero.high < 0.2, JSON.stringify(zero));
    const one = estimateOf(params, mixture(3000, 1)).estimate!;
    assert.equal(one.high, 1);
    assert.ok(one.value >= 0.97 && one.low > 0.8, JSON.stringify(one));
  });

  it('the between-source spread widens the interval beyond sampling error', () => {
    const tight = quantificationParams({
      quantification: { version: 1, method: 'pacc', accThreshold: 0.5, bins: 20, sources: [0, 1, 2].map((i) => referenceOf(`s${i}`, human(2000), machine(2000), 0.5, 20)), operatingPoints: {} },
    });
    const set = mixture(2000, 0.5);
    const a = estimateOf(tight, set).estimate!;
    const b = estimateOf(paramsFor('pacc'), set).estimate!;
    assert.ok(b.high - b.low > a.high - a.low + 0.02, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  });

  it('declared records count exactly; undeclared fraction is reported', () => {
    const r = estimateOf(paramsFor('pacc'), [], ['synthetic', 'synthetic', 'synthetic', 'human', 'human', 'human', 'human', 'human', 'human', 'human']);
    assert.deepEqual(r.estimate, { value: 0.3, low: 0.3, high: 0.3 });
    assert.equal(r.estimate && r.method, 'declared');
    assert.equal(r.estimate && r.undeclared, 0);
    const mixed = estimateOf(paramsFor('pacc'), mixture(1000, 0), Array<'human'>(1000).fill('human'));
    assert.ok(mixed.estimate && mixed.undeclared === 0.5 && mixed.estimate.high < 0.1);
  });

  it('abstained records widen the interval (they may be anything)', () => {
    const params = paramsFor('pacc');
    const base = estimateOf(params, mixture(1000, 0.3)).estimate!;
    const r = estimateOf(params, [...mixture(1000, 0.3), ...Array<null>(250).fill(null)]);
    assert.ok(r.estimate);
    const e = r.estimate!;
    assert.ok(Math.abs(e.value - base.value) < 1e-6, 'abstained records take the scored records\' share as point');
    assert.ok(e.low < base.low * (1000 / 1250) + 1e-6 && e.high >= (base.high * 1000 + 250) / 1250 - 1e-6, JSON.stringify(e));
    assert.equal(r.abstained, 0.2);
  });

  it('all abstained: the whole range, low confidence', () => {
    const r = estimateOf(paramsFor('pacc'), Array<null>(40).fill(null));
    assert.ok(r.estimate);
    assert.deepEqual(r.estimate, { value: 0.5, low: 0, high: 1 });
    assert.equal(r.estimate && r.confidence, 'low');
    assert.equal(r.estimate && r.abstained, 1);
  });

  it('empty set: null with a reason', () => {
    const r = new ShareAccumulator(paramsFor('pacc')).estimate();
    assert.equal(r.estimate, null);
    assert.equal(typeof (r as { reason: string }).reason, 'string');
    assert.ok((r as { reason: string }).reason.length > 0);
  });

  it('without parameters: unadjusted, interval all-human .. all-machine, low confidence', () => {
    const r = estimateOf(null, [0.2, 0.4, 0.6, 0.8].flatMap((p) => Array<number>(20).fill(p)));
    assert.ok(r.estimate);
    assert.deepEqual(r.estimate, { value: 0.5, low: 0, high: 1 });
    assert.equal(r.estimate && r.method, 'unadjusted');
    assert.equal(r.estimate && r.confidence, 'low');
  });

  it('merge of parts == adding everything to one', () => {
    const params = paramsFor('hdy');
    const ps: Array<number | null> = [...mixture(900, 0.4), ...Array<null>(37).fill(null)];
    const decl: Array<'human' | 'synthetic' | null> = ps.map((_, i) => (i % 11 === 0 ? 'synthetic' : i % 13 === 0 ? 'human' : null));
    const whole = new ShareAccumulator(params);
    const parts = [0, 1, 2].map(() => new ShareAccumulator(params));
    ps.forEach((p, i) => {
      const d = decl[i]!;
      whole.add(d, d ? null : p);
      parts[(i * 7) % 3]!.add(d, d ? null : p);
    });
    parts[0]!.merge(parts[1]!);
    parts[0]!.merge(parts[2]!);
    assert.deepEqual(parts[0]!.estimate(), whole.estimate());
    assert.deepEqual(parts[0]!.toJSON(), whole.toJSON());
  });

  it('fromJSON(toJSON) round-trips; malformed state is refused', () => {
    const params = paramsFor('pacc');
    const a = new ShareAccumulator(params);
    for (const p of mixture(500, 0.2)) a.add(null, p);
    a.add('human', null);
    a.add(null, null);
    const j = JSON.parse(JSON.stringify(a.toJSON()));
    const b = ShareAccumulator.fromJSON(params, j);
    assert.deepEqual(b.estimate(), a.estimate());
    assert.deepEqual(b.toJSON(), a.toJSON());
    assert.throws(() => ShareAccumulator.fromJSON(params, { ...j, hist: j.hist.slice(1) }), /malformed/);
    assert.throws(() => ShareAccumulator.fromJSON(params, { ...j, n: -1 }), /malformed/);
    assert.throws(() => ShareAccumulator.fromJSON(params, null), /malformed/);
  });

  it('expectedSynthetic: the prior for abstentions, rising with the score and with the prior', () => {
    const params = paramsFor('pacc');
    assert.equal(expectedSynthetic(params, null, 0.3), 0.3);
    assert.equal(expectedSynthetic(params, 0.9, 0), 0);
    assert.equal(expectedSynthetic(params, 0.1, 1), 1);
    let prev = -1;
    for (let p = 0; p <= 1; p += 0.05) {
      const e = expectedSynthetic(params, p, 0.5);
      assert.ok(e >= prev - 1e-12 && e >= 0 && e <= 1, `p ${p}: ${e}`);
      prev = e;
    }
    assert.ok(expectedSynthetic(params, 0.05, 0.5) < 0.1 && expectedSynthetic(params, 0.95, 0.5) > 0.9);
    assert.ok(expectedSynthetic(params, 0.6, 0.2) < expectedSynthetic(params, 0.6, 0.8));
    // no parameters: p_ai's own odds
    assert.ok(Math.abs(expectedSynthetic(null, 0.8, 0.5) - 0.8) < 1e-9);
  });

  it('thresholdFor: raw thresholds and the model table', () => {
    const params = paramsFor('pacc', { 'fpr:0.01': 0.95, 'fpr:0.05': 0.87 });
    assert.equal(thresholdFor(params, 0.9), 0.9);
    assert.equal(thresholdFor(params, '0.75'), 0.75);
    assert.equal(thresholdFor(params, 'fpr:0.01'), 0.95);
    assert.equal(thresholdFor(params, 'fpr:0.05'), 0.87);
    assert.equal(thresholdFor(params, 'fpr:0.02'), null);
    assert.equal(thresholdFor(params, 1.5), null);
    assert.equal(thresholdFor(null, 'fpr:0.01'), null);
  });
});

describe('the shipped model\'s quantification parameters', () => {
  const params = quantificationParams(loadModel());
  it('are present, with per-source rates and the operating-point table', () => {
    assert.ok(params);
    assert.ok(params!.sources.length >= 4);
    for (const s of params!.sources) assert.ok(s.meanAi > s.meanHuman, s.name);
    for (const k of ['fpr:0.01', 'fpr:0.05']) {
      const t = thresholdFor(params, k);
      assert.ok(t !== null && t > 0.5 && t < 1, k);
    }
    assert.ok(thresholdFor(params, 'fpr:0.01')! >= thresholdFor(params, 'fpr:0.05')!);
  });
});

describe('low-confidence flag', () => {
  const sources = [0, 1, 2].map((i) => referenceOf(`s${i}`, human(2000), machine(2000), 0.5, 20));
  const params = quantificationParams({
    quantification: { version: 1, method: 'acc', accThreshold: 0.5, bins: 20, sources, operatingPoints: {}, maxFitDistance: 0.05 },
  })!;

  it('a set drawn from the validation distributions is ok', () => {
    const r = estimateOf(params, mixture(1000, 0.3));
    assert.ok(r.estimate);
    assert.equal(r.estimate && r.confidence, 'ok');
    assert.equal(r.estimate && r.lowConfidenceReason, undefined);
  });

  it('scores unlike every validation source (all in one narrow band) are flagged low, with the reason', () => {
    const r = estimateOf(params, Array.from({ length: 1000 }, (_, i) => 0.5 + (i % 10) / 1000));
    assert.ok(r.estimate);
    assert.equal(r.estimate && r.confidence, 'low');
    assert.match((r.estimate && r.lowConfidenceReason) || '', /unlike every validation source/);
  });

  it('too few scored records are flagged low', () => {
    const r = estimateOf(params, mixture(20, 0.5));
    assert.equal(r.estimate && r.confidence, 'low');
    assert.match((r.estimate && r.lowConfidenceReason) || '', /only 20/);
  });
});
