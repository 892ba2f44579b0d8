/**
 * What the nightly report needs, collected while `clean` routes: one `observe(outcome)` per finalised record
 * (quarantined ones too), O(1) each, bounded memory (histograms, top-k lists, one group per input file and per
 * stratum value up to a cap). Mergeable, so parts counted apart add up, and serialisable (`toJSON`/`fromJSON`):
 * the state keeps each night's data (store.ts) so `synthfilter report` can redraw any recorded night.
 *
 * Counting rules (the page says them too):
 *   - a rejected record counts once, under its primary reason (the first in its `reasons`); `matched` counts every
 *     rule a rejected record failed, so its sum exceeds the rejected count when a record failed several
 *   - declared: provenance named the label (origin.by "declared"); every other record is undeclared, and an
 *     undeclared record without p_ai is an abstention (counted by the detector's reason, not drawn)
 *   - metric histograms: only the diversity rules that are enabled, with their thresholds
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import { effectiveThreshold, loadModel, type OriginConfig } from '../score/origin/index.js';
import type { DiversityConfig } from '../score/diversity/index.js';
import { ShareAccumulator, quantificationParams, type QuantificationParams, type ShareEstimate } from '../score/origin/prevalence.js';
import type { Outcome } from '../types.js';

/** Example ids kept per primary reason. */
export const EXAMPLES_PER_REASON = 5;
/** Distinct stratum values counted apart; further values share one "(other values)" group. */
export const MAX_STRATA = 1000;
export const OTHER_STRATA = '(other values)';
export const NO_STRATUM = '(no value)';
/** p_ai histogram bins over [0, 1]. */
export const P_AI_BINS = 20;
/** Bins of a metric histogram over [lo, hi], plus one overflow bin for values >= hi. */
export const METRIC_BINS = 20;

/** Counts of one input file or one stratum value. */
export interface GroupData {
  in: number;
  kept: number;
  rejected: number;
  quarantined: number;
  /** rejected records by primary reason */
  reasons: Record<string, number>;
  /** tail records accepted */
  tail_kept: number;
  /** estimated synthetic share of the group's non-quarantined records (null: none, or origin off) */
  share: ShareEstimate | null;
  /** the estimator's running state (for merging) */
  acc: unknown;
}

export interface MetricSpec {
  /** the rule's code, which is also the metric's name in the annotation */
  name: string;
  min?: number;
  max?: number;
  hard: boolean;
  lo: number;
  hi: number;
}

export interface NightData {
  version: 1;
  files: Array<{ file: string } & GroupData>;
  strata: { field: string; groups: Array<{ value: string } & GroupData> } | null;
  /** rejected records by primary reason (sums to the rejected count) */
  primary: Record<string, number>;
  /** every rule a rejected record failed (a record with several counts under each) */
  matched: Record<string, number>;
  quarantine_reasons: Record<string, number>;
  /** up to EXAMPLES_PER_REASON record ids per primary reason, in the order they were decided */
  examples: Record<string, string[]>;
  p_ai: {
    bins: number;
    declared_human: number[];
    declared_synthetic: number[];
    undeclared: number[];
    /** declared records without a p_ai (provenance trusted, detector not run) */
    declared_unscored: number;
    /** undeclared records the detector abstained on, by its reason (too_short, not_english, disabled, ...) */
    abstained: Record<string, number>;
    /** labels: synthetic at p_ai >= synthetic, human below human (null: origin off) */
    thresholds: { synthetic: number; human: number } | null;
  };
  metrics: Array<MetricSpec & { hist: number[]; missing: number }>;
  /** the night's estimated share over all files (the per-file accumulators merged) */
  share_total: ShareEstimate | null;
  /** records that duplicated a record indexed on an earlier night (null: not known) */
  history_duplicates: number | null;
}

const newGroup = (params: QuantificationParams | null) => ({ in: 0, kept: 0, rejected: 0, quarantined: 0, reasons: {} as Record<string, number>, tail_kept: 0, acc: new ShareAccumulator(params) });
type Group = ReturnType<typeof newGroup>;

