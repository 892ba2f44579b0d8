/**
 * The conditions, each one chain of generations over one seed's data. Generation 0 (a model trained on the
 * generation-0 human texts) is the same for every condition; from there generation t trains on:
 *
 * - replace:              the samples of generation t-1 only (Shumailov et al.);
 * - accumulate:           everything so far, unfiltered: the generation-0 human texts, fresh human batches 1..t and
 *                         the samples of generations 0..t-1 (Gerstgrasser et al.);
 * - synthfilter:          the same accumulating stream, cleaned night by night by `synthfilter clean` with persistent
 *                         state (nightly.ts), provenance declared, quality rules fitted to the corpus (settings.ts);
 *                         the model trains on everything clean kept so far;
 * - synthfilter_defaults: as synthfilter, with synthfilter's default quality rules;
 * - synthfilter_detector: as synthfilter, with no provenance: the origin comes from a detector the team trains on
 *                         its generation-0 samples vs its generation-0 human texts (detector.ts).
 */
import { join } from 'node:path';
import { detokenize } from './tokenize.js';
import { runGeneration, type GenRow, type SampleSettings } from './generation.js';
import { NightlyClean, type NightFile, type NightStats } from './nightly.js';
import { trainDetector, type TrainedDetector } from './detector.js';
import { ALL_SCORERS, FITTED_RULES, declaredProvenance } from './settings.js';
import type { Doc, SeedData } from './data.js';

export const CONDITIONS = ['replace', 'accumulate', 'synthfilter', 'synthfilter_defaults', 'synthfilter_detector'] as const;
export type Condition = (typeof CONDITIONS)[number];

export interface ConditionRow extends GenRow {
  /** the synthetic cap in force for the training set (route.maxSyntheticShare), null when nothing caps it */
  cap: number | null;
  /** curated conditions: what the night's clean did */
  night?: NightStats;
}

export interface ConditionRun {
  condition: Condition;
  seed: number;
  rows: ConditionRow[];
  /** synthfilter_detector only */
  detector?: TrainedDetector;
}

export interface ConditionOptions extends SampleSettings {
  generations: number;
  /** this job's work folder (clean's folders, the detector's corpus and model) */
  workDir: string;
  /** config overrides deep-merged over each curated condition's own (--config) */
  filterOverrides?: Record<string, unknown>;
  /** flags for the detector-training tool */
  detectorToolArgs?: readonly string[];
  log?: (msg: string) => void;
  /** called with each generation's training set before it trains (tests) */
  onTrain?: (gen: number, train: readonly Doc[]) => void;
}

const fmtRow = (r: ConditionRow) =>
  `ppl ${r.perplexity.toFixed(1)} tail ${r.tail_coverage.toFixed(3)} d2 ${r.distinct_2.toFixed(3)} kl ${r.kl.toFixed(3)} syn ${r.synthetic_share.toFixed(3)} n ${r.train_docs}`;

/** Deep merge of plain objects (b wins); arrays and scalars are replaced. */
function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const cur = out[k];
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && cur && typeof cur === 'object' && !Array.isArray(cur) ? merge(cur as Record<string, unknown>, v as Record<string, unknown>) : v;
  }
  return out;
}

/** The synthfilter config overrides of a curated condition. */
export function curatedOverrides(condition: Condition, generations: number, detector?: TrainedDetector): Record<string, unknown> {
  if (condition === 'synthfilter_detector') {
    if (!detector) throw new Error('synthfilter_detector needs a trained detector');
    return merge(ALL_SCORERS, {
      diversity: { rules: FITTED_RULES },
      origin: { model: detector.model, threshold: detector.threshold, humanThreshold: detector.humanThreshold, minWords: detector.minWords },
    });
  }
  const declared = { origin: { declared: declaredProvenance(generations) } };
  return condition === 'synthfilter' ? merge(ALL_SCORERS, { ...declared, diversity: { rules: FITTED_RULES } }) : merge(ALL_SCORERS, declared);
}

export async function runCondition(data: SeedData, condition: Condition, o: ConditionOptions): Promise<ConditionRun> {
  const log = o.log ?? (() => {});
  const text = (d: Doc) => detokenize(data.vocab.decode(d.ids));
  const g0 = runGeneration(data, o, data.gen0, 0, 'shared');
  const out: ConditionRun = { condition, seed: data.seed, rows: [] };
  let nightly: NightlyClean | null = null;
  if (condition.startsWith('synthfilter')) {
    if (condition === 'synthfilter_detector') {
      out.detector = trainDetector({ dir: join(o.workDir, 'detector'), seed: data.seed, human: data.gen0.map(text), synthetic: g0.samples.map(text), toolArgs: o.detectorToolArgs, log });
    }
    const overrides = merge(curatedOverrides(condition, o.generations, out.detector), o.filterOverrides ?? {});
    nightly = new NightlyClean({ dir: join(o.workDir, 'clean'), overrides, declareProvenance: condition !== 'synthfilter_detector', vocab: data.vocab });
  }
  const cap = nightly ? nightly.cfg.route.maxSyntheticShare : null;
  out.rows.push({ ...g0.row, cap });
  log(`${condition} seed ${data.seed} gen 0: ${fmtRow(out.rows[0]!)}`);
  let prev = g0.samples;
  const acc: Doc[] = [...data.gen0, ...g0.samples];
  for (let gen = 1; gen <= o.generations; gen++) {
    const t0 = Date.now();
    const fresh = data.fresh(gen);
    let train: readonly Doc[];
    let night: NightStats | undefined;
    if (condition === 'replace') train = prev;
    else if (condition === 'accumulate') {
      // generation-0 human texts and samples, then per generation its fresh batch and its samples
      acc.push(...fresh);
      train = acc;
    } else {
      const files: NightFile[] = [];
      if (gen === 1) files.push({ name: '0-human-gen-0.jsonl', docs: data.gen0 });
      files.push({ name: `1-fresh-human-${gen}.jsonl`, docs: fresh }, { name: `2-samples-gen-${gen - 1}.jsonl`, docs: prev });
      night = await nightly!.night(gen, files);
      train = nightly!.kept;
      if (train.length === 0) throw new Error(`${condition}: clean kept nothing by generation ${gen}`);
    }
    o.onTrain?.(gen, train);
    const g = runGeneration(data, o, train, gen, condition);
    const row: ConditionRow = { ...g.row, cap, ...(night ? { night } : {}) };
    out.rows.push(row);
    if (condition === 'accumulate') acc.push(...g.samples);
    prev = g.samples;
    log(`${condition} seed ${data.seed} gen ${gen}: ${fmtRow(row)} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  }
  return out;
}
