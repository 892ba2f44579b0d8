/**
 * What each quality-rule choice costs on this corpus: every rule variant of settings.ts is run (diversity rules
 * only: dedup and origin off, through the public `filterRecords`) over a seed's generation-0 human training texts
 * and generation-0 samples. The human side shows what a setting throws away and how it shifts length; the sample
 * side shows how much model text it lets through to the cap.
 */
import { filterRecords, resolveConfig } from '../../src/index.js';
import { RULE_VARIANTS } from './settings.js';
import { round } from './generation.js';

export interface RuleCost {
  variant: string;
  /** share of the human texts that pass the quality rules */
  human_kept: number;
  /** the same for human texts shorter than `shortTokens` tokens */
  short_human_kept: number;
  /** mean token length of the human texts that pass, against all human texts' */
  human_kept_mean_len: number;
  human_mean_len: number;
  /** share of the generation-0 samples that pass */
  samples_kept: number;
}

export interface RuleInput {
  text: string;
  tokens: number;
}

async function passing(items: readonly RuleInput[], rules: Record<string, unknown>): Promise<boolean[]> {
  const cfg = resolveConfig({ dedup: { enabled: false }, origin: { enabled: false }, diversity: { enabled: true, rules } });
  const out = new Array<boolean>(items.length).fill(false);
  const records = items.map((x, i) => ({ id: String(i), text: x.text }));
  for await (const o of filterRecords(records, cfg, { inputOrder: true })) if (o.annotation.decision === 'accept') out[Number(o.id)] = true;
  return out;
}

export async function ruleCosts(human: readonly RuleInput[], samples: readonly RuleInput[], shortTokens = 25): Promise<RuleCost[]> {
  const mean = (xs: readonly RuleInput[]) => xs.reduce((a, x) => a + x.tokens, 0) / Math.max(1, xs.length);
  const short = human.filter((x) => x.tokens < shortTokens);
  const out: RuleCost[] = [];
  for (const [variant, rules] of Object.entries(RULE_VARIANTS)) {
    const h = await passing(human, rules);
    const s = await passing(samples, rules);
    const keptH = human.filter((_, i) => h[i]);
    out.push({
      variant,
      human_kept: round(keptH.length / Math.max(1, human.length), 4),
      short_human_kept: round(human.filter((x, i) => h[i] && x.tokens < shortTokens).length / Math.max(1, short.length), 4),
      human_kept_mean_len: round(mean(keptH), 1),
      human_mean_len: round(mean(human), 1),
      samples_kept: round(s.filter(Boolean).length / Math.max(1, samples.length), 4),
    });
  }
  return out;
}
