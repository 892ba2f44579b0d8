/**
 * The model-collapse experiment: generation t+1 of a trigram LM trains on data built from generation t, under three
 * conditions side by side (same splits, same sampling seeds):
 *
 * - replace:     only the previous generation's samples;
 * - mix:         a small fresh human batch plus every sample of every previous generation, unlabelled, unfiltered;
 * - synthfilter: the same kind of input as mix (fresh human batch + all previous samples of its own chain), passed
 *                through synthfilter (`filterRecords`, defaults with every scorer on) before training.
 *
 * Generation 0 trains on the human training split and is shared by the three conditions. Held-out human documents
 * never enter training and serve every metric.
 */
import { Rng } from './rng.js';
import { EOS, Vocab, detokenize, tokenize } from './tokenize.js';
import { TrigramKN } from './ngram.js';
import { distinctN, perplexity, rareTypes, tailCoverage, unigramCounts, unigramKL } from './metrics.js';
import { HUMAN_SOURCE, makeCurator, modelSource, type CurateStats, type OriginSignal } from './curate.js';
import type { JsonRecord } from '../../src/index.js';

export const CONDITIONS = ['replace', 'mix', 'synthfilter'] as const;
export type Condition = (typeof CONDITIONS)[number];

/** The metrics charted, in chart order, with their labels and direction. */
export const METRICS = [
  { key: 'perplexity', label: 'Held-out perplexity (log scale)', better: 'lower', log: true },
  { key: 'tail_coverage', label: 'Tail coverage: rare held-out types in samples', better: 'higher', log: false },
  { key: 'distinct2', label: 'Distinct-2 of samples', better: 'higher', log: false },
  { key: 'kl', label: 'Unigram KL(held-out || samples), nats', better: 'lower', log: false },
  { key: 'synthetic_share', label: 'Synthetic share of the training set', better: 'lower', log: false },
] as const;
export type MetricKey = (typeof METRICS)[number]['key'];

export interface GenRow {
  gen: number;
  perplexity: number;
  tail_coverage: number;
  distinct2: number;
  kl: number;
  synthetic_share: number;
  /** share of rare held-out types the model saw in training (> unknown-word floor) */
  tail_vocab: number;
  train_docs: number;
  train_tokens: number;
  /** distinct types in the training data */
  vocab: number;
  sample_tokens: number;
  mean_sample_len: number;
  /** synthfilter condition only: what the filter did to this generation's candidates */
  filter?: CurateStats;
}

export interface CollapseOptions {
  generations: number;
  seed: number;
  origin: OriginSignal;
  /** raw human texts (already restricted to human-written ones) */
  humanTexts: string[];
  /** where they came from, for the record */
  humanSource: string;
  heldOut: number;
  gen0Train: number;
  freshBatch: number;
  samplesPerGen: number;
  topK: number;
  temperature: number;
  /** max tokens per document (human texts are cut, samples stop there) */
  maxLen: number;
  /** human texts with fewer tokens are dropped */
  minTokens: number;
  klAlpha: number;
  rareMaxCount: number;
  /** deep-merged over the synthfilter config overrides (tests) */
  filterOverrides?: Record<string, unknown>;
  log?: (msg: string) => void;
}

export const DEFAULTS: Omit<CollapseOptions, 'humanTexts' | 'humanSource'> = {
  generations: 10,
  seed: 1,
  origin: 'declared',
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
};

export interface CollapseResult {
  conditions: Record<Condition, GenRow[]>;
  config: Record<string, unknown>;
}

/** Cut a token list to at most `maxLen`, at the last sentence end when that keeps at least half of it. */
export function truncateTokens(tokens: string[], maxLen: number): string[] {
  if (tokens.length <= maxLen) return tokens;
  for (let i = maxLen - 1; i >= maxLen / 2; i--) if (tokens[i] === '.' || tokens[i] === '!' || tokens[i] === '?') return tokens.slice(0, i + 1);
  return tokens.slice(0, maxLen);
}

