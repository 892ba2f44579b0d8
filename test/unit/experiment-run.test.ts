/** Collapse experiment v2: statistics over seeds, the targets' verdicts, the html and the CLI (child-process jobs). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { METRICS, aggregate, auroc, judgeTargets, meanSd, renderHtml, type CollapseResult, type ConditionRow, type ConditionRun } from '../../experiments/collapse/index.js';
import { ROOT, tmp } from '../helpers.js';
import { tinyCorpus } from './experiment-corpus.js';

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) <= eps, `${a} != ${b}`);

function row(gen: number, v: Partial<ConditionRow>): ConditionRow {
  return { gen, perplexity: 100, tail_coverage: 0.5, distinct_2: 0.5, kl: 1, synthetic_share: 0, train_docs: 10, tail_vocab: 0.5, train_tokens: 100, vocab: 10, mean_sample_len: 10, mean_train_len: 10, cap: null, ...v };
}
const run = (condition: ConditionRun['condition'], seed: number, rows: ConditionRow[]): ConditionRun => ({ condition, seed, rows });

test('meanSd and auroc: hand-computed', () => {
  const a = meanSd([1, 2, 3, 6]);
  close(a.mean, 3);
  close(a.sd, Math.sqrt(14 / 3));
  assert.deepEqual(meanSd([5]), { mean: 5, sd: 0 });
  close(auroc([0.9, 0.8, 0.3, 0.1], [1, 1, 0, 0]), 1);
  close(auroc([0.9, 0.8, 0.3, 0.1], [0, 0, 1, 1]), 0);
  // one tie between a positive and a negative counts one half: (1 + 1 + 0.5 + 1) / 4
  close(auroc([0.9, 0.5, 0.5, 0.1], [1, 1, 0, 0]), 0.875);
  assert.ok(Number.isNaN(auroc([1, 2], [1, 1])));
});

test('aggregate: per generation mean and sd over seeds, cap carried', () => {
  const runs = [1, 2, 3].map((s) => run('synthfilter', s, [row(0, { tail_coverage: 0.1 * s, cap: 0.2 }), row(1, { tail_coverage: 0.2 * s, perplexity: 100 * s, cap: 0.2 })]));
  const e = aggregate(runs);
  assert.equal(e.length, 2);
  assert.equal(e[1]!.generation, 1);
  close(e[1]!.tail_coverage, 0.4);
  close(e[1]!.tail_coverage_sd, 0.2);
  close(e[1]!.perplexity, 200);
  close(e[1]!.perplexity_sd, 100);
  assert.equal(e[1]!.cap, 0.2);
  assert.equal(e[1]!.seeds, 3);
  for (const k of ['generation', 'tail_coverage', 'tail_coverage_sd', 'perplexity', 'perplexity_sd', 'distinct_2', 'distinct_2_sd', 'kl', 'kl_sd', 'synthetic_share', 'synthetic_share_sd', 'train_docs', 'train_docs_sd', 'cap']) assert.ok(k in e[0]!, k);
});

test('targets: a verdict only where the difference exceeds the spread', () => {
  const mk = (c: ConditionRun['condition'], tails: number[], ppls: number[], syn = 0) =>
    tails.map((t, i) => run(c, i + 1, [row(0, { tail_coverage: 0.1, perplexity: 100, cap: 0.2 }), row(1, { tail_coverage: t, perplexity: ppls[i]!, synthetic_share: syn, cap: 0.2 })]));
  const claims = judgeTargets({
    synthfilter: mk('synthfilter', [0.099, 0.1, 0.101], [101, 102, 103]), // ratio 1.0 ± 0.01: holds; ppl 1.02 ± 0.01: holds
    accumulate: mk('accumulate', [0.05, 0.1, 0.15], [101, 102, 103]), // tail 0.1 ± 0.05: within spread of synthfilter
    replace: mk('replace', [0.05, 0.05, 0.05], [90, 100, 110]), // tail 0.5: holds; ppl 1.0 ± 0.1: fails
    synthfilter_detector: mk('synthfilter_detector', [0.08, 0.1, 0.12], [100, 100, 100], 0.35), // share - cap = 0.15: fails
  });
  const v = (re: RegExp) => claims.find((c) => re.test(c.claim))!.verdict;
  assert.equal(v(/^synthfilter: tail/), 'holds');
  assert.equal(v(/^synthfilter: perplexity/), 'holds');
  assert.equal(v(/accumulate: tail/), 'within spread');
  assert.equal(v(/accumulate: perplexity/), 'within spread');
  assert.equal(v(/^replace collapses: tail/), 'holds');
  assert.equal(v(/^replace collapses: perplexity/), 'fails');
  assert.equal(v(/synthetic share - cap/), 'fails');
  assert.equal(v(/synthfilter_detector: tail/), 'within spread'); // 1.0 ± 0.2 straddles 0.9
});

test('CLI: small run over 2 seeds in child processes; collapse.json schema; html with one chart per metric, bands, no network', () => {
  const dir = tmp('sf-collapse-cli-');
  const file = join(dir, 'human.jsonl.gz');
  const rows = tinyCorpus(260, 5, 2).map((text, i) => JSON.stringify({ id: i, text, label: i % 10 === 0 ? 'ai' : 'human' }));
  writeFileSync(file, gzipSync(rows.join('\n') + '\n'));
  const out = join(dir, 'out');
  const cfgFile = join(dir, 'sf.json');
  // the toy grammar is repetitive by construction: its texts would fail the repetition rules
  writeFileSync(cfgFile, JSON.stringify({ diversity: { enabled: false } }));
  const args = ['--import', 'tsx', join(ROOT, 'scripts/experiment-collapse.ts'), '--human', file, '--out', out, '--generations', '2', '--seeds', '2', '--jobs', '2', '--config', cfgFile,
    '--conditions', 'replace,accumulate,synthfilter', '--held-out', '40', '--gen0', '80', '--fresh', '15', '--samples', '40', '--top-k', '5', '--max-len', '40'];
  const p = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
  assert.equal(p.status, 0, p.stderr);
  const j = JSON.parse(readFileSync(join(out, 'collapse.json'), 'utf8')) as CollapseResult;
  assert.deepEqual(Object.keys(j.conditions), ['replace', 'accumulate', 'synthfilter']);
  for (const [c, entries] of Object.entries(j.conditions)) {
    assert.deepEqual(entries!.map((e) => e.generation), [0, 1, 2], c);
    for (const e of entries!) {
      for (const k of ['tail_coverage', 'perplexity', 'distinct_2', 'kl', 'synthetic_share', 'train_docs']) {
        assert.ok(Number.isFinite(e[k as keyof typeof e]), `${c} ${k}`);
        assert.ok((e[`${k}_sd` as keyof typeof e] as number) >= 0, `${c} ${k}_sd`);
      }
      assert.equal(e.seeds, 2);
      assert.equal(e.cap, c === 'synthfilter' ? 0.2 : null);
    }
  }
  // gen 0 is shared by every condition of a seed
  assert.deepEqual(j.conditions.replace![0]!.perplexity, j.conditions.synthfilter![0]!.perplexity);
  assert.equal(j.per_seed.replace!.length, 2);
  assert.notEqual(j.per_seed.replace![0]!.rows[1]!.perplexity, j.per_seed.replace![1]!.rows[1]!.perplexity, 'seeds differ');
  assert.ok(j.conditions.replace![2]!.perplexity_sd > 0, 'a spread over 2 seeds');
  assert.ok(j.targets.some((t) => /^replace collapses/.test(t.claim)));
  assert.equal(j.references.rule_costs[0]!['variant'], 'defaults');
  assert.ok(!existsSync(join(out, 'work')), 'the scratch folder is removed');
  assert.match(p.stdout, /replace collapses: tail coverage at gen 2/);
  assert.match(p.stderr, /synthfilter seed 2 gen 2/);

  const html = readFileSync(join(out, 'collapse.html'), 'utf8');
  assert.equal(html, renderHtml(j));
  const charts = html.match(/<svg[^>]*class="chart"[\s\S]*?<\/svg>/g) ?? [];
  const charted = METRICS.filter((m) => m.key !== 'detector_auroc');
  assert.equal(charts.length, charted.length);
  charted.forEach((m, i) => {
    const svg = charts[i]!;
    assert.match(svg, new RegExp(`data-metric="${m.key}"`));
    assert.match(svg, />generation</);
    assert.match(svg, new RegExp(`rotate\\(-90\\)" class="al" text-anchor="middle">${m.axis.replace(/[()]/g, '\\$&')}<`));
    for (const c of ['replace', 'accumulate', 'synthfilter']) {
      assert.equal((svg.match(new RegExp(`class="series" data-condition="${c}"`, 'g')) ?? []).length, 1, `${m.key}: one ${c} line`);
      assert.equal((svg.match(new RegExp(`class="band" data-condition="${c}"`, 'g')) ?? []).length, 1, `${m.key}: one ${c} band`);
      assert.match(svg, new RegExp(`class="lg">${c}<`));
    }
  });
  assert.doesNotMatch(html, /<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link /);

  const bad = spawnSync(process.execPath, [...args.slice(0, 3), '--conditions', 'mix'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /unknown condition "mix"/);
  assert.doesNotMatch(bad.stderr, /\n\s+at /, 'no stack trace');
});
