/** Collapse experiment v2: the conditions' training sets on a tiny corpus (small generations, seconds). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { NightlyClean, detokenize, runCondition, splitData, type ConditionOptions, type Doc, type SplitSizes } from '../../experiments/collapse/index.js';
import { tmp } from '../helpers.js';
import { tinyCorpus } from './experiment-corpus.js';

const SIZES: SplitSizes = { heldOut: 60, gen0Train: 120, freshBatch: 20, generations: 3, maxLen: 40, minTokens: 3, rareMaxCount: 5 };
const data = () => splitData(tinyCorpus(300), 11, SIZES);
const opts = (workDir: string, extra: Partial<ConditionOptions> = {}): ConditionOptions => ({
  generations: 3,
  samplesPerGen: 60,
  topK: 5,
  temperature: 0.8,
  maxLen: 40,
  klAlpha: 0.1,
  workDir,
  // the toy grammar is repetitive by construction: its texts would fail the repetition rules
  filterOverrides: { diversity: { enabled: false } },
  ...extra,
});

test('accumulate: the training set grows and holds every earlier sample and every fresh batch', async () => {
  const d = data();
  const seen: Array<{ gen: number; ids: Set<string> }> = [];
  const run = await runCondition(d, 'accumulate', opts(tmp('sf-collapse-acc-'), { onTrain: (gen, train) => seen.push({ gen, ids: new Set(train.map((x) => x.id)) }) }));
  assert.deepEqual(seen.map((s) => s.gen), [1, 2, 3]);
  for (const { gen, ids } of seen) {
    const expected = SIZES.gen0Train + gen * SIZES.freshBatch + gen * 60;
    assert.equal(ids.size, expected, `gen ${gen}: gen-0 human + ${gen} fresh batches + ${gen} sample sets`);
    assert.equal(run.rows[gen]!.train_docs, expected);
    for (const h of d.gen0) assert.ok(ids.has(h.id));
    for (let g = 1; g <= gen; g++) for (const h of d.fresh(g)) assert.ok(ids.has(h.id), `fresh batch ${g} in gen ${gen}`);
    for (let i = 0; i < 60; i++) assert.ok(ids.has(`shared-g0-${i}`), 'gen-0 samples');
    for (let g = 1; g < gen; g++) for (let i = 0; i < 60; i++) assert.ok(ids.has(`accumulate-g${g}-${i}`), `samples of gen ${g} in gen ${gen}`);
    assert.ok(!ids.has(`accumulate-g${gen}-0`), 'not its own samples');
    assert.equal(run.rows[gen]!.synthetic_share, Math.round(((gen * 60) / expected) * 1e6) / 1e6);
  }
  assert.equal(run.rows[1]!.cap, null, 'nothing caps accumulate');
});

test('replace: only the previous generation\'s samples', async () => {
  const seen: string[][] = [];
  const run = await runCondition(data(), 'replace', opts(tmp('sf-collapse-rep-'), { generations: 2, onTrain: (_, train) => seen.push(train.map((x) => x.id)) }));
  assert.deepEqual(seen[0], Array.from({ length: 60 }, (_, i) => `shared-g0-${i}`));
  assert.deepEqual(seen[1], Array.from({ length: 60 }, (_, i) => `replace-g1-${i}`));
  assert.equal(run.rows[2]!.synthetic_share, 1);
});

test('synthfilter: one night of clean per generation over a growing folder, state kept across nights', async () => {
  const d = data();
  const dir = tmp('sf-collapse-sf-');
  const seen: string[][] = [];
  const run = await runCondition(d, 'synthfilter', opts(dir, { onTrain: (_, train) => seen.push(train.map((x) => x.id)) }));
  const nights = run.rows.slice(1).map((r) => r.night!);
  // night 1 reads three new files (gen-0 human, fresh batch 1, gen-0 samples); later nights only their two new ones
  assert.deepEqual(nights.map((n) => n.files), [3, 2, 2]);
  assert.deepEqual(nights.map((n) => n.in), [SIZES.gen0Train + SIZES.freshBatch + 60, SIZES.freshBatch + 60, SIZES.freshBatch + 60]);
  // everything kept so far: the training set only grows, and keeps earlier nights' records
  for (let g = 1; g < seen.length; g++) {
    assert.ok(seen[g]!.length > seen[g - 1]!.length);
    assert.deepEqual(seen[g]!.slice(0, seen[g - 1]!.length), seen[g - 1]);
  }
  for (const [i, r] of run.rows.slice(1).entries()) {
    assert.equal(r.train_docs, nights.slice(0, i + 1).reduce((a, n) => a + n.accepted, 0));
    assert.equal(r.cap, 0.2);
    // the cap holds night by night, so on everything kept too
    assert.ok(r.synthetic_share <= 0.2 + 1e-9, `synthetic share ${r.synthetic_share}`);
    assert.equal(r.night!.labels_of_synthetic.synthetic, r.gen === 1 ? 60 : 60, 'declared provenance reaches the router');
  }
  assert.ok((nights[0]!.reasons['synthetic_cap'] ?? 0) > 0);
  assert.deepEqual(readdirSync(join(dir, 'clean', 'out')).sort(), ['night-01', 'night-02', 'night-03']);
});

test('nightly clean: a second night skips processed files and deduplicates against what earlier nights kept', async () => {
  const d = data();
  const dir = tmp('sf-collapse-night-');
  const nightly = new NightlyClean({ dir, overrides: { diversity: { enabled: false } }, declareProvenance: true, vocab: d.vocab });
  const first = await nightly.night(1, [{ name: 'a.jsonl', docs: d.gen0.slice(0, 40) }]);
  assert.equal(first.files, 1);
  assert.equal(first.accepted, 40 - (first.reasons['exact_dup'] ?? 0) - (first.reasons['near_dup'] ?? 0));
  const keptAfter1 = nightly.kept.length;
  // night 2: a new file repeating 10 texts kept on night 1 under new ids, plus 20 new texts
  const repeats: Doc[] = nightly.kept.slice(0, 10).map((x, i) => ({ ...x, id: `again-${i}` }));
  const second = await nightly.night(2, [{ name: 'b.jsonl', docs: [...repeats, ...d.gen0.slice(40, 60)] }]);
  assert.equal(second.files, 1, 'a.jsonl was processed on night 1');
  assert.equal(second.in, 30);
  assert.ok((second.reasons['exact_dup'] ?? 0) >= 10, JSON.stringify(second.reasons));
  assert.ok(!nightly.kept.some((x) => x.id.startsWith('again-')));
  assert.equal(nightly.kept.length, keptAfter1 + second.accepted);
  // a third night with nothing new processes nothing
  const third = await nightly.night(3, []);
  assert.equal(third.files, 0);
  assert.equal(nightly.kept.length, keptAfter1 + second.accepted);
});

test('synthfilter_detector: the detector trains on gen-0 samples vs gen-0 human texts, never on held-out texts; no provenance field', async () => {
  const d = data();
  const dir = tmp('sf-collapse-det-');
  const run = await runCondition(d, 'synthfilter_detector', opts(dir, { generations: 1, detectorToolArgs: ['--scale', 'none', '--dim', '14', '--iters', '20'] }));
  const corpus = readFileSync(join(dir, 'detector', 'corpus', 'gen0.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { text: string; label: string });
  const text = (x: { ids: Int32Array }) => detokenize(d.vocab.decode(x.ids));
  const heldOut = new Set(d.heldOut.map((ids) => text({ ids })));
  const gen0 = new Set(d.gen0.map(text));
  assert.equal(corpus.filter((r) => r.label === 'human').length, SIZES.gen0Train);
  assert.equal(corpus.filter((r) => r.label === 'ai').length, 60);
  for (const r of corpus.filter((x) => x.label === 'human')) assert.ok(gen0.has(r.text), 'human side: gen-0 training texts only');
  for (const r of corpus) assert.ok(!heldOut.has(r.text) || gen0.has(r.text), `held-out text in the detector corpus: ${r.text}`);
  assert.ok(run.detector && run.detector.minWords > 0 && run.detector.threshold > 0);
  // records go to clean without meta.source: the label comes from the detector (or is unknown)
  const input = readFileSync(join(dir, 'clean', 'in', 'night-01', '2-samples-gen-0.jsonl'), 'utf8').split('\n')[0]!;
  assert.equal((JSON.parse(input) as Record<string, unknown>)['meta'], undefined);
  const night = run.rows[1]!.night!;
  assert.equal(night.labels_of_synthetic.synthetic + night.labels_of_synthetic.human + night.labels_of_synthetic.unknown, 60);
  assert.ok(typeof night.detector_judged === 'number');
});
