/**
 * The router holds every threshold and takes every decision. Scorers measure; the router reads their numbers,
 * the config, and its own running state (shard fill, synthetic buffer) and finalises records, possibly later
 * than they arrive (a synthetic record may wait in the buffer for quota).
 */
import type { Config } from '../config/index.js';
import { hashString } from '../text/hash.js';
import type { DiversityScore, DupScore, Features, JsonRecord, OriginLabel, OriginScore, ReasonCode, SourcePos } from '../types.js';

export interface Scored {
  seq: number;
  id: string;
  record: JsonRecord;
  features: Features;
  bytes: number;
  pos: SourcePos;
  line?: string;
  dup: DupScore | null;
  diversity: DiversityScore | null;
  origin: OriginScore | null;
  /** failing diversity rules in order, from the diversity module's evaluateRules */
  ruleFailures: Array<{ code: string; hard: boolean }>;
}

export interface Routed {
  scored: Scored;
  decision: 'accept' | 'reject';
  reasons: ReasonCode[];
  label: OriginLabel;
  tail: boolean;
  tailRule: string | null;
  shard: string | null;
}

export interface PushResult {
  /** the record passed every rule and is accepted or waiting for quota: its dedup state should be committed */
  provisional: boolean;
  /** records finalised by this push (this one and/or earlier waiting ones), in finalisation order */
  done: Routed[];
}

/** Reasons the router emits itself. */
export const ROUTE_REASONS = {
  exactDup: 'exact_dup',
  nearDup: 'near_dup',
  syntheticCap: 'synthetic_cap',
} as const;

export interface RouterOptions {
  /** name shards (directory mode); when false, the whole output is one unnamed shard */
  shards: boolean;
  /** origin label function (origin module); null when origin scoring is off */
  labelOf?: (o: OriginScore | null, record: JsonRecord) => OriginLabel;
}

export const shardName = (i: number) => `shard-${String(i).padStart(5, '0')}`;

interface Waiting {
  s: Scored;
  value: number; // priority: higher is kept first
  tie: number;
}

export class Router {
  private readonly share: number;
  private readonly bufferCap: number;
  private readonly maxWait: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private shardIdx = 0;
  private n = 0; // records in current shard
  private syn = 0; // synthetic records in current shard
  private bytes = 0;
  /** waiting synthetic records, sorted by ascending priority (index 0 = lowest value) */
  private waiting: Waiting[] = [];

  constructor(private readonly cfg: Config, private readonly opts: RouterOptions) {
    this.share = cfg.route.maxSyntheticShare;
    this.bufferCap = cfg.route.syntheticBuffer;
    this.maxWait = cfg.route.maxWait;
    this.maxRecords = opts.shards ? cfg.output.shardMaxRecords : Infinity;
    this.maxBytes = opts.shards ? cfg.output.shardMaxBytes : Infinity;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  private label(s: Scored): OriginLabel {
    return this.opts.labelOf ? this.opts.labelOf(s.origin, s.record) : 'unknown';
  }

  private countsSynthetic(label: OriginLabel): boolean {
    return label === 'synthetic' || (label === 'unknown' && this.cfg.route.unknownCountsAs === 'synthetic');
  }

  /** Can one more synthetic record enter the current shard without breaking the cap (prefix-exact)? */
  private roomForSynthetic(): boolean {
    return this.syn + 1 <= this.share * (this.n + 1) + 1e-9;
  }

  private place(s: Scored, synthetic: boolean, label: OriginLabel, out: Routed[]): void {
    if (this.n > 0 && (this.n >= this.maxRecords || this.bytes + s.bytes > this.maxBytes)) {
      this.shardIdx++;
      this.n = 0;
      this.syn = 0;
      this.bytes = 0;
    }
    this.n++;
    if (synthetic) this.syn++;
    this.bytes += s.bytes;
    out.push({ scored: s, decision: 'accept', reasons: [], label, tail: false, tailRule: null, shard: this.opts.shards ? shardName(this.shardIdx) : null });
  }

  /** Rotation may open a new empty shard, which has no room; check room after a would-be rotation. */
  private roomAfterRotation(nextBytes: number): boolean {
    if (this.n > 0 && (this.n >= this.maxRecords || this.bytes + nextBytes > this.maxBytes)) return 1 <= this.share * 1 + 1e-9;
    return this.roomForSynthetic();
  }

  private release(out: Routed[]): void {
    while (this.waiting.length) {
      const top = this.waiting[this.waiting.length - 1]!;
      if (!this.roomAfterRotation(top.s.bytes)) break;
      this.waiting.pop();
      this.place(top.s, true, this.label(top.s), out);
    }
  }

  private reject(s: Scored, reasons: ReasonCode[], label: OriginLabel, out: Routed[]): void {
    out.push({ scored: s, decision: 'reject', reasons, label, tail: false, tailRule: null, shard: null });
  }

  private priority(s: Scored): Waiting {
    const m = s.diversity?.metrics;
    const v = (m?.['mattr'] ?? m?.['distinct_2'] ?? 0) as number;
    return { s, value: v, tie: hashString(s.id, this.cfg.route.seed) };
  }

  private insertWaiting(w: Waiting): void {
    const a = this.waiting;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = a[mid]!;
      if (m.value < w.value || (m.value === w.value && (m.tie < w.tie || (m.tie === w.tie && m.s.seq > w.s.seq)))) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, w);
  }

  push(s: Scored): PushResult {
    const done: Routed[] = [];
    const label = this.label(s);
    const reasons: ReasonCode[] = [];
    if (s.dup?.kind === 'exact') reasons.push(ROUTE_REASONS.exactDup);
    else if (s.dup?.kind === 'near') reasons.push(ROUTE_REASONS.nearDup);
    for (const f of s.ruleFailures) reasons.push(f.code);
    // age out waiting records so a record never waits more than maxWait input records
    while (this.waiting.length) {
      let oldest = -1;
      for (let i = 0; i < this.waiting.length; i++) if (s.seq - this.waiting[i]!.s.seq > this.maxWait) { oldest = i; break; }
      if (oldest < 0) break;
      const [w] = this.waiting.splice(oldest, 1);
      this.reject(w!.s, [ROUTE_REASONS.syntheticCap], this.label(w!.s), done);
    }
    if (reasons.length) {
      this.reject(s, reasons, label, done);
      return { provisional: false, done };
    }
    if (this.countsSynthetic(label)) {
      if (this.waiting.length === 0 && this.roomAfterRotation(s.bytes)) {
        this.place(s, true, label, done);
      } else {
        this.insertWaiting(this.priority(s));
        if (this.waiting.length > this.bufferCap) {
          const [w] = this.waiting.splice(0, 1);
          this.reject(w!.s, [ROUTE_REASONS.syntheticCap], this.label(w!.s), done);
        }
      }
    } else {
      this.place(s, false, label, done);
      this.release(done);
    }
    return { provisional: true, done };
  }

  /** End of stream: whatever still waits has no room and is rejected with synthetic_cap. */
  end(): Routed[] {
    const done: Routed[] = [];
    this.release(done);
    const rest = this.waiting.sort((a, b) => a.s.seq - b.s.seq);
    this.waiting = [];
    for (const w of rest) this.reject(w.s, [ROUTE_REASONS.syntheticCap], this.label(w.s), done);
    return done;
  }
}
