/**
 * The honest synthetic share of a run (issue 18): a running estimate, with an interval, of the share of
 * machine-written text in the run's input, in its accepted output and in each shard. Every finalised record feeds
 * it once (O(1)); the estimator itself (score/origin/prevalence.ts) corrects the detector's error rates.
 *
 * A record counts as declared when its trusted provenance field named a label, otherwise as undeclared with the
 * detector's p_ai (null: the detector abstained, e.g. a text too short to judge). A provenance field holding a value
 * that is neither listed as human nor as synthetic (or is not a JSON scalar) is invalid: the record is undeclared
 * and counted in `provenance_invalid`.
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import { loadModel, type OriginConfig } from '../score/origin/index.js';
import { ShareAccumulator, quantificationParams, type QuantificationParams, type ShareEstimate } from '../score/origin/prevalence.js';
import type { Annotation, JsonRecord } from '../types.js';

export type { ShareEstimate } from '../score/origin/prevalence.js';

/** `synthetic_share.estimate` in a manifest (null when the input has no estimate: see `ShareReport.reason`). */
export interface ShareEstimateBlock {
  input: ShareEstimate;
  /** null when nothing was accepted */
  accepted: ShareEstimate | null;
  method: string;
  /** fraction of the (non-quarantined) input records with no declared provenance */
  undeclared: number;
  /** fraction of the undeclared records the detector did not score (too short, not English, code, detector off) */
  abstained: number;
  /** the estimator's confidence in the input estimate: "low" when it rests on little evidence or on scores unlike
   * every validation source (the reason says which) */
  confidence?: 'ok' | 'low';
  low_confidence_reason?: string;
}

/** What a run reports about its synthetic share beyond the label counts. */
export interface ShareReport {
  estimate: ShareEstimateBlock | null;
  /** why `estimate` is null (no records, origin scoring off) */
  estimate_reason?: string;
  /** records whose declared provenance field held an unlisted or malformed value (counted as undeclared) */
  provenance_invalid: number;
}

/** Quantification parameters of the configured detector model; null when the detector is off. */
export function shareParams(cfg: Config): QuantificationParams | null {
  const o: Partial<OriginConfig> = cfg.origin;
  if (!o.enabled) return null;
  return quantificationParams(loadModel(o.model ?? ''));
}

type Declared = 'human' | 'synthetic' | null;

export class ShareTracker {
  readonly input: ShareAccumulator;
  readonly accepted: ShareAccumulator;
  private readonly shards = new Map<string, ShareAccumulator>();
  /** the shard fed last (accepted records come shard after shard): no map lookup per record */
  private lastShard: string | null = null;
  private lastAcc: ShareAccumulator | null = null;
  /** non-quarantined records seen, undeclared ones, and undeclared ones the detector abstained on (by reason) */
  records = 0;
  undeclared = 0;
  abstained: Record<string, number> = {};
  provenanceInvalid = 0;
  private readonly field: string | null;
  private readonly listed: unknown[];
  private readonly read: ((record: JsonRecord) => unknown) | null;

  /**
   * @param params the estimator's parameters (null: detector off or no parameters in the model)
   * @param origin the origin config section (declared provenance); null when origin scoring is off altogether
   */
  constructor(private readonly params: QuantificationParams | null, private readonly origin: Partial<OriginConfig> | null) {
    this.input = new ShareAccumulator(params);
    this.accepted = new ShareAccumulator(params);
    this.field = origin?.declared?.field ? origin.declared.field : null;
    this.read = this.field === null ? null : pathReader(this.field);
    this.listed = [...(origin?.declared?.synthetic ?? []), ...(origin?.declared?.human ?? [])];
  }

  static forConfig(cfg: Config, params: QuantificationParams | null = shareParams(cfg)): ShareTracker {
    const o: Partial<OriginConfig> = cfg.origin;
    const on = o.enabled || !!o.declared?.field;
    return new ShareTracker(params, on ? o : null);
  }

  /** Feed one finalised, non-quarantined record. */
  observe(a: Annotation, record: JsonRecord | null): void {
    this.records++;
    let declared: Declared = null;
    let pAi: number | null = null;
    if (a.origin.by === 'declared' && a.origin.label !== 'unknown') declared = a.origin.label;
    else {
      pAi = a.origin.p_ai;
      this.undeclared++;
      if (pAi === null) {
        const why = a.origin.reason ?? 'disabled';
        this.abstained[why] = (this.abstained[why] ?? 0) + 1;
      }
      if (this.field !== null && record !== null && this.invalid(record)) this.provenanceInvalid++;
    }
    this.input.add(declared, pAi);
    if (a.decision !== 'accept') return;
    this.accepted.add(declared, pAi);
    if (a.shard === null) return;
    if (a.shard !== this.lastShard) {
      let s = this.shards.get(a.shard);
      if (!s) this.shards.set(a.shard, (s = new ShareAccumulator(this.params)));
      this.lastShard = a.shard;
      this.lastAcc = s;
    }
    this.lastAcc!.add(declared, pAi);
  }

