/**
 * The one streaming core. InputItem batches in, Outcomes out. Per record: validate -> features (once) -> scorers
 * (pure) -> router (decides) -> its state effects, applied in input order (effects.ts: `index` when the router
 * lets a record through or holds it for quota, `unindex` when the synthetic cap finally rejects it) -> outcome. The
 * CLI, the Node Transform and the batch job are thin shells around `FilterCore`.
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import { createFeaturizer, presetFeatures, type Featurizer, type FeatureParts } from '../text/features.js';
import { hash64, hashJson64, hex32 } from '../text/hash.js';
import { Router, type Routed, type Scored } from '../route/router.js';
import { buildScorers } from '../score/build.js';
import type { Scorers } from '../score/registry.js';
import type { Annotation, DupScore, Features, InputItem, JsonRecord, Outcome, ReasonCode, SourcePos } from '../types.js';
import { ScorerEffects, type EffectApplier } from './effects.js';
import { INTERNALS, type CoreOutcome } from './outcome-internals.js';
import { ShareTracker, shareParams } from './share.js';
import { countDecision, countInput, countTail, newStats, type Stats } from './stats.js';

/** Quarantine reason codes produced by record validation (the readers add their own). */
export const QUARANTINE_REASONS = {
  missingText: 'missing_text',
  nonStringText: 'non_string_text',
  emptyText: 'empty_text',
  textTooLong: 'text_too_long',
  /** `clean`: an input part whose map task kept failing (src/scale/map-task.ts) */
  taskFailed: 'task_failed',
} as const;

export { newStats, tailRetention, type Stats } from './stats.js';

const NON_BLANK = /\S/;

/** A record after the pure half of processing: quarantined, or scored except for duplicates. */
export type Prepared =
  | { kind: 'q'; seq: number; id: string; reason: ReasonCode; detail: string; pos: SourcePos; bytes: number; record: JsonRecord | null; raw: string | undefined }
  | ({ kind: 's' } & Scored);

export interface CoreOptions {
  /** assign named, rotated shards (directory mode) */
  shards?: boolean;
  /** emit outcomes in input order (the `score` command); otherwise in decision order */
  inputOrder?: boolean;
  /** scorers override (tests) */
  scorers?: Scorers;
}

const emptyAnnotation = (): Annotation => ({
  decision: 'accept',
  reasons: [],
  dup: { kind: null, of: null, similarity: null },
  diversity: {},
  origin: { p_ai: null, label: 'unknown', by: 'none' },
  tail: false,
  shard: null,
});

/** The id of an input line that is not a record (stable: from its file and line). */
export function badLineId(pos: SourcePos): string {
  return `sf-bad-${hex32(hash64(`${pos.file}:${pos.line}`)[0]!)}`;
}

export class FilterCore {
  readonly stats: Stats = newStats();
  private readonly featurize: Featurizer;
  private readonly router: Router;
  private readonly scorers: Scorers;
  /** commits the decisions' dedup effects to this core's own dedup scorer */
  private readonly effects: EffectApplier;
  private seq = 0;
  private nextOut = 0; // input-order mode: next seq to emit
  private pending = new Map<number, Outcome>(); // input-order mode: finished outcomes waiting for earlier ones
  private readonly textField: string;
  private readonly idField: string;

  constructor(readonly cfg: Config, private readonly opts: CoreOptions = {}) {
    const d = cfg.dedup;
    this.featurize = createFeaturizer({ ...d.normalize, shingleUnit: d.shingle.unit, shingleSize: d.shingle.size, seed: d.seed });
    this.scorers = opts.scorers ?? buildScorers(cfg);
    this.effects = new ScorerEffects(this.scorers.dedup);
    const quantification = shareParams(cfg);
    this.stats.syntheticShare = ShareTracker.forConfig(cfg, quantification);
    this.router = new Router(cfg, { shards: !!opts.shards, labelOf: this.scorers.labelOf, quantification });
    this.textField = cfg.input.textField;
    this.idField = cfg.input.idField;
  }

  /** Records currently held by the router (waiting synthetic) or by the input-order buffer. */
  get inFlight(): number {
    return this.router.waitingCount + this.pending.size;
  }

