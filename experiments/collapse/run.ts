/**
 * A collapse run: every condition (conditions.ts) and the reference values (reference.ts) for every seed, as
 * parallel jobs (jobs.ts), aggregated over seeds (stats.ts) into the collapse.json document.
 */
import { rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { CONDITIONS, type Condition, type ConditionRun } from './conditions.js';
import { runJobs } from './jobs.js';
import type { JobResult, JobSettings, JobSpec } from './job.js';
import type { SeedReference } from './reference.js';
import { REPORTED, aggregateConditions, judgeTargets, meanSd, type Claim, type Entry } from './stats.js';
import { round } from './generation.js';
import { FITTED_RULES, RULE_VARIANTS } from './settings.js';
import { curatedOverrides } from './conditions.js';

export interface CollapseOptions extends JobSettings {
  generations: number;
  seeds: number[];
  conditions: Condition[];
  humanTexts: string[];
  humanSource: string;
  /** jobs at a time (child processes); 1 runs them in this process */
  parallel: number;
  /** scratch folder for the jobs (clean's folders, detector corpora); removed at the end unless keepWork */
  workDir: string;
  keepWork?: boolean;
  log?: (msg: string) => void;
}

export const DEFAULTS = {
  generations: 10,
  seeds: [1, 2, 3],
  conditions: [...CONDITIONS],
  heldOut: 1000,
  gen0Train: 2500,
  freshBatch: 500,
  samplesPerGen: 2500,
  topK: 20,
  temperature: 0.9,
  maxLen: 120,
  minTokens: 8,
  klAlpha: 0.1,
  rareMaxCount: 5,
} satisfies Partial<CollapseOptions>;

type Spread = Record<string, number>;

export interface CollapseResult {
  /** per condition, one entry per generation: means over seeds and `_sd` spreads, and the cap in force */
  conditions: Partial<Record<Condition, Entry[]>>;
  /** the targets of the experiment, judged against the spread over seeds */
  targets: Claim[];
  references: { human_text: Spread; fresh_only: Spread; rule_costs: Array<Record<string, number | string>> };
  /** the raw rows of every seed (with what each night of clean did) */
  per_seed: Partial<Record<Condition, ConditionRun[]>>;
  config: Record<string, unknown>;
}

/** Mean and `_sd` of every numeric field over a list of objects of the same shape. */
function spreadOf(xs: ReadonlyArray<Record<string, unknown>>, keys: readonly string[]): Spread {
  const out: Spread = {};
  for (const k of keys) {
    const { mean, sd } = meanSd(xs.map((x) => x[k] as number));
    out[k] = round(mean);
    out[`${k}_sd`] = round(sd);
  }
  return out;
}

/** Longest jobs first, so that the last job to start is a short one. */
const WEIGHT: Record<Condition | 'reference', number> = { synthfilter_detector: 0, synthfilter_defaults: 1, synthfilter: 2, accumulate: 3, replace: 4, reference: 5 };

export async function runCollapse(o: CollapseOptions): Promise<CollapseResult> {
  const log = o.log ?? (() => {});
  const t0 = Date.now();
  mkdirSync(o.workDir, { recursive: true });
  const texts = join(o.workDir, 'human-texts.json');
  writeFileSync(texts, JSON.stringify(o.humanTexts));
  const settings: JobSettings = {
    heldOut: o.heldOut,
    gen0Train: o.gen0Train,
    freshBatch: o.freshBatch,
    generations: o.generations,
    maxLen: o.maxLen,
    minTokens: o.minTokens,
    rareMaxCount: o.rareMaxCount,
    samplesPerGen: o.samplesPerGen,
    topK: o.topK,
    temperature: o.temperature,
    klAlpha: o.klAlpha,
    ...(o.filterOverrides ? { filterOverrides: o.filterOverrides } : {}),
    ...(o.detectorToolArgs ? { detectorToolArgs: o.detectorToolArgs } : {}),
  };
  const specs: JobSpec[] = [];
  for (const what of [...o.conditions, 'reference' as const].sort((a, b) => WEIGHT[a] - WEIGHT[b])) {
    for (const seed of o.seeds) specs.push({ seed, what, settings, texts, workDir: join(o.workDir, `seed-${seed}`, what) });
  }
  log(`collapse: ${o.conditions.length} conditions x ${o.seeds.length} seeds x ${o.generations} generations, ${specs.length} jobs, ${o.parallel} at a time`);
  const results: JobResult[] = await runJobs(specs, o.parallel, log);

  const perSeed: Partial<Record<Condition, ConditionRun[]>> = {};
  const refs: SeedReference[] = [];
  for (const c of o.conditions) perSeed[c] = [];
  for (const r of results) {
    if (r.what === 'reference') refs.push(r.reference);
    else perSeed[r.what]!.push(r.run);
  }
  for (const runs of Object.values(perSeed)) runs.sort((a, b) => a.seed - b.seed);
  refs.sort((a, b) => a.seed - b.seed);
  const ruleCosts = Object.keys(RULE_VARIANTS).map((variant) => {
    const rows = refs.map((r) => r.rule_costs.find((x) => x.variant === variant)!);
    return { variant, ...spreadOf(rows as unknown as Array<Record<string, unknown>>, ['human_kept', 'short_human_kept', 'human_kept_mean_len', 'human_mean_len', 'samples_kept']) };
  });
  const detectors = perSeed.synthfilter_detector?.map((r) => ({ seed: r.seed, ...r.detector })) ?? [];
  if (!o.keepWork) rmSync(o.workDir, { recursive: true, force: true });
  log(`collapse: done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return {
    conditions: aggregateConditions(perSeed),
    targets: judgeTargets(perSeed),
    references: {
      human_text: spreadOf(refs.map((r) => r.human_text as unknown as Record<string, unknown>), ['docs', 'tokens', 'tail_coverage', 'distinct_2', 'kl']),
      fresh_only: spreadOf(refs.map((r) => r.fresh_only as unknown as Record<string, unknown>), REPORTED),
      rule_costs: ruleCosts,
    },
    per_seed: perSeed,
    config: {
      generations: o.generations,
      seeds: o.seeds,
      statistics: 'every metric is the mean over seeds with its sample standard deviation (_sd); a target holds when mean ± sd lies on its side of the threshold, fails when it lies on the other side, and is "within spread" otherwise; a comparison holds (or fails) only when the means differ by more than the sum of the two sds',
      human_source: o.humanSource,
      held_out_docs: o.heldOut,
      gen0_train_docs: o.gen0Train,
      fresh_human_batch: o.freshBatch,
      samples_per_generation: o.samplesPerGen,
      model: "word trigram LM, interpolated Kneser-Ney (discounts n1/(n1+2n2) per order), lowest order interpolated with a uniform floor over the seed's fixed vocabulary (the unknown-word floor)",
      sampling: { top_k: o.topK, temperature: o.temperature, max_tokens: o.maxLen, note: '</s> banned at the first position (no empty samples)' },
      human_text_prep: `texts with >= ${o.minTokens} tokens, cut to <= ${o.maxLen} tokens (at a sentence end when possible); NFKC, lower case, words and single punctuation characters`,
      conditions: {
        replace: 'generation t trains on the samples of generation t-1 only',
        accumulate: `generation t trains on everything so far, unfiltered: the generation-0 human texts, fresh human batches 1..t (${o.freshBatch} each) and the samples of generations 0..t-1`,
        synthfilter: 'the accumulating stream, each generation\'s new files cleaned by one night of `synthfilter clean` (runClean) over a growing folder with persistent state; provenance declared (meta.source); quality rules fitted to the corpus; the model trains on everything kept so far',
        synthfilter_defaults: 'as synthfilter, with synthfilter\'s default quality rules',
        synthfilter_detector: 'as synthfilter, without provenance: origin.model points at a detector trained with the project\'s training tool on generation-0 samples vs the generation-0 human training texts; its threshold, humanThreshold and minWords are the ones the tool chose',
      },
      synthfilter_overrides: Object.fromEntries(o.conditions.filter((c) => c.startsWith('synthfilter') && c !== 'synthfilter_detector').map((c) => [c, curatedOverrides(c, o.generations)])),
      fitted_rules: FITTED_RULES,
      filter_overrides: o.filterOverrides ?? null,
      detector_tool_args: o.detectorToolArgs ?? [],
      detectors,
      metrics: {
        perplexity: 'exp(mean -ln P) per token (+ </s> per doc) of the held-out human docs under the model',
        tail_coverage: `share of rare held-out types (count 1..${o.rareMaxCount} in the held-out docs) that occur at least once in the generation's ${o.samplesPerGen} samples`,
        tail_vocab: 'share of the same rare types that occur in the model\'s training data',
        distinct_2: 'distinct token bigrams / token bigrams over the generation\'s samples',
        kl: `KL(P_heldout || Q_samples) in nats over the vocabulary (+<unk>), Q add-${o.klAlpha} smoothed`,
        synthetic_share: 'true share of model-written documents in the training set',
        train_docs: 'documents the generation trained on',
        detector_auroc: 'synthfilter_detector: AUROC of the detector\'s p_ai, the night\'s samples vs its human records, over the records it judged',
      },
    },
  };
}
