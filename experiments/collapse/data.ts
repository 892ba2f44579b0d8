/**
 * The data of one seed: human texts tokenised, cut and split with a seeded shuffle into
 * - held-out texts: every metric is measured on them, and no condition ever trains on them (nor does the detector);
 * - generation-0 training texts;
 * - a pool from which generation t (t >= 1) takes its fresh human batch number t.
 * One fixed vocabulary over all of them is shared by every model of the seed, so perplexities compare.
 */
import { Rng } from './rng.js';
import { Vocab, tokenize } from './tokenize.js';
import { rareTypes, unigramCounts } from './metrics.js';

/** Cut a token list to at most `maxLen`, at the last sentence end when that keeps at least half of it. */
export function truncateTokens(tokens: string[], maxLen: number): string[] {
  if (tokens.length <= maxLen) return tokens;
  for (let i = maxLen - 1; i >= maxLen / 2; i--) if (tokens[i] === '.' || tokens[i] === '!' || tokens[i] === '?') return tokens.slice(0, i + 1);
  return tokens.slice(0, maxLen);
}

/** One training document: token ids, ground truth, and the provenance value and id it carries as a record. */
export interface Doc {
  id: string;
  ids: Int32Array;
  synthetic: boolean;
  /** meta.source when provenance is declared: "human" | "model-gen-<t>" */
  source: string;
}

export const HUMAN_SOURCE = 'human';
export const modelSource = (gen: number): string => `model-gen-${gen}`;

export interface SplitSizes {
  heldOut: number;
  gen0Train: number;
  freshBatch: number;
  generations: number;
  /** max tokens per document (human texts are cut, samples stop there) */
  maxLen: number;
  /** human texts with fewer tokens are dropped */
  minTokens: number;
  rareMaxCount: number;
}

export interface SeedData {
  seed: number;
  vocab: Vocab;
  /** vocab.size: the id space of every model */
  U: number;
  heldOut: Int32Array[];
  gen0: Doc[];
  /** fresh human batch `gen` (1-based); wraps around the pool when it is too small (`poolWraps`) */
  fresh(gen: number): Doc[];
  poolSize: number;
  poolWraps: boolean;
  refCounts: Float64Array;
  rare: Int32Array;
  textsUsed: number;
}

export function splitData(humanTexts: readonly string[], seed: number, o: SplitSizes): SeedData {
  const tokenised: string[][] = [];
  for (const t of humanTexts) {
    const toks = tokenize(t);
    if (toks.length >= o.minTokens) tokenised.push(truncateTokens(toks, o.maxLen));
  }
  new Rng(seed, 'split').shuffle(tokenised);
  const need = o.heldOut + o.gen0Train + o.freshBatch;
  if (tokenised.length < need) {
    throw new Error(`need at least ${need} human texts of >= ${o.minTokens} tokens (held-out ${o.heldOut} + gen-0 ${o.gen0Train} + one fresh batch ${o.freshBatch}); got ${tokenised.length}`);
  }
  const vocab = new Vocab();
  const encoded = tokenised.map((t) => vocab.encode(t));
  vocab.freeze();
  const heldOut = encoded.slice(0, o.heldOut);
  const gen0: Doc[] = encoded.slice(o.heldOut, o.heldOut + o.gen0Train).map((ids, i) => ({ id: `human-0-${i}`, ids, synthetic: false, source: HUMAN_SOURCE }));
  const pool = encoded.slice(o.heldOut + o.gen0Train);
  const batches = new Map<number, Doc[]>();
  const fresh = (gen: number): Doc[] => {
    let b = batches.get(gen);
    if (!b) {
      b = [];
      for (let i = 0; i < o.freshBatch; i++) b.push({ id: `human-${gen}-${i}`, ids: pool[((gen - 1) * o.freshBatch + i) % pool.length]!, synthetic: false, source: HUMAN_SOURCE });
      batches.set(gen, b);
    }
    return b;
  };
  const refCounts = unigramCounts(heldOut, vocab.size);
  return {
    seed,
    vocab,
    U: vocab.size,
    heldOut,
    gen0,
    fresh,
    poolSize: pool.length,
    poolWraps: pool.length < o.freshBatch * o.generations,
    refCounts,
    rare: rareTypes(refCounts, o.rareMaxCount),
    textsUsed: tokenised.length,
  };
}