  private emit(o: Outcome, seq: number, out: Outcome[]): void {
    countDecision(this.stats, o.annotation, o.record);
    if (!this.opts.inputOrder) {
      out.push(o);
      return;
    }
    this.pending.set(seq, o);
    while (this.pending.has(this.nextOut)) {
      out.push(this.pending.get(this.nextOut)!);
      this.pending.delete(this.nextOut++);
    }
  }

  private quarantine(
    seq: number,
    reason: ReasonCode,
    detail: string,
    pos: SourcePos,
    bytes: number,
    record: JsonRecord | null,
    raw: string | undefined,
    id: string,
    out: Outcome[],
  ): void {
    const annotation: Annotation = { ...emptyAnnotation(), decision: 'quarantine', reasons: [reason], source: pos, detail };
    const o: CoreOutcome = { id, record, annotation, raw, pos, bytes };
    o[INTERNALS] = { seq };
    this.emit(o, seq, out);
  }

  private finalize(r: Routed, out: Outcome[]): void {
    const s = r.scored;
    const ann = emptyAnnotation();
    ann.decision = r.decision;
    ann.reasons = r.reasons;
    if (s.dup) ann.dup = { kind: s.dup.kind, of: s.dup.of, similarity: s.dup.similarity };
    if (s.diversity) {
      // one spread instead of a key-by-key copy (this runs once per record on the routing thread)
      const d: Annotation['diversity'] = s.diversity.reason
        ? { lang: s.diversity.lang, lang_confidence: s.diversity.langConfidence, mode: s.diversity.mode, mode_reason: s.diversity.reason, ...s.diversity.metrics }
        : { lang: s.diversity.lang, lang_confidence: s.diversity.langConfidence, mode: s.diversity.mode, ...s.diversity.metrics };
      ann.diversity = d;
    }
    if (s.origin) {
      ann.origin = { p_ai: s.origin.p_ai, label: r.label, by: s.origin.by };
      if (s.origin.reason) ann.origin.reason = s.origin.reason;
      if (s.origin.top) ann.origin.top = s.origin.top;
    } else ann.origin.label = r.label;
    if (r.mass !== undefined) ann.origin.synthetic_mass = r.mass;
    ann.tail = r.tail;
    if (r.tail) {
      ann.tail_rule = r.tailRule;
      if (r.waived.length) ann.waived = r.waived;
      countTail(this.stats, r.decision === 'accept', r.hard);
    }
    ann.shard = r.shard;
    if (r.decision === 'reject' && r.reasons.includes('synthetic_cap') && this.scorers.dedup) {
      // a capped synthetic record leaves the index so it does not suppress later twins
      this.effects.apply({ kind: 'unindex', id: s.id, features: s.features });
    }
    const o: CoreOutcome = { id: s.id, record: s.record, annotation: ann, pos: s.pos, bytes: s.bytes, raw: s.line };
    o[INTERNALS] = { seq: s.seq, rawChunk: s.lineChunk, rawStart: s.lineStart, rawEnd: s.lineEnd, features: s.features };
    this.emit(o, s.seq, out);
  }

