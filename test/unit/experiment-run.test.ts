/** Collapse experiment plumbing: a 2-generation run over a tiny corpus, determinism, the html and the CLI. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CONDITIONS, METRICS, Rng, renderHtml, runCollapse, type CollapseOptions, type CollapseResult } from '../../experiments/collapse/index.js';
import { ROOT, tmp } from '../helpers.js';

/** Texts from a small seeded "grammar": a skewed vocabulary, so that n-grams repeat and a tail exists. */
function tinyCorpus(n: number, seed = 3, minSents = 1): string[] {
  const rng = new Rng(seed, 'tiny-corpus');
  const nouns = Array.from({ length: 120 }, (_, i) => `noun${i}`);
  const verbs = Array.from({ length: 40 }, (_, i) => `verb${i}`);
  const adjs = Array.from({ length: 60 }, (_, i) => `adj${i}`);
  const pick = (xs: string[]) => xs[Math.floor(xs.length * rng.next() ** 2.5)]!;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const sents: string[] = [];
    const ns = minSents + rng.int(3);
    for (let s = 0; s < ns; s++) sents.push(`the ${pick(adjs)} ${pick(nouns)} ${pick(verbs)} a ${pick(nouns)}${rng.next() < 0.3 ? ` with ${pick(nouns)}` : ''}.`);
    out.push(sents.join(' '));
  }
  return out;
}

const SMALL: CollapseOptions = {
  generations: 2,
  seed: 11,
  origin: 'declared',
  humanTexts: tinyCorpus(260),
  humanSource: 'test',
  heldOut: 60,
  gen0Train: 120,
  freshBatch: 20,
  samplesPerGen: 120,
  topK: 5,
  temperature: 0.8,
  maxLen: 40,
  minTokens: 3,
  klAlpha: 0.1,
  rareMaxCount: 5,
  // the toy grammar is repetitive by construction: keep diversity rules out of this plumbing test
  filterOverrides: { diversity: { enabled: false } },
};

let first: CollapseResult | undefined;
async function small(): Promise<CollapseResult> {
  first ??= await runCollapse(SMALL);
  return first;
}

test('2-generation run: JSON shape and per-condition plumbing', async () => {
  const r = await small();
  assert.deepEqual(Object.keys(r.conditions), ['replace', 'mix', 'synthfilter']);
  for (const c of CONDITIONS) {
    const rows = r.conditions[c];
    assert.deepEqual(rows.map((x) => x.gen), [0, 1, 2], c);
    for (const row of rows) {
      for (const m of METRICS) assert.ok(Number.isFinite(row[m.key]), `${c} gen ${row.gen} ${m.key} = ${row[m.key]}`);
      assert.ok(row.perplexity > 1);
      for (const k of ['tail_coverage', 'distinct2', 'synthetic_share'] as const) assert.ok(row[k] >= 0 && row[k] <= 1, `${k} in [0,1]`);
      assert.ok(row.kl >= 0);
    }
  }
  // gen 0 is shared
  assert.deepEqual(r.conditions.mix[0], r.conditions.replace[0]);
  assert.deepEqual(r.conditions.synthfilter[0], r.conditions.replace[0]);
  assert.equal(r.conditions.replace[0]!.synthetic_share, 0);
  assert.equal(r.conditions.replace[0]!.train_docs, SMALL.gen0Train);
  // replace: only the previous samples
  assert.equal(r.conditions.replace[1]!.synthetic_share, 1);
  assert.equal(r.conditions.replace[2]!.train_docs, SMALL.samplesPerGen);
  // mix: fresh batch + every previous sample
  assert.equal(r.conditions.mix[1]!.train_docs, SMALL.freshBatch + SMALL.samplesPerGen);
  assert.equal(r.conditions.mix[2]!.train_docs, SMALL.freshBatch + 2 * SMALL.samplesPerGen);
  assert.equal(r.conditions.mix[2]!.synthetic_share, Math.round((240 / 260) * 1e6) / 1e6);
  // synthfilter: same candidates as mix, curated; the synthetic cap (0.2 by default) holds
  for (const row of r.conditions.synthfilter.slice(1)) {
    const f = row.filter!;
    assert.equal(f.in, SMALL.freshBatch + row.gen * SMALL.samplesPerGen);
    assert.equal(f.accepted, row.train_docs);
    assert.ok(row.synthetic_share <= 0.2 + 1e-9, `synthetic share ${row.synthetic_share}`);
    assert.equal(f.labelsOfSynthetic.synthetic, row.gen * SMALL.samplesPerGen, 'declared labels reach the router');
    assert.ok((f.reasons['synthetic_cap'] ?? 0) > 0);
  }
  assert.equal(r.config['origin_signal'], 'declared');
  assert.match(String(r.config['synthfilter_path']), /^filterRecords/);
  // the tiny corpus collapses under replace: the samples lose types
  assert.ok(r.conditions.replace[2]!.vocab < r.conditions.replace[0]!.vocab);
});