/** The axis range of an enabled rule's metric: wide enough to show the threshold and the bulk around it. */
export function metricRange(rule: { min?: number; max?: number }): { lo: number; hi: number } {
  const th = [rule.min, rule.max].filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const top = Math.max(0, ...th);
  const nice = (x: number) => {
    const p = 10 ** Math.floor(Math.log10(x));
    return ([1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * p >= x - 1e-12) ?? 10) * p;
  };
  if (top <= 1) return { lo: 0, hi: top === 0 ? 1 : Math.min(1, nice(top * 2.5)) };
  // counts and lengths: around the lower bound when the upper one is only a sanity limit far away
  const focusMin = rule.min !== undefined && rule.min > 0 && (rule.max === undefined || rule.max > 20 * rule.min);
  return { lo: 0, hi: focusMin ? nice(rule.min! * 10) : nice(top * 1.5) };
}

/** The enabled diversity rules of a config, with their histogram ranges. */
export function metricSpecs(cfg: Config): MetricSpec[] {
  const d: DiversityConfig = cfg.diversity;
  if (!d.enabled) return [];
  return Object.entries(d.rules)
    .filter(([, r]) => r.enabled)
    .map(([name, r]) => ({ name, ...(r.min !== undefined ? { min: r.min } : {}), ...(r.max !== undefined ? { max: r.max } : {}), hard: !!r.hard, ...metricRange(r) }));
}

/** The estimator's parameters for a config's detector (null when origin scoring is off). */
function shareParamsOf(cfg: Config): QuantificationParams | null {
  const o: OriginConfig = cfg.origin;
  return o.enabled ? quantificationParams(loadModel(o.model)) : null;
}

const bump = (m: Record<string, number>, k: string, n = 1) => (m[k] = (m[k] ?? 0) + n);
const addInto = (a: Record<string, number>, b: Record<string, number>) => {
  for (const [k, v] of Object.entries(b)) bump(a, k, v);
};

export class NightStats {
  private readonly fileIndex = new Map<string, number>();
  private readonly fileNames: string[] = [];
  private readonly fileGroups: Group[] = [];
  private readonly strataGroups = new Map<string, Group>();
  private readonly stratumField: string | null;
  readonly primary: Record<string, number> = {};
  readonly matched: Record<string, number> = {};
  readonly quarantineReasons: Record<string, number> = {};
  readonly examples: Record<string, string[]> = {};
  private readonly pAi = { declared_human: new Array<number>(P_AI_BINS).fill(0), declared_synthetic: new Array<number>(P_AI_BINS).fill(0), undeclared: new Array<number>(P_AI_BINS).fill(0), declared_unscored: 0, abstained: {} as Record<string, number> };
  private readonly thresholds: { synthetic: number; human: number } | null;
  private readonly metrics: MetricSpec[];
  /** per metric, flat and typed (this runs for every record): names, axis start and bins per unit, then counts
   * (METRIC_BINS + 1 per metric, the last one the overflow bin) and records without the metric */
  private readonly metricNames: string[];
  private readonly metricLo: Float64Array;
  private readonly metricHi: Float64Array;
  private readonly metricScale: Float64Array;
  private readonly metricHist: Float64Array;
  private readonly metricMissing: Float64Array;
  historyDuplicates: number | null = null;

  /**
   * @param files the night's input files in order: `path` as records' positions name it, `name` as the page shows it
   * @param params the estimator's parameters (default: from the config's detector model)
   */
  constructor(
    cfg: Config,
    files: Array<{ path: string; name: string }>,
    private readonly params: QuantificationParams | null = shareParamsOf(cfg),
  ) {
    for (const f of files) this.fileFor(f.path, f.name);
    const route = cfg.route;
    this.stratumField = route.balanceBy || route.tail?.rareStratum?.field || null;
    const o: OriginConfig = cfg.origin;
    this.thresholds = o.enabled ? { synthetic: effectiveThreshold(o), human: o.humanThreshold } : null;
    this.metrics = metricSpecs(cfg);
    this.metricNames = this.metrics.map((m) => m.name);
    this.metricLo = Float64Array.from(this.metrics, (m) => m.lo);
    this.metricHi = Float64Array.from(this.metrics, (m) => m.hi);
    this.metricScale = Float64Array.from(this.metrics, (m) => METRIC_BINS / (m.hi - m.lo));
    this.metricHist = new Float64Array(this.metrics.length * (METRIC_BINS + 1));
    this.metricMissing = new Float64Array(this.metrics.length);
  }