  private idFor(record: JsonRecord, text: string | null): string {
    const v = getPath(record, this.idField);
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isFinite(v)) return String(v);
    // a record without text: hashed as its JSON text, by an iterative walk (any nesting depth is safe)
    const h = text !== null ? hash64(text) : hashJson64(record);
    return `sf-${hex32(h[0]!)}${hex32(h[1]!)}`;
  }

  /** Process one batch; returns the outcomes finalised by it. Async so that remote state backends fit the seam. */
  async processBatch(items: InputItem[]): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const it of items) this.processItem(it, out);
    return out;
  }

  /**
   * The pure half of processing one input item: validation and the per-record scorers (diversity, origin). It
   * reads no run state, so the nightly job runs it in worker threads. Quarantine is decided here.
   */
  prepare(it: InputItem, seq: number): Prepared {
    if (it.kind === 'bad') {
      const id = badLineId(it.pos);
      return { kind: 'q', seq, id, reason: it.reason, detail: it.detail, pos: it.pos, bytes: it.bytes, record: null, raw: it.raw };
    }
    const rec = it.record;
    const text = getPath(rec, this.textField);
    const id = this.idFor(rec, typeof text === 'string' ? text : null);
    const q = (reason: ReasonCode, detail: string): Prepared => ({ kind: 'q', seq, id, reason, detail, pos: it.pos, bytes: it.bytes, record: rec, raw: it.line });
    if (text === undefined || text === null) return q(QUARANTINE_REASONS.missingText, `no text at field "${this.textField}"`);
    if (typeof text !== 'string') return q(QUARANTINE_REASONS.nonStringText, `field "${this.textField}" is ${Array.isArray(text) ? 'an array' : typeof text}, not a string`);
    if (!NON_BLANK.test(text)) return q(QUARANTINE_REASONS.emptyText, `field "${this.textField}" is empty or whitespace`);
    const features = this.featurize(text);
    if (text.length * 3 > this.cfg.input.maxTextBytes && features.byteLength > this.cfg.input.maxTextBytes) {
      return q(QUARANTINE_REASONS.textTooLong, `text of ${features.byteLength} bytes exceeds input.maxTextBytes=${this.cfg.input.maxTextBytes}`);
    }
    const ctx = { recordIndex: seq };
    const sc = this.scorers;
    const diversity = sc.diversity ? sc.diversity(rec, features) : null;
    const origin = sc.origin ? sc.origin(rec, features, ctx) : null;
    const ruleFailures = diversity && sc.diversityRules ? sc.diversityRules(diversity) : [];
    return { kind: 's', seq, id, record: rec, features, bytes: it.bytes || features.byteLength, pos: it.pos, line: it.line, lineChunk: it.lineChunk, lineStart: it.lineStart, lineEnd: it.lineEnd, dup: null, diversity, origin, ruleFailures };
  }

  /** Features for a prepared record restored from a spool: recomputed from the text, or with the parts the scoring
   * thread computed ahead already in place. */
  featuresOf(text: string, parts?: FeatureParts): Features {
    return parts ? presetFeatures(this.featurize, text, parts) : this.featurize(text);
  }

  textOf(record: JsonRecord): string {
    return getPath(record, this.textField) as string;
  }

  /** Count an input item (the nightly job counts items it did not read itself). */
  countInput(bytes: number): void {
    countInput(this.stats, bytes);
  }

  /**
   * The stateful half: route a prepared record (dup score supplied by the caller or computed here), apply state
   * effects in input order after the decision, and finalise outcomes.
   */
  decide(p: Prepared, out: Outcome[], dup?: DupScore | null, extraReasons?: ReasonCode[]): void {
    if (p.kind === 'q') {
      this.quarantine(p.seq, p.reason, p.detail, p.pos, p.bytes, p.record, p.raw, p.id, out);
      return;
    }
    const sc = this.scorers;
    p.dup = dup !== undefined ? dup : sc.dedup ? sc.dedup.score(p.record, p.features, { recordIndex: p.seq }) : null;
    if (extraReasons?.length) p.extraReasons = extraReasons;
    const res = this.router.push(p);
    // the decision's state effect, in input order: a record let through (or held for quota) joins the index, when
    // its duplicate check ran here (a caller that supplies `dup` owns the index: the nightly job, effects.ts)
    if (res.provisional && sc.dedup && dup === undefined) this.effects.apply({ kind: 'index', id: p.id, features: p.features });
    for (const r of res.done) this.finalize(r, out);
  }

  processItem(it: InputItem, out: Outcome[]): void {
    const seq = this.seq++;
    this.countInput(it.bytes);
    this.decide(this.prepare(it, seq), out);
  }

  /** Tail statistics for the nightly job's state. */
  tailSnapshot(): { docs: number; df: Uint32Array } {
    return this.router.snapshot();
  }

  restoreTail(snap: { docs: number; df: Uint32Array }): void {
    this.router.restore(snap);
  }

  /** End of input: release or reject whatever waits. */
  async end(): Promise<Outcome[]> {
    const out: Outcome[] = [];
    for (const r of this.router.end()) this.finalize(r, out);
    return out;
  }
}
