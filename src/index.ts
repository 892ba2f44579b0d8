/** synthfilter public API. */
export { createFilter, filterRecords, acceptedRecord, type FilterOptions } from './stage/transform.js';
export { FilterCore, QUARANTINE_REASONS, type CoreOptions } from './stage/core.js';
export { mergeStats, newStats, tailRetention, type Stats } from './stage/stats.js';
export { runFilter, type RunOptions, type RunResult } from './stage/run.js';
export { resolveConfig, validate, defaults, fingerprint, type Config, type DeepPartial } from './config/index.js';
export { readSources, READ_REASONS, type ReadOptions } from './io/read.js';
export { ROUTE_REASONS, Router, type Routed, type Scored } from './route/router.js';
export { SynthfilterError, ERROR_CODES, type ErrorCode } from './errors.js';
export { REASON_CODES, QUARANTINE_REASON_CODES, DUPLICATE_REASON_CODES, DIVERSITY_REASON_CODES, ROUTING_REASON_CODES } from './reasons.js';
export { VERSION } from './version.js';
export type * from './types.js';