  private fileFor(path: string, name = path): Group {
    let i = this.fileIndex.get(path);
    if (i === undefined) {
      i = this.fileGroups.length;
      this.fileIndex.set(path, i);
      this.fileNames.push(name);
      this.fileGroups.push(newGroup(this.params));
    }
    return this.fileGroups[i]!;
  }

  /** A file's group by the name the page shows (merging parts: saved parts know names, not paths). */
  private fileNamed(name: string): Group {
    const i = this.fileNames.indexOf(name);
    return i >= 0 ? this.fileGroups[i]! : this.fileFor(name, name);
  }

  private stratumFor(key: string): Group {
    let g = this.strataGroups.get(key);
    if (!g) {
      if (this.strataGroups.size >= MAX_STRATA && key !== OTHER_STRATA) return this.stratumFor(OTHER_STRATA);
      this.strataGroups.set(key, (g = newGroup(this.params)));
    }
    return g;
  }

  private stratumKey(o: Outcome): string {
    const v = o.record ? getPath(o.record, this.stratumField!) : undefined;
    return v === undefined || v === null ? NO_STRATUM : typeof v === 'string' ? v : JSON.stringify(v);
  }

  /** Count one finalised record (any decision). */
  observe(o: Outcome): void {
    const a = o.annotation;
    const file = this.fileFor(o.pos.file);
    const stratum = this.stratumField !== null ? this.stratumFor(this.stratumKey(o)) : null;
    file.in++;
    if (stratum) stratum.in++;
    if (a.decision === 'quarantine') {
      file.quarantined++;
      if (stratum) stratum.quarantined++;
      for (const r of a.reasons) bump(this.quarantineReasons, r);
      return;
    }
    if (a.decision === 'accept') {
      file.kept++;
      if (stratum) stratum.kept++;
      if (a.tail) {
        file.tail_kept++;
        if (stratum) stratum.tail_kept++;
      }
    } else {
      const primary = a.reasons[0] ?? 'unspecified';
      file.rejected++;
      bump(file.reasons, primary);
      if (stratum) {
        stratum.rejected++;
        bump(stratum.reasons, primary);
      }
      bump(this.primary, primary);
      for (const r of a.reasons) bump(this.matched, r);
      const ex = (this.examples[primary] ??= []);
      if (ex.length < EXAMPLES_PER_REASON) ex.push(o.id);
    }
    const declared = a.origin.by === 'declared' && a.origin.label !== 'unknown' ? a.origin.label : null;
    const p = a.origin.p_ai;
    file.acc.add(declared, declared ? null : p);
    if (stratum) stratum.acc.add(declared, declared ? null : p);
    const bin = p === null ? -1 : Math.min(P_AI_BINS - 1, Math.max(0, Math.floor(p * P_AI_BINS)));
    if (declared) {
      if (bin < 0) this.pAi.declared_unscored++;
      else (declared === 'human' ? this.pAi.declared_human : this.pAi.declared_synthetic)[bin]!++;
    } else if (bin < 0) bump(this.pAi.abstained, a.origin.reason ?? 'unscored');
    else this.pAi.undeclared[bin]!++;
    const div = a.diversity;
    for (let k = 0; k < this.metricNames.length; k++) {
      const v = div[this.metricNames[k]!];
      if (typeof v !== 'number' || !(v === v && v !== Infinity && v !== -Infinity)) this.metricMissing[k]!++;
      else this.metricHist[k * (METRIC_BINS + 1) + (v >= this.metricHi[k]! ? METRIC_BINS : Math.max(0, Math.floor((v - this.metricLo[k]!) * this.metricScale[k]!)))]!++;
    }
  }

  /** Add another part's counts (same config; files and strata matched by name). */
  merge(other: NightStats): void {
    other.fileGroups.forEach((g, i) => mergeGroup(this.fileNamed(other.fileNames[i]!), g));
    for (const [k, g] of other.strataGroups) mergeGroup(this.stratumFor(k), g);
    addInto(this.primary, other.primary);
    addInto(this.matched, other.matched);
    addInto(this.quarantineReasons, other.quarantineReasons);
    for (const [k, ids] of Object.entries(other.examples)) {
      const ex = (this.examples[k] ??= []);
      for (const id of ids) if (ex.length < EXAMPLES_PER_REASON) ex.push(id);
    }
    for (const k of ['declared_human', 'declared_synthetic', 'undeclared'] as const) other.pAi[k].forEach((v, i) => (this.pAi[k][i]! += v));
    this.pAi.declared_unscored += other.pAi.declared_unscored;
    addInto(this.pAi.abstained, other.pAi.abstained);
    this.addMetrics(other.metricsData());
    if (other.historyDuplicates !== null) this.historyDuplicates = (this.historyDuplicates ?? 0) + other.historyDuplicates;
  }

