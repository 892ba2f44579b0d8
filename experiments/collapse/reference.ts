/**
 * Reference values of one seed, to read the conditions against:
 * - human_text: the generation-0 human texts themselves, as many tokens as the generation-0 samples, scored like
 *   samples (what the sample metrics of "human text" are);
 * - fresh_only: a model trained on one fresh human batch alone, sampled and scored like a generation (the volume of
 *   one night's human data without any synthetic text);
 * - rule_costs: what each quality-rule choice costs on this seed's generation-0 texts (quality.ts).
 */
import { detokenize } from './tokenize.js';
import { distinctN, tailCoverage, unigramCounts, unigramKL } from './metrics.js';
import { round, runGeneration, type GenRow, type SampleSettings } from './generation.js';
import { ruleCosts, type RuleCost } from './quality.js';
import type { Doc, SeedData } from './data.js';

export interface HumanTextRef {
  docs: number;
  tokens: number;
  tail_coverage: number;
  distinct_2: number;
  kl: number;
}

export interface SeedReference {
  seed: number;
  human_text: HumanTextRef;
  fresh_only: GenRow;
  rule_costs: RuleCost[];
}

export async function runReference(data: SeedData, s: SampleSettings): Promise<SeedReference> {
  const g0 = runGeneration(data, s, data.gen0, 0, 'shared');
  const humanRef: Int32Array[] = [];
  const target = sampleTokens(g0.samples);
  for (let i = 0, n = 0; i < data.gen0.length && n < target; i++) {
    humanRef.push(data.gen0[i]!.ids);
    n += data.gen0[i]!.ids.length;
  }
  const hCounts = unigramCounts(humanRef, data.U);
  const freshOnly = runGeneration(data, s, data.fresh(1), 1, 'reference/fresh-only');
  const asInput = (d: Doc) => ({ text: detokenize(data.vocab.decode(d.ids)), tokens: d.ids.length });
  return {
    seed: data.seed,
    human_text: {
      docs: humanRef.length,
      tokens: humanRef.reduce((a, d) => a + d.length, 0),
      tail_coverage: round(tailCoverage(data.rare, (w) => hCounts[w]! > 0)),
      distinct_2: round(distinctN(humanRef, 2)),
      kl: round(unigramKL(data.refCounts, hCounts, s.klAlpha, 2)),
    },
    fresh_only: freshOnly.row,
    rule_costs: await ruleCosts(data.gen0.map(asInput), g0.samples.map(asInput)),
  };
}

function sampleTokens(samples: readonly Doc[]): number {
  return samples.reduce((a, d) => a + d.ids.length, 0);
}