test('deterministic: same seed, same JSON; another seed differs', async () => {
  const a = await small();
  const b = await runCollapse(SMALL);
  assert.equal(JSON.stringify(b), JSON.stringify(a));
  const c = await runCollapse({ ...SMALL, seed: 12, generations: 1 });
  assert.notEqual(JSON.stringify(c.conditions.replace[1]), JSON.stringify(a.conditions.replace[1]));
});

test('html: self-contained, one chart per metric with one line per condition and a legend', async () => {
  const html = renderHtml(await small());
  const charts = html.match(/<svg[^>]*class="chart"[\s\S]*?<\/svg>/g) ?? [];
  assert.equal(charts.length, METRICS.length);
  METRICS.forEach((m, i) => {
    const svg = charts[i]!;
    assert.match(svg, new RegExp(`data-metric="${m.key}"`));
    for (const c of CONDITIONS) {
      assert.equal((svg.match(new RegExp(`class="series" data-condition="${c}"`, 'g')) ?? []).length, 1, `${m.key}: one ${c} line`);
      assert.match(svg, new RegExp(`class="lg">${c}<`), `${m.key}: legend names ${c}`);
    }
  });
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link /);
  assert.match(html, /Origin signal for the synthfilter condition: declared/);
});

test('CLI: --human FILE.jsonl.gz, small sizes, writes collapse.json and collapse.html, summary on stdout', () => {
  const dir = tmp('sf-collapse-');
  const file = join(dir, 'human.jsonl.gz');
  const rows = tinyCorpus(200, 5, 2).map((text, i) => JSON.stringify({ id: i, text, label: i % 10 === 0 ? 'ai' : 'human' }));
  writeFileSync(file, gzipSync(rows.join('\n') + '\n'));
  const out = join(dir, 'out');
  // the tiny corpus has short texts: relax Gopher's 50-word minimum for it (the real run uses the defaults)
  const cfgFile = join(dir, 'sf.json');
  writeFileSync(cfgFile, JSON.stringify({ diversity: { rules: { word_count: { enabled: false, min: 50, max: 100000, hard: false } } } }));
  const args = ['--import', 'tsx', join(ROOT, 'scripts/experiment-collapse.ts'), '--human', file, '--out', out, '--generations', '1', '--seed', '2', '--config', cfgFile,
    '--held-out', '40', '--gen0', '80', '--fresh', '15', '--samples', '60', '--top-k', '5', '--max-len', '40'];
  const p = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(p.status, 0, p.stderr);
  assert.ok(existsSync(join(out, 'collapse.html')));
  const j = JSON.parse(readFileSync(join(out, 'collapse.json'), 'utf8')) as CollapseResult;
  assert.equal(j.conditions.synthfilter.length, 2);
  assert.equal(j.config['human_texts_used'], 180, 'rows labelled "ai" are not human text');
  assert.match(p.stdout, /^metric\tgen0\treplace@1\tmix@1\tsynthfilter@1\n/);
  assert.match(p.stderr, /gen 1/);
  const bad = spawnSync(process.execPath, [...args.slice(0, 3), '--origin', 'nope'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /--origin must be declared or detector/);
});