  private metricsData(): NightData['metrics'] {
    const w = METRIC_BINS + 1;
    return this.metrics.map((m, k) => ({ ...m, hist: Array.from(this.metricHist.subarray(k * w, (k + 1) * w)), missing: this.metricMissing[k]! }));
  }

  /** Add saved metric histograms (matched by name; another axis is skipped). */
  private addMetrics(ms: NightData['metrics']): void {
    const w = METRIC_BINS + 1;
    this.metrics.forEach((m, k) => {
      const o = ms.find((x) => x.name === m.name && x.lo === m.lo && x.hi === m.hi && x.hist.length === w);
      if (!o) return;
      o.hist.forEach((v, i) => (this.metricHist[k * w + i]! += v));
      this.metricMissing[k]! += o.missing;
    });
  }

  toJSON(): NightData {
    const total = new ShareAccumulator(this.params);
    for (const g of this.fileGroups) total.merge(g.acc);
    return {
      version: 1,
      files: this.fileGroups.map((g, i) => ({ file: this.fileNames[i]!, ...groupData(g) })),
      strata: this.stratumField === null ? null : { field: this.stratumField, groups: [...this.strataGroups].map(([value, g]) => ({ value, ...groupData(g) })) },
      primary: { ...this.primary },
      matched: { ...this.matched },
      quarantine_reasons: { ...this.quarantineReasons },
      examples: Object.fromEntries(Object.entries(this.examples).map(([k, v]) => [k, [...v]])),
      p_ai: { bins: P_AI_BINS, ...structuredClone(this.pAi), thresholds: this.thresholds },
      metrics: this.metricsData(),
      share_total: estimateOf(total),
      history_duplicates: this.historyDuplicates,
    };
  }

  /** A collector holding saved data (for merging saved parts). */
  static fromJSON(cfg: Config, d: NightData, params: QuantificationParams | null = shareParamsOf(cfg)): NightStats {
    const n = new NightStats(cfg, [], params);
    const restore = (g: GroupData): Group => ({ in: g.in, kept: g.kept, rejected: g.rejected, quarantined: g.quarantined, reasons: { ...g.reasons }, tail_kept: g.tail_kept, acc: ShareAccumulator.fromJSON(params, g.acc) });
    for (const f of d.files) mergeGroup(n.fileNamed(f.file), restore(f));
    for (const s of d.strata?.groups ?? []) mergeGroup(n.stratumFor(s.value), restore(s));
    addInto(n.primary, d.primary);
    addInto(n.matched, d.matched);
    addInto(n.quarantineReasons, d.quarantine_reasons);
    for (const [k, v] of Object.entries(d.examples)) n.examples[k] = [...v];
    for (const k of ['declared_human', 'declared_synthetic', 'undeclared'] as const) d.p_ai[k].forEach((v, i) => (n.pAi[k][i]! += v));
    n.pAi.declared_unscored = d.p_ai.declared_unscored;
    addInto(n.pAi.abstained, d.p_ai.abstained);
    n.addMetrics(d.metrics);
    n.historyDuplicates = d.history_duplicates;
    return n;
  }
}

function mergeGroup(into: Group, g: Group): void {
  into.in += g.in;
  into.kept += g.kept;
  into.rejected += g.rejected;
  into.quarantined += g.quarantined;
  into.tail_kept += g.tail_kept;
  addInto(into.reasons, g.reasons);
  into.acc.merge(g.acc);
}

function estimateOf(acc: ShareAccumulator): ShareEstimate | null {
  const e = acc.estimate();
  return e.estimate ?? null;
}

function groupData(g: Group): GroupData {
  return { in: g.in, kept: g.kept, rejected: g.rejected, quarantined: g.quarantined, reasons: { ...g.reasons }, tail_kept: g.tail_kept, share: estimateOf(g.acc), acc: g.acc.toJSON() };
}
