/**
 * Synthetic-share estimation (quantification): the share of machine-written records in a set, from declared
 * provenance where present and, for undeclared records, from the detector's scores corrected for the detector's
 * error rates on unseen sources. Method, interval and validation: docs/synthetic-share.md.
 *
 * The estimator is a running aggregate: O(1) per record, mergeable (workers' parts add up), serialisable.
 */
import { clip01, quantify, type Interval, type QuantMethod, type ScoreSummary, type SourceReference } from './quantify.js';

export interface ShareEstimate {
  value: number;
  low: number;
  high: number;
}

/**
 * Loaded once from the detector model file (origin.model): the quantities the estimator needs. From the file's
 * `quantification` field (written by `npm run calibrate:share`); for a model file without it, a fallback built from
 * the per-source LOSO rates at the model's threshold in `training.loso` (adjusted count, no histograms).
 */
export interface QuantificationParams {
  /** the shipped method (see docs/synthetic-share.md for the comparison) */
  method: QuantMethod;
  /** threshold of the adjusted count (acc) and its per-source rates */
  accThreshold: number;
  /** equal-width p_ai histogram bins on [0, 1] */
  bins: number;
  /** per held-out source: the detector's rates and score distributions (LOSO) */
  sources: SourceReference[];
  /** likelihood ratio machine : human per histogram bin, source-averaged and made non-decreasing (expectedSynthetic) */
  lr: number[] | null;
  /** decision thresholds on p_ai by operating point, e.g. { "fpr:0.01": 0.95 } (LOSO, worst human domain) */
  operatingPoints: Record<string, number>;
  /** a set whose scores' distance from the best reference mixture exceeds this is flagged confidence "low" */
  maxFitDistance: number | null;
}

/** Shape of the model file's `quantification` field. */
export interface QuantificationFile {
  version: 1;
  method: QuantMethod;
  accThreshold: number;
  bins: number;
  sources: SourceReference[];
  operatingPoints: Record<string, number>;
  maxFitDistance?: number | null;
  /** how and when it was computed (free-form, for the model card) */
  provenance?: Record<string, unknown>;
}

const DEFAULT_BINS = 20;

function modelFileOf(model: unknown): Record<string, unknown> | null {
  if (!model || typeof model !== 'object') return null;
  const m = model as Record<string, unknown>;
  if (m.file && typeof m.file === 'object') return m.file as Record<string, unknown>;
  return m;
}

const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Parameters from a loaded origin model (OriginModel or its parsed file); null when it holds none. */
export function quantificationParams(model: unknown): QuantificationParams | null {
  const file = modelFileOf(model);
  if (!file) return null;
  const q = file.quantification as QuantificationFile | undefined;
  if (q && q.version === 1 && Array.isArray(q.sources) && q.sources.length > 0) {
    const bins = isNum(q.bins) && q.bins > 0 ? q.bins : DEFAULT_BINS;
    return {
      method: q.method,
      accThreshold: q.accThreshold,
      bins,
      sources: q.sources,
      lr: likelihoodRatios(q.sources, bins),
      operatingPoints: { ...(q.operatingPoints ?? {}) },
      maxFitDistance: isNum(q.maxFitDistance) ? q.maxFitDistance : null,
    };
  }
  // fallback: training.loso rows { name, humanFpr, aiTpr } at the model's threshold
  const training = file.training as { loso?: Array<Record<string, unknown>> } | undefined;
  const thr = file.threshold;
  const rows = (training?.loso ?? []).filter((r) => typeof r.name === 'string' && !r.name.startsWith('ALL') && isNum(r.humanFpr) && isNum(r.aiTpr));
  if (!isNum(thr) || rows.length < 2) return null;
  return {
    method: 'acc',
    accThreshold: thr,
    bins: DEFAULT_BINS,
    sources: rows.map((r) => ({
      name: r.name as string,
      nHuman: 0,
      nAi: 0,
      meanHuman: NaN,
      meanAi: NaN,
      fpr: r.humanFpr as number,
      tpr: r.aiTpr as number,
    })),
    lr: null,
    operatingPoints: {},
    maxFitDistance: null,
  };
}

