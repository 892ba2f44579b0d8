/**
 * One generation of one condition: train a trigram model on a training set, sample from it, and measure it and its
 * samples against the seed's held-out human texts.
 */
import { Rng } from './rng.js';
import { EOS } from './tokenize.js';
import { TrigramKN } from './ngram.js';
import { distinctN, perplexity, tailCoverage, unigramCounts, unigramKL } from './metrics.js';
import { modelSource, type Doc, type SeedData } from './data.js';

export interface SampleSettings {
  samplesPerGen: number;
  topK: number;
  temperature: number;
  maxLen: number;
  klAlpha: number;
}

/** The measurements of one generation of one seed. */
export interface GenRow {
  gen: number;
  perplexity: number;
  /** share of rare held-out types that occur in the generation's samples */
  tail_coverage: number;
  distinct_2: number;
  kl: number;
  /** true share of model-written documents in the training set */
  synthetic_share: number;
  train_docs: number;
  /** share of rare held-out types the model saw in training (> unknown-word floor) */
  tail_vocab: number;
  train_tokens: number;
  /** distinct types in the training data */
  vocab: number;
  mean_sample_len: number;
  /** mean token length of the training documents */
  mean_train_len: number;
}

export const round = (x: number, d = 6): number => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

/** Train on `train`, sample `samplesPerGen` documents (seeded by seed, condition and generation) and measure. */
export function runGeneration(data: SeedData, s: SampleSettings, train: readonly Doc[], gen: number, stream: string): { row: GenRow; samples: Doc[] } {
  const model = TrigramKN.train(
    train.map((d) => d.ids),
    data.U,
  );
  const rng = new Rng(data.seed, `${stream}/gen-${gen}/sample`);
  const samples: Doc[] = [];
  const opts = { topK: s.topK, temperature: s.temperature, maxLen: s.maxLen };
  for (let i = 0; i < s.samplesPerGen; i++) samples.push({ id: `${stream}-g${gen}-${i}`, ids: model.sample(rng, opts), synthetic: true, source: modelSource(gen) });
  model.clearCaches();
  const sIds = samples.map((x) => x.ids);
  const sCounts = unigramCounts(sIds, data.U);
  const sampleTokens = sIds.reduce((a, d) => a + d.length, 0);
  const trainTokens = train.reduce((a, d) => a + d.ids.length, 0);
  const row: GenRow = {
    gen,
    perplexity: round(perplexity(model, data.heldOut), 3),
    tail_coverage: round(tailCoverage(data.rare, (w) => sCounts[w]! > 0)),
    distinct_2: round(distinctN(sIds, 2)),
    // support: every id except <s> and </s> (<unk> included)
    kl: round(unigramKL(data.refCounts, sCounts, s.klAlpha, 2)),
    synthetic_share: round(train.length ? train.filter((d) => d.synthetic).length / train.length : 0),
    train_docs: train.length,
    tail_vocab: round(tailCoverage(data.rare, (w) => model.knows(w))),
    train_tokens: model.trainTokens,
    vocab: model.vocabUsed - (model.knows(EOS) ? 1 : 0),
    mean_sample_len: round(sampleTokens / Math.max(1, samples.length), 2),
    mean_train_len: round(trainTokens / Math.max(1, train.length), 2),
  };
  return { row, samples };
}