  /** Add another part's counts (the same config): a new tracker equal to one that observed both parts. */
  merge(other: ShareTracker): ShareTracker {
    const m = new ShareTracker(this.params, this.origin);
    for (const t of [this, other]) {
      m.input.merge(t.input);
      m.accepted.merge(t.accepted);
      for (const [name, acc] of t.shards) {
        let s = m.shards.get(name);
        if (!s) m.shards.set(name, (s = new ShareAccumulator(this.params)));
        s.merge(acc);
      }
      m.records += t.records;
      m.undeclared += t.undeclared;
      m.provenanceInvalid += t.provenanceInvalid;
      for (const [k, n] of Object.entries(t.abstained)) m.abstained[k] = (m.abstained[k] ?? 0) + n;
    }
    return m;
  }

  /** A provenance value that is present but names no label (null counts as absent unless it is listed). */
  private invalid(record: JsonRecord): boolean {
    const v = this.read!(record);
    if (v === undefined || v === null) return false;
    // the lists as declaredLabel compares them: JSON values of the same type only
    return !this.listed.includes(v as string);
  }

  /** Undeclared records the detector abstained on, whatever the reason. */
  get abstainedCount(): number {
    let n = 0;
    for (const k in this.abstained) n += this.abstained[k]!;
    return n;
  }

  /** The estimate of one shard's records (null when the shard is unknown or empty). */
  shard(name: string): ShareEstimate | null {
    const s = this.shards.get(name);
    const e = s?.estimate();
    return e && e.estimate ? e.estimate : null;
  }

  report(): ShareReport {
    const out: ShareReport = { estimate: null, provenance_invalid: this.provenanceInvalid };
    if (this.origin === null) {
      out.estimate_reason = 'origin scoring is off (origin.enabled false and no origin.declared.field)';
      return out;
    }
    const i = this.input.estimate();
    if (i.estimate === null) {
      out.estimate_reason = this.records === 0 ? 'no records (every input line was quarantined or the input was empty)' : i.reason;
      return out;
    }
    const a = this.accepted.estimate();
    out.estimate = {
      input: i.estimate,
      accepted: a.estimate,
      method: i.method,
      undeclared: this.records ? this.undeclared / this.records : 0,
      abstained: this.undeclared ? this.abstainedCount / this.undeclared : 0,
    };
    const q = i as { confidence?: 'ok' | 'low'; lowConfidenceReason?: string };
    if (q.confidence) out.estimate.confidence = q.confidence;
    if (q.lowConfidenceReason) out.estimate.low_confidence_reason = q.lowConfidenceReason;
    return out;
  }

  toJSON(): ShareReport {
    return this.report();
  }

  /** The running counts, to carry them to another process (`restoreSaved` on a new tracker of the same config). */
  saved(): SavedShare {
    return {
      input: this.input.toJSON(),
      accepted: this.accepted.toJSON(),
      shards: [...this.shards].map(([name, acc]) => [name, acc.toJSON()]),
      records: this.records,
      undeclared: this.undeclared,
      abstained: { ...this.abstained },
      provenanceInvalid: this.provenanceInvalid,
    };
  }

  /** Add saved counts to this tracker (a new tracker then equals the one that saved them). */
  restoreSaved(s: SavedShare): void {
    this.input.merge(ShareAccumulator.fromJSON(this.params, s.input));
    this.accepted.merge(ShareAccumulator.fromJSON(this.params, s.accepted));
    for (const [name, j] of s.shards) {
      let acc = this.shards.get(name);
      if (!acc) this.shards.set(name, (acc = new ShareAccumulator(this.params)));
      acc.merge(ShareAccumulator.fromJSON(this.params, j));
    }
    this.records += s.records;
    this.undeclared += s.undeclared;
    this.provenanceInvalid += s.provenanceInvalid;
    for (const [k, n] of Object.entries(s.abstained)) this.abstained[k] = (this.abstained[k] ?? 0) + n;
  }
}

/** A tracker's running counts as JSON (ShareTracker.saved). */
export interface SavedShare {
  input: unknown;
  accepted: unknown;
  shards: Array<[string, unknown]>;
  records: number;
  undeclared: number;
  abstained: Record<string, number>;
  provenanceInvalid: number;
}

/**
 * `getPath(record, path)` with the path split once: this runs for every undeclared record, and splitting the path on
 * each call (an allocation) cost more than the rest of the estimate's bookkeeping.
 */
function pathReader(path: string): (record: JsonRecord) => unknown {
  const parts = path.split('.');
  if (parts.length === 1) return (record) => getPath(record, path);
  const own = (o: unknown, k: string): o is Record<string, unknown> =>
    typeof o === 'object' && o !== null && !Array.isArray(o) && Object.prototype.hasOwnProperty.call(o, k);
  return (record) => {
    if (own(record, path)) return record[path];
    let o: unknown = record;
    for (const p of parts) {
      if (!own(o, p)) return undefined;
      o = o[p];
    }
    return o;
  };
}

const f2 = (x: number) => x.toFixed(2);

/** The summary-line fragment: `synthetic≈0.71 [0.55, 0.86] accepted≈0.20 [0.12, 0.31]` ('' when no estimate). */
export function shareSummary(e: { input: ShareEstimate; accepted: ShareEstimate | null } | null | undefined): string {
  if (!e) return '';
  const one = (x: ShareEstimate) => `≈${f2(x.value)} [${f2(x.low)}, ${f2(x.high)}]`;
  return `synthetic${one(e.input)}${e.accepted ? ` accepted${one(e.accepted)}` : ''}`;
}