/** Source-averaged machine : human likelihood ratio per bin, pooled-adjacent-violators smoothed to non-decreasing. */
function likelihoodRatios(sources: SourceReference[], bins: number): number[] | null {
  if (sources.some((s) => !Array.isArray(s.histHuman) || !Array.isArray(s.histAi))) return null;
  const eps = 1e-4;
  const h = new Array<number>(bins).fill(eps);
  const a = new Array<number>(bins).fill(eps);
  for (const s of sources) {
    for (let b = 0; b < bins; b++) {
      h[b]! += s.histHuman![b]! / sources.length;
      a[b]! += s.histAi![b]! / sources.length;
    }
  }
  // PAV on the ratio a/h with weight (a + h): blocks merged while a ratio decreases
  const blocks: Array<{ a: number; h: number; len: number }> = [];
  for (let b = 0; b < bins; b++) {
    blocks.push({ a: a[b]!, h: h[b]!, len: 1 });
    while (blocks.length > 1) {
      const y = blocks[blocks.length - 1]!;
      const x = blocks[blocks.length - 2]!;
      if (x.a / x.h <= y.a / y.h) break;
      blocks.splice(blocks.length - 2, 2, { a: x.a + y.a, h: x.h + y.h, len: x.len + y.len });
    }
  }
  const out: number[] = [];
  for (const bl of blocks) for (let i = 0; i < bl.len; i++) out.push(bl.a / bl.h);
  return out;
}

/** The histogram bin of a p_ai value. */
export function binOf(p: number, bins: number): number {
  return Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
}

/**
 * The probability that an undeclared record with detector score pAi is machine-written, given the prior share
 * `prior` of machine text among undeclared records and the detector's source-averaged score distributions (LOSO).
 * null pAi (detector abstained) -> the prior. Without histogram parameters, p_ai's odds (calibrated for equal priors)
 * are used as the likelihood ratio.
 */
export function expectedSynthetic(params: QuantificationParams | null, pAi: number | null, prior: number): number {
  const pr = clip01(Number.isFinite(prior) ? prior : 0.5);
  if (pAi === null || !Number.isFinite(pAi)) return pr;
  if (pr === 0 || pr === 1) return pr;
  const p = clip01(pAi);
  const lr = params?.lr ? params.lr[binOf(p, params.bins)]! : p / Math.max(1e-9, 1 - p);
  const o = (lr * pr) / (1 - pr);
  return Number.isFinite(o) ? o / (1 + o) : 1;
}

/** Threshold on p_ai for an operating point: a raw number (or numeric string) in [0, 1], or a key like "fpr:0.01". */
export function thresholdFor(params: QuantificationParams | null, operatingPoint: string | number): number | null {
  if (typeof operatingPoint === 'number') return Number.isFinite(operatingPoint) && operatingPoint >= 0 && operatingPoint <= 1 ? operatingPoint : null;
  const s = String(operatingPoint).trim();
  if (/^(0(\.\d+)?|1(\.0+)?)$/.test(s)) return Number(s);
  const t = params?.operatingPoints[s];
  return isNum(t) ? t : null;
}

export type ShareResult =
  | {
      estimate: ShareEstimate;
      /** method name, e.g. "pacc" (see docs/synthetic-share.md) */
      method: string;
      /** fraction of records with no (valid) declared provenance */
      undeclared: number;
      /** fraction of undeclared records the detector abstained on (too short, not English, code, no model) */
      abstained: number;
      /** "low" when the estimate rests on little evidence or the scores look unlike every validation source */
      confidence: 'ok' | 'low';
      /** why confidence is low (absent when ok) */
      lowConfidenceReason?: string;
      counts: { records: number; declaredHuman: number; declaredSynthetic: number; undeclared: number; abstained: number };
    }
  | { estimate: null; reason: string };

/** Fewer scored undeclared records than this: the estimate is flagged low confidence. */
const MIN_SCORED = 30;

export class ShareAccumulator {
  private declaredHuman = 0;
  private declaredSynthetic = 0;
  private abstainedN = 0;
  private readonly s: ScoreSummary;

  constructor(private readonly params: QuantificationParams | null) {
    this.s = { n: 0, sumP: 0, sumP2: 0, above: 0, hist: new Array<number>(params?.bins ?? DEFAULT_BINS).fill(0) };
  }

  /** declared: provenance label from the record, or null when undeclared/invalid; pAi: detector probability or null */
  add(declared: 'human' | 'synthetic' | null, pAi: number | null): void {
    if (declared === 'human') this.declaredHuman++;
    else if (declared === 'synthetic') this.declaredSynthetic++;
    else if (pAi === null || !Number.isFinite(pAi)) this.abstainedN++;
    else {
      const p = clip01(pAi);
      const s = this.s;
      s.n++;
      s.sumP += p;
      s.sumP2 += p * p;
      if (p >= (this.params?.accThreshold ?? 0.5)) s.above++;
      s.hist[binOf(p, s.hist.length)]!++;
    }
  }

