/** Near-duplicate detection: public surface of score/dedup. */
export { DEDUP_DEFAULTS, createDedupScorer, dedupTextOptions, resolveBandsRows, withoutKeep } from './scorer.js';
export type { DedupConfig, DedupScorer } from './scorer.js';
export { MinHasher, estimateJaccard, exactJaccard, laneKeys } from './minhash.js';
export { bandKey, bandKeys, deriveBandsRows, integrate, lshErrors, sCurve } from './lsh.js';
export { MemoryNearDupIndex, deserializeNearDupIndex } from './memory-index.js';
export type { NearDupIndex, NearDupIndexParams, NearDupMatch, VerifyMode } from './memory-index.js';
export { ExactSet } from './exact-set.js';
export { IdPool } from './id-pool.js';
export { encodeSketch, sketchJaccard } from './sketch.js';
