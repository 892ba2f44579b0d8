/**
 * The cluster task's interface (cluster.ts in memory, cluster-external.ts under a memory budget): options, result
 * and the verdict row. Verdict row [seq, status, ref, similarity f64 (2 words)], rows in seq order for every
 * seq < `count`: NONE (not checked: quarantined, or a synthetic reuse), KEPT, UNIQUE (nothing kept matches it, but
 * it may not be kept: it fails rules), EXACT / NEAR (lost to tonight's record `ref`), EXACT_HISTORY / NEAR_HISTORY
 * (`ref` is the history ref).
 */
import type { Preference } from './greedy.js';

export const VERDICT = { NONE: 0, KEPT: 1, UNIQUE: 2, EXACT: 3, NEAR: 4, EXACT_HISTORY: 5, NEAR_HISTORY: 6 } as const;
export const VERDICT_WIDTH = 5;

export interface ClusterOptions extends Preference {
  /** records of tonight: seqs 0..count-1 */
  count: number;
  /** 1: the record takes part (scored, not quarantined, not a synthetic reuse) */
  node: Uint8Array;
  /** verified pair files (reduce outputs: the same pair may be in several) */
  pairs: readonly string[];
  /** exact runs of tonight's parts and of the history run sets */
  exact: readonly string[];
  out: string;
  /** bytes the cluster task may hold (its sort buffers and queue; spills to `<out>.cluster-tmp/`); undefined: the
   * in-memory path (typed arrays over tonight's records and edges). Both write the same bytes. */
  memoryBytes?: number;
}

export interface ClusterResult {
  kept: number;
  exact: number;
  near: number;
  history: number;
  edges: number;
  /** sort and queue runs spilled (the bounded path only) */
  spills?: number;
}