  merge(other: ShareAccumulator): void {
    if (other.s.hist.length !== this.s.hist.length) throw new Error('share accumulator: cannot merge parts with different bins');
    this.declaredHuman += other.declaredHuman;
    this.declaredSynthetic += other.declaredSynthetic;
    this.abstainedN += other.abstainedN;
    this.s.n += other.s.n;
    this.s.sumP += other.s.sumP;
    this.s.sumP2 += other.s.sumP2;
    this.s.above += other.s.above;
    for (let b = 0; b < this.s.hist.length; b++) this.s.hist[b]! += other.s.hist[b]!;
  }

  /** The share among the scored undeclared records alone (null when there are none). */
  scoredShare(): (ShareEstimate & { method: string }) | null {
    if (this.s.n === 0) return null;
    if (!this.params) {
      // no validation data: mean p_ai with no error correction, interval all-human .. all-machine
      return { value: this.s.sumP / this.s.n, low: 0, high: 1, method: 'unadjusted' };
    }
    const iv: Interval = quantify(this.params.method, this.s, this.params.sources, this.params.bins);
    return { ...iv, method: this.params.method };
  }

  estimate(): ShareResult {
    const undeclared = this.s.n + this.abstainedN;
    const records = this.declaredHuman + this.declaredSynthetic + undeclared;
    if (records === 0) return { estimate: null, reason: 'no records' };
    const scored = this.scoredShare();
    // abstained records: point as the scored ones (or 0.5 with none scored), bounds 0 and 1 (they may be anything)
    const th = scored ?? { value: 0.5, low: 0, high: 1, method: this.params ? this.params.method : 'unadjusted' };
    const ds = this.declaredSynthetic;
    const value = (ds + th.value * this.s.n + th.value * this.abstainedN) / records;
    const low = (ds + th.low * this.s.n) / records;
    const high = (ds + th.high * this.s.n + this.abstainedN) / records;
    let lowReason: string | undefined;
    if (undeclared > 0 && this.s.n < MIN_SCORED) lowReason = `only ${this.s.n} undeclared records were scored by the detector`;
    else if (undeclared > 0 && !this.params) lowReason = 'the detector model holds no validation rates';
    const round = (x: number): number => Math.round(clip01(x) * 1e6) / 1e6;
    return {
      estimate: { value: round(value), low: round(Math.min(low, value)), high: round(Math.max(high, value)) },
      method: undeclared === 0 ? 'declared' : th.method,
      undeclared: undeclared / records,
      abstained: undeclared > 0 ? this.abstainedN / undeclared : 0,
      confidence: lowReason ? 'low' : 'ok',
      ...(lowReason ? { lowConfidenceReason: lowReason } : {}),
      counts: {
        records,
        declaredHuman: this.declaredHuman,
        declaredSynthetic: ds,
        undeclared,
        abstained: this.abstainedN,
      },
    };
  }

  toJSON(): unknown {
    const s = this.s;
    return { v: 1, dh: this.declaredHuman, ds: this.declaredSynthetic, ab: this.abstainedN, n: s.n, sumP: s.sumP, sumP2: s.sumP2, above: s.above, hist: [...s.hist] };
  }

  static fromJSON(params: QuantificationParams | null, j: unknown): ShareAccumulator {
    const o = j as Record<string, unknown> | null;
    const bins = params?.bins ?? DEFAULT_BINS;
    const counts = ['dh', 'ds', 'ab', 'n', 'above'];
    if (
      !o ||
      typeof o !== 'object' ||
      o.v !== 1 ||
      !counts.every((k) => Number.isInteger(o[k]) && (o[k] as number) >= 0) ||
      !isNum(o.sumP) ||
      !isNum(o.sumP2) ||
      !Array.isArray(o.hist) ||
      o.hist.length !== bins ||
      !o.hist.every((x) => Number.isInteger(x) && x >= 0)
    ) {
      throw new Error('share accumulator: saved state is malformed or from another model');
    }
    const a = new ShareAccumulator(params);
    a.declaredHuman = o.dh as number;
    a.declaredSynthetic = o.ds as number;
    a.abstainedN = o.ab as number;
    a.s.n = o.n as number;
    a.s.sumP = o.sumP;
    a.s.sumP2 = o.sumP2;
    a.s.above = o.above as number;
    a.s.hist = (o.hist as number[]).slice();
    return a;
  }
}
