/** The model-collapse experiment as a library (the CLI is scripts/experiment-collapse.ts). */
export { Rng } from './rng.js';
export { tokenize, detokenize, Vocab, BOS, EOS, UNK } from './tokenize.js';
export { TrigramKN, type NgramOptions, type SampleOptions } from './ngram.js';
export { perplexity, distinctN, unigramCounts, kl, unigramKL, rareTypes, tailCoverage } from './metrics.js';
export { readJsonl, readTexts, readSharedCorpora } from './corpus.js';
export { makeCurator, modelSource, HUMAN_SOURCE, type Curator, type CurateStats, type OriginSignal } from './curate.js';
export { runCollapse, truncateTokens, CONDITIONS, METRICS, DEFAULTS, type CollapseOptions, type CollapseResult, type GenRow, type Condition, type MetricKey } from './run.js';
export { renderHtml, lineChart, niceTicks, logTicks, fmt, type ChartSpec } from './html.js';
