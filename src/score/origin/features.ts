/**
 * Feature extraction for the origin detector: the public surface of `features/` (one idea per file), and the
 * feature-set version a model is trained for. A text is cleaned (text.ts), tokenised, and cut into windows of
 * `W` words; every window yields one sparse vector:
 *   - hashed word unigrams, word bigrams and "skeleton" trigrams (function words and punctuation kept, content
 *     words reduced to a suffix/shape class), each family log-scaled and L2-normalised (length-insensitive);
 *     optional char n-gram and skeleton 4-gram families (off in the shipped model)
 *   - dense stylometric rates: sentence-length mean/spread (burstiness), word length, type-token statistics,
 *     word-frequency-rank profile (GLTR-like, from a human-text frequency list), punctuation, pronoun and
 *     contraction rates, repetition; each standardised and also one-hot binned by training quantiles
 * Windows of a fixed size make type-token and rate features comparable across texts of any length, and training
 * on windows removes most of the length signal.
 *
 * Files, in pipeline order:
 *   features/hashing.ts           the string hash of tokens and skeleton classes
 *   features/skeleton.ts          skeleton classes of tokens
 *   features/prepare.ts           per-text token attributes shared by all windows
 *   features/window.ts            window boundaries; hashed n-gram families and dense counts of one window
 *   features/rank-features.ts     word-rank profile and bigram-LM features of a window
 *   features/reference-tables.ts  rank table and bigram LM built from human text (stored in the model)
 *   features/dense-layout.ts      dense feature names in slot order, bin count
 *   features/dense-stats.ts       standardisation and bin edges fitted on training windows
 *   features/vector.ts            the model's vector layout, feature names, assembly and dot product
 */
export const FEATURE_VERSION = 2;

export { fmix32 } from '../../text/hash.js';
export { hashStr } from './features/hashing.js';
export { prepare, type Prepared } from './features/prepare.js';
export { extractWindow, scoreWindow, windowStarts, type ExtractOptions, type RawWindow } from './features/window.js';
export { rankFeatures } from './features/rank-features.js';
export { buildBigramLM, buildRankTable, type BigramLM, type RankTable } from './features/reference-tables.js';
export { DENSE_NAMES, N_BINS, N_DENSE } from './features/dense-layout.js';
export { fitDenseStats, type DenseStats } from './features/dense-stats.js';
export { assemble, dotWindow, featureCount, featureName } from './features/vector.js';
