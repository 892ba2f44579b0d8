import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runCli } from '../helpers.js';
import { loadModel } from '../../src/score/origin/model.js';
import { quantificationParams } from '../../src/score/origin/prevalence.js';

const fixture = fileURLToPath(new URL('../fixtures/origin-sample.jsonl', import.meta.url));

interface Annotated {
  synthfilter: { origin: { p_ai: number | null; label: string } };
}

async function labels(op: string): Promise<Array<{ p: number | null; label: string }>> {
  const r = await runCli(['score', '--set', `origin.operatingPoint=${op}`, fixture], null);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as Annotated).synthfilter.origin)
    .map((o) => ({ p: o.p_ai, label: o.label }));
}

describe('origin.operatingPoint on the CLI', () => {
  it('labels records synthetic at the operating point\'s threshold', async () => {
    const table = quantificationParams(loadModel())!.operatingPoints;
    const loose = await labels('fpr:0.1');
    const strict = await labels('0.999');
    for (const [rows, thr] of [[loose, table['fpr:0.1']!], [strict, 0.999]] as const) {
      for (const { p, label } of rows) {
        if (p === null) continue;
        assert.equal(label, p >= thr ? 'synthetic' : p < 0.5 ? 'human' : 'unknown', `p_ai ${p} at ${thr}`);
      }
    }
    // the fixture has machine texts between the two thresholds, so the setting must change some labels
    assert.ok(loose.filter((x) => x.label === 'synthetic').length > strict.filter((x) => x.label === 'synthetic').length);
  });

  it('an operating point the model has no threshold for: exit 2, the known ones named, no stack trace', async () => {
    const r = await runCli(['score', '--set', 'origin.operatingPoint=fpr:0.0333', fixture], null);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /origin\.operatingPoint/);
    assert.match(r.stderr, /fpr:0\.01/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});
