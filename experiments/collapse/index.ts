/** The model-collapse experiment as a library (the CLI is scripts/experiment-collapse.ts). */
export { Rng } from './rng.js';
export { tokenize, detokenize, Vocab, BOS, EOS, UNK } from './tokenize.js';
export { TrigramKN, type NgramOptions, type SampleOptions } from './ngram.js';
export { perplexity, distinctN, unigramCounts, kl, unigramKL, rareTypes, tailCoverage, auroc } from './metrics.js';
export { readJsonl, readTexts, readSharedCorpora } from './corpus.js';
export { splitData, truncateTokens, HUMAN_SOURCE, modelSource, type Doc, type SeedData, type SplitSizes } from './data.js';
export { runGeneration, type GenRow, type SampleSettings } from './generation.js';
export { NightlyClean, type NightStats, type NightFile } from './nightly.js';
export { trainDetector, TRAINING_TOOL, type TrainedDetector } from './detector.js';
export { CONDITIONS, runCondition, curatedOverrides, type Condition, type ConditionRun, type ConditionRow, type ConditionOptions } from './conditions.js';
export { runReference, type SeedReference } from './reference.js';
export { ruleCosts, type RuleCost } from './quality.js';
export { FITTED_RULES, RULE_VARIANTS, declaredProvenance } from './settings.js';
export { aggregate, judgeTargets, meanSd, REPORTED, type Entry, type Claim } from './stats.js';
export { runCollapse, DEFAULTS, type CollapseOptions, type CollapseResult } from './run.js';
export { renderHtml, lineChart, niceTicks, logTicks, fmt, METRICS, type ChartSpec } from './html.js';
