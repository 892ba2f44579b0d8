import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveConfig } from '../../src/config/index.js';
import { effectiveThreshold, ORIGIN_DEFAULTS } from '../../src/score/origin/index.js';
import { loadModel } from '../../src/score/origin/model.js';
import { quantificationParams } from '../../src/score/origin/prevalence.js';
import { SynthfilterError } from '../../src/errors.js';

describe('origin.operatingPoint', () => {
  it('config accepts null, a raw threshold (number or string) and "fpr:<rate>"; rejects the rest', () => {
    for (const v of [null, 0.9, '0.9', 'fpr:0.01', 'fpr:0.05']) {
      const c = resolveConfig({ origin: { operatingPoint: v } });
      assert.deepEqual((c.origin as Record<string, unknown>).operatingPoint, v);
    }
    for (const v of [1.5, -0.1, 'fpr:', 'fpr:abc', 'high', true, [0.9]]) {
      assert.throws(() => resolveConfig({ origin: { operatingPoint: v } }), /origin\.operatingPoint: must/, JSON.stringify(v));
    }
  });

  it('resolves against the model table; null keeps origin.threshold', () => {
    assert.equal(effectiveThreshold({ ...ORIGIN_DEFAULTS, operatingPoint: null }), ORIGIN_DEFAULTS.threshold);
    assert.equal(effectiveThreshold({ ...ORIGIN_DEFAULTS, operatingPoint: 0.8 }), 0.8);
    assert.equal(effectiveThreshold({ ...ORIGIN_DEFAULTS, operatingPoint: '0.85' }), 0.85);
    const table = quantificationParams(loadModel())!.operatingPoints;
    assert.ok(Object.keys(table).length >= 2);
    for (const [k, t] of Object.entries(table)) assert.equal(effectiveThreshold({ ...ORIGIN_DEFAULTS, operatingPoint: k }), t);
  });

  it('an operating point the model has no threshold for is a configuration error naming the known ones', () => {
    assert.throws(
      () => effectiveThreshold({ ...ORIGIN_DEFAULTS, operatingPoint: 'fpr:0.0333' }),
      (e: unknown) => e instanceof SynthfilterError && e.code === 'E_CONFIG' && /fpr:0\.01/.test(e.message),
    );
  });
});
