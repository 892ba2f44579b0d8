/**
 * Statistics over seeds: every metric of every generation as the mean over seeds and the sample standard deviation
 * (n - 1; 0 with one seed), and the targets of the experiment judged against that spread.
 */
import { round } from './generation.js';
import type { Condition, ConditionRow, ConditionRun } from './conditions.js';

/** The metrics reported with a spread (collapse.json keys; `_sd` is appended for the spread). */
export const REPORTED = ['tail_coverage', 'perplexity', 'distinct_2', 'kl', 'synthetic_share', 'train_docs', 'tail_vocab', 'mean_sample_len', 'mean_train_len'] as const;
export type Reported = (typeof REPORTED)[number];

export type Entry = { generation: number; cap: number | null; seeds: number; detector_auroc?: number | null; detector_auroc_sd?: number | null } & Record<Reported | `${Reported}_sd`, number>;

export function meanSd(xs: readonly number[]): { mean: number; sd: number } {
  const n = xs.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  const mean = xs.reduce((a, x) => a + x, 0) / n;
  const sd = n > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, sd };
}

/** One entry per generation: means over the runs (one per seed) and their spread. */
export function aggregate(runs: readonly ConditionRun[]): Entry[] {
  const gens = Math.min(...runs.map((r) => r.rows.length));
  const out: Entry[] = [];
  for (let g = 0; g < gens; g++) {
    const rows = runs.map((r) => r.rows[g]!);
    const e = { generation: g, cap: rows[0]!.cap, seeds: rows.length } as Entry;
    for (const k of REPORTED) {
      const { mean, sd } = meanSd(rows.map((r) => r[k]));
      const d = k === 'perplexity' || k === 'train_docs' || k.startsWith('mean_') ? 3 : 6;
      e[k] = round(mean, d);
      e[`${k}_sd`] = round(sd, d);
    }
    const au = rows.map((r) => r.night?.detector_auroc).filter((x): x is number => typeof x === 'number');
    if (au.length) {
      const { mean, sd } = meanSd(au);
      e.detector_auroc = round(mean, 4);
      e.detector_auroc_sd = round(sd, 4);
    }
    out.push(e);
  }
  return out;
}

export type Verdict = 'holds' | 'fails' | 'within spread';

export interface Claim {
  claim: string;
  /** the measured value(s): mean ± sd over seeds */
  measured: string;
  verdict: Verdict;
}

const pm = (m: number, s: number, d = 3) => `${m.toFixed(d)} ± ${s.toFixed(d)}`;

/** Per-seed ratio of a metric at generation `g` to generation 0, as mean and sd. */
function ratio(runs: readonly ConditionRun[], key: Reported, g: number) {
  return meanSd(runs.map((r) => r.rows[g]![key] / r.rows[0]![key]));
}

/** A threshold target on a per-seed quantity: holds when mean ± sd lies on its side, fails when on the other. */
function threshold(claim: string, x: { mean: number; sd: number }, op: '>=' | '<=', t: number): Claim {
  const lo = x.mean - x.sd;
  const hi = x.mean + x.sd;
  const ok = op === '>=' ? lo >= t : hi <= t;
  const bad = op === '>=' ? hi < t : lo > t;
  return { claim, measured: pm(x.mean, x.sd), verdict: ok ? 'holds' : bad ? 'fails' : 'within spread' };
}

/** "a is at least as good as b": fails only when b is better by more than the spread (sd_a + sd_b); holds when a is
 * better by more than the spread; otherwise the two are within each other's spread. */
function compare(claim: string, a: { mean: number; sd: number }, b: { mean: number; sd: number }, better: 'higher' | 'lower'): Claim {
  const diff = better === 'higher' ? a.mean - b.mean : b.mean - a.mean;
  const spread = a.sd + b.sd;
  return { claim, measured: `${pm(a.mean, a.sd)} vs ${pm(b.mean, b.sd)}`, verdict: diff > spread ? 'holds' : -diff > spread ? 'fails' : 'within spread' };
}

/** The targets of issue 20 at the last generation, judged against the spread over seeds. */
export function judgeTargets(byCondition: Partial<Record<Condition, ConditionRun[]>>): Claim[] {
  const out: Claim[] = [];
  const sf = byCondition.synthfilter;
  const acc = byCondition.accumulate;
  const rep = byCondition.replace;
  const det = byCondition.synthfilter_detector;
  const G = Math.min(...Object.values(byCondition).flatMap((rs) => rs.map((r) => r.rows.length - 1)));
  const at = (runs: ConditionRun[], k: Reported) => meanSd(runs.map((r) => r.rows[G]![k]));
  if (sf) {
    out.push(threshold(`synthfilter: tail coverage at gen ${G} / gen 0 >= 0.95`, ratio(sf, 'tail_coverage', G), '>=', 0.95));
    out.push(threshold(`synthfilter: perplexity at gen ${G} / gen 0 <= 1.05`, ratio(sf, 'perplexity', G), '<=', 1.05));
    if (acc) {
      out.push(compare(`synthfilter at least as good as accumulate: tail coverage at gen ${G} (higher is better)`, at(sf, 'tail_coverage'), at(acc, 'tail_coverage'), 'higher'));
      out.push(compare(`synthfilter at least as good as accumulate: perplexity at gen ${G} (lower is better)`, at(sf, 'perplexity'), at(acc, 'perplexity'), 'lower'));
    }
  }
  if (rep) {
    out.push(threshold(`replace collapses: tail coverage at gen ${G} / gen 0 <= 0.8`, ratio(rep, 'tail_coverage', G), '<=', 0.8));
    out.push(threshold(`replace collapses: perplexity at gen ${G} / gen 0 >= 1.2`, ratio(rep, 'perplexity', G), '>=', 1.2));
  }
  if (det) {
    // the worst generation of each seed: the target is "at every generation"
    const cap = det[0]!.rows[1]?.cap ?? 0.2;
    const worst = meanSd(det.map((r) => Math.max(...r.rows.slice(1).map((x) => x.synthetic_share - (x.cap ?? cap)))));
    out.push(threshold(`synthfilter_detector: true synthetic share - cap, worst generation, <= 0.1`, worst, '<=', 0.1));
    out.push(threshold(`synthfilter_detector: tail coverage at gen ${G} / gen 0 >= 0.9`, ratio(det, 'tail_coverage', G), '>=', 0.9));
  }
  return out;
}

export function aggregateConditions(byCondition: Partial<Record<Condition, ConditionRun[]>>): Partial<Record<Condition, Entry[]>> {
  const out: Partial<Record<Condition, Entry[]>> = {};
  for (const [c, runs] of Object.entries(byCondition) as Array<[Condition, ConditionRun[]]>) out[c] = aggregate(runs);
  return out;
}

export type { ConditionRow };