interface Doc {
  ids: Int32Array;
  synthetic: boolean;
  /** meta.source value */
  source: string;
}

const round = (x: number, d = 6) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

export async function runCollapse(opts: CollapseOptions): Promise<CollapseResult> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  // ---- data: tokenise, cut, split ----
  const tokenised: string[][] = [];
  for (const t of opts.humanTexts) {
    const toks = tokenize(t);
    if (toks.length >= opts.minTokens) tokenised.push(truncateTokens(toks, opts.maxLen));
  }
  new Rng(opts.seed, 'split').shuffle(tokenised);
  const need = opts.heldOut + opts.gen0Train + opts.freshBatch;
  if (tokenised.length < need) {
    throw new Error(`need at least ${need} human texts of >= ${opts.minTokens} tokens (held-out ${opts.heldOut} + gen-0 ${opts.gen0Train} + one fresh batch ${opts.freshBatch}); got ${tokenised.length}`);
  }
  const vocab = new Vocab();
  const encoded = tokenised.map((t) => vocab.encode(t));
  vocab.freeze();
  const heldOut = encoded.slice(0, opts.heldOut);
  const gen0 = encoded.slice(opts.heldOut, opts.heldOut + opts.gen0Train);
  const pool = encoded.slice(opts.heldOut + opts.gen0Train);
  const poolWraps = pool.length < opts.freshBatch * opts.generations;
  if (poolWraps) log(`note: fresh human pool (${pool.length}) is smaller than ${opts.generations} batches of ${opts.freshBatch}; batches wrap around`);
  const freshBatch = (gen: number): Doc[] => {
    const out: Doc[] = [];
    for (let i = 0; i < opts.freshBatch; i++) out.push({ ids: pool[((gen - 1) * opts.freshBatch + i) % pool.length]!, synthetic: false, source: HUMAN_SOURCE });
    return out;
  };
  const U = vocab.size;
  const refCounts = unigramCounts(heldOut, U);
  const rare = rareTypes(refCounts, opts.rareMaxCount);
  log(`data: ${tokenised.length} human texts (${opts.humanSource}); held-out ${heldOut.length}, gen-0 train ${gen0.length}, fresh pool ${pool.length}; vocabulary ${U - 3} types, ${rare.length} rare held-out types`);

  const curator = await makeCurator(opts.origin, opts.generations, opts.filterOverrides);
  for (const n of curator.notes) log(`synthfilter: ${n}`);
  log(`synthfilter: origin signal "${curator.signal}" via ${curator.path}`);

  const sampleOpts = { topK: opts.topK, temperature: opts.temperature, maxLen: opts.maxLen };
  const evaluate = (model: TrigramKN, train: Doc[], gen: number, stream = `gen-${gen}/sample`): { row: GenRow; samples: Doc[] } => {
    const rng = new Rng(opts.seed, stream);
    const samples: Doc[] = [];
    for (let i = 0; i < opts.samplesPerGen; i++) samples.push({ ids: model.sample(rng, sampleOpts), synthetic: true, source: modelSource(gen) });
    model.clearCaches();
    const sIds = samples.map((s) => s.ids);
    const sCounts = unigramCounts(sIds, U);
    const sampleTokens = sIds.reduce((a, d) => a + d.length, 0);
    const row: GenRow = {
      gen,
      perplexity: round(perplexity(model, heldOut), 3),
      tail_coverage: round(tailCoverage(rare, (w) => sCounts[w]! > 0)),
      distinct2: round(distinctN(sIds, 2)),
      // support: every id except <s> and </s> (<unk> included)
      kl: round(unigramKL(refCounts, sCounts, opts.klAlpha, 2)),
      synthetic_share: round(train.length ? train.filter((d) => d.synthetic).length / train.length : 0),
      tail_vocab: round(tailCoverage(rare, (w) => model.knows(w))),
      train_docs: train.length,
      train_tokens: model.trainTokens,
      vocab: model.vocabUsed - (model.knows(EOS) ? 1 : 0),
      sample_tokens: sampleTokens,
      mean_sample_len: round(sampleTokens / Math.max(1, samples.length), 2),
    };
    return { row, samples };
  };
  const train = (docs: Doc[]) => TrigramKN.train(docs.map((d) => d.ids), U);

  // ---- generation 0 (shared) ----
  const g0Docs: Doc[] = gen0.map((ids) => ({ ids, synthetic: false, source: HUMAN_SOURCE }));
  const g0 = evaluate(train(g0Docs), g0Docs, 0);
  const conditions: Record<Condition, GenRow[]> = { replace: [g0.row], mix: [{ ...g0.row }], synthfilter: [{ ...g0.row }] };
  log(`gen 0: ppl ${g0.row.perplexity.toFixed(1)} tail ${g0.row.tail_coverage.toFixed(3)} d2 ${g0.row.distinct2.toFixed(3)} kl ${g0.row.kl.toFixed(3)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  // references for reading the charts: human text itself (as many tokens as the gen-0 samples) and a model trained
  // on one fresh human batch alone (the data volume synthfilter keeps, without any synthetic record)
  const humanRef: Int32Array[] = [];
  for (let i = 0, n = 0; i < gen0.length && n < g0.row.sample_tokens; i++) {
    humanRef.push(gen0[i]!);
    n += gen0[i]!.length;
  }
  const hCounts = unigramCounts(humanRef, U);
  const freshOnlyDocs = freshBatch(1);
  const freshOnly = evaluate(train(freshOnlyDocs), freshOnlyDocs, 1, 'reference/fresh-only').row;
  const reference = {
    human_text: {
      docs: humanRef.length,
      tokens: humanRef.reduce((a, d) => a + d.length, 0),
      tail_coverage: round(tailCoverage(rare, (w) => hCounts[w]! > 0)),
      distinct2: round(distinctN(humanRef, 2)),
      kl: round(unigramKL(refCounts, hCounts, opts.klAlpha, 2)),
      note: 'gen-0 human training docs, as many tokens as the gen-0 samples, scored like samples',
    },
    fresh_human_only: {
      ...freshOnly,
      note: `a model trained on one fresh human batch (${opts.freshBatch} docs) alone, sampled and scored like a generation`,
    },
  };
  log(`reference: human text d2 ${reference.human_text.distinct2.toFixed(3)} kl ${reference.human_text.kl.toFixed(3)} tail ${reference.human_text.tail_coverage.toFixed(3)}; fresh-only model ppl ${freshOnly.perplexity.toFixed(1)}`);
  let replacePrev = g0.samples;
  const mixAcc: Doc[] = [...g0.samples];
  const sfAcc: Doc[] = [...g0.samples];
  let nextId = 0;
  const toRecord = (d: Doc): JsonRecord => {
    const rec: JsonRecord = { id: `x${nextId++}`, text: detokenize(vocab.decode(d.ids)) };
    if (opts.origin === 'declared') rec['meta'] = { source: d.source };
    return rec;
  };

  for (let gen = 1; gen <= opts.generations; gen++) {
    const tg = Date.now();
    const fresh = freshBatch(gen);
    // replace
    const rTrain = replacePrev;
    const r = evaluate(train(rTrain), rTrain, gen);
    conditions.replace.push(r.row);
    replacePrev = r.samples;
    // mix
    const mTrain = [...fresh, ...mixAcc];
    const m = evaluate(train(mTrain), mTrain, gen);
    conditions.mix.push(m.row);
    mixAcc.push(...m.samples);
    // synthfilter: same kind of input as mix, in a seeded order, curated
    const candidates = new Rng(opts.seed, `gen-${gen}/order`).shuffle([...fresh, ...sfAcc]);
    const byRecord = new Map<JsonRecord, Doc>();
    const records = candidates.map((d) => {
      const rec = toRecord(d);
      byRecord.set(rec, d);
      return rec;
    });
    const { accepted, stats } = await curator.curate(records, (rec) => byRecord.get(rec)!.synthetic);
    const sTrain = accepted.map((rec) => byRecord.get(rec)!);
    if (sTrain.length === 0) throw new Error(`synthfilter accepted nothing at generation ${gen}`);
    const s = evaluate(train(sTrain), sTrain, gen);
    s.row.filter = stats;
    conditions.synthfilter.push(s.row);
    sfAcc.push(...s.samples);
    const fmt = (x: GenRow) => `ppl ${x.perplexity.toFixed(1)} tail ${x.tail_coverage.toFixed(3)} d2 ${x.distinct2.toFixed(3)} kl ${x.kl.toFixed(3)} syn ${x.synthetic_share.toFixed(2)} n ${x.train_docs}`;
    log(`gen ${gen} (${((Date.now() - tg) / 1000).toFixed(1)} s)\n  replace     ${fmt(r.row)}\n  mix         ${fmt(m.row)}\n  synthfilter ${fmt(s.row)}`);
  }

  const config = {
    generations: opts.generations,
    seed: opts.seed,
    origin_signal: opts.origin,
    origin_signal_detail:
      opts.origin === 'declared'
        ? 'declared provenance: records carry meta.source = "human" | "model-gen-<t>", declared to synthfilter as origin.declared = { field: "meta.source", synthetic: [model-gen-*], human: ["human"] }'
        : 'detector only: records carry no provenance field; synthfilter labels them with its shipped origin detector',
    synthfilter_path: curator.path,
    synthfilter_notes: curator.notes,
    synthfilter_overrides: curator.overrides,
    human_source: opts.humanSource,
    human_texts_used: tokenised.length,
    held_out_docs: opts.heldOut,
    gen0_train_docs: opts.gen0Train,
    fresh_human_batch: opts.freshBatch,
    fresh_pool_docs: pool.length,
    fresh_pool_wraps: poolWraps,
    samples_per_generation: opts.samplesPerGen,
    vocabulary_types: U - 3,
    rare_held_out_types: rare.length,
    model: 'word trigram LM, interpolated Kneser-Ney (discounts n1/(n1+2n2) per order), lowest order interpolated with a uniform floor over the run\'s fixed vocabulary (the unknown-word floor)',
    sampling: { top_k: opts.topK, temperature: opts.temperature, max_tokens: opts.maxLen, note: '</s> banned at the first position (no empty samples)' },
    tokenizer: 'NFKC, lower case, numbers with inner separators, words (letters/digits, inner apostrophes) and single punctuation characters',
    human_text_prep: `texts with >= ${opts.minTokens} tokens, cut to <= ${opts.maxLen} tokens (at a sentence end when possible)`,
    metrics: {
      perplexity: 'exp(mean -ln P) per token (+ </s> per doc) of the held-out human docs under the model (same fixed vocabulary and unknown-word floor for every model)',
      tail_coverage: `share of rare held-out types (count 1..${opts.rareMaxCount} in the held-out docs) that occur at least once in the generation's ${opts.samplesPerGen} samples`,
      tail_vocab: 'share of the same rare types that occur in the model\'s training data (the model gives them more than the unknown-word floor)',
      distinct2: 'distinct token bigrams / token bigrams over the generation\'s samples (within documents)',
      kl: `KL(P_heldout || Q_samples) in nats over the vocabulary (+<unk>), Q add-${opts.klAlpha} smoothed`,
      synthetic_share: 'share of the documents the generation was trained on that were model-generated (ground truth)',
    },
    conditions: {
      replace: 'gen t+1 trains only on the samples of gen t',
      mix: `gen t+1 trains on a fresh batch of ${opts.freshBatch} human docs plus all samples of gens 0..t (unlabelled, unfiltered)`,
      synthfilter: 'the same kind of input as mix (fresh human batch + all samples of its own gens 0..t), shuffled with a seeded order and passed through synthfilter; only accepted records are trained on',
    },
    reference,
  };
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return { conditions, config };
}

