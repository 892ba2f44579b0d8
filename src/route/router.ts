/**
 * The router holds every threshold and takes every decision. Scorers measure; the router reads their numbers, the
 * config and its own running state (shard fill, synthetic buffer, document frequencies, strata and cluster counts)
 * and finalises records, possibly later than they arrive (a synthetic record may wait in the buffer for quota).
 *
 * Decision order for one record (README "Routing semantics"):
 *   1. hard rejections: exact/near duplicate, hard diversity rules, synthetic reuse     -> reject, never waived
 *   2. tail: a human/unknown record rare by a tail rule is protected from 3-5
 *   3. soft diversity rules                                                               -> reject unless tail
 *   4. balancing: stratum cap (route.balanceBy) and cluster cap (route.maxClusterSize)   -> reject unless tail
 *   5. synthetic cap: synthetic records wait for quota in every shard                     -> synthetic_cap
 *
 * The cap counts labels (route.capBasis "labels": a synthetic-labelled record weighs 1, any other 0) or expected
 * synthetic mass ("expected", expected-mass.ts: an undeclared record weighs its adjusted probability of being
 * machine-written). Either way a record that may push its shard over the cap waits in the buffer, lightest first
 * ("expected": the most likely synthetic undeclared records are the ones left waiting and dropped); declared-human
 * and tail records weigh 0 and are never held back.
 *
 * The decisions are all in `push` (and `capByMass`, `end`); the statistics they read live in helpers that only
 * count and answer: tail-stats.ts (tail rules), balance.ts (strata and clusters), shard-fill.ts (shard rotation and
 * the cap check), synthetic-buffer.ts (the waiting records in priority order), expected-mass.ts.
 */
import type { Config } from '../config/index.js';
import type { OriginLabel, OriginScore, JsonRecord, ReasonCode } from '../types.js';
import type { Routed, Scored } from './records.js';
import { Balance } from './balance.js';
import { distinct } from './sketch.js';
import { ExpectedMass } from './expected-mass.js';
import { ShardFill } from './shard-fill.js';
import { SyntheticBuffer } from './synthetic-buffer.js';
import { TailStats } from './tail-stats.js';
import type { QuantificationParams } from '../score/origin/prevalence.js';

export type { Routed, Scored } from './records.js';

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
  stratumCap: 'stratum_cap',
  clusterCap: 'cluster_cap',
} as const;

export interface RouterOptions {
  /** name shards (directory mode); when false, the whole output is one unnamed shard */
  shards: boolean;
  /** origin label function (origin module); null when origin scoring is off */
  labelOf?: (o: OriginScore | null, record: JsonRecord) => OriginLabel;
  /** the share estimator's parameters, for capBasis "expected" (null: none; the estimator then uses p_ai as is) */
  quantification?: QuantificationParams | null;
}

/** `route.*` (config/schema.ts). capBasis: what the synthetic cap counts, synthetic labels or expected synthetic
 * mass (unknownCountsAs then plays no part). */
export type RouteConfig = Config['route'];

export const shardName = (i: number) => `shard-${String(i).padStart(5, '0')}`;

export class Router {
  private readonly rc: RouteConfig;
  private readonly share: number;
  /** the shard being written: rotation and the synthetic cap check */
  private readonly fill: ShardFill;
  /** synthetic records waiting for quota */
  private readonly buffer: SyntheticBuffer;
  // running statistics (state effects, applied in input order)
  private readonly tailStats: TailStats;
  private readonly balance: Balance;
  /**
   * Tail statistics are kept only when some rule could drop a record the tail protects: soft diversity rules,
   * balancing, cluster caps, or unknown records counted as synthetic. Otherwise tail can change no decision and the
   * per-word work is skipped (records are then never flagged tail).
   */
  private readonly tailActive: boolean;
  /** capBasis "expected": the mass of each record; null with "labels" */
  private readonly expected: ExpectedMass | null;

  constructor(cfg: Config, private readonly opts: RouterOptions) {
    this.rc = cfg.route as unknown as RouteConfig;
    this.share = this.rc.maxSyntheticShare;
    this.fill = new ShardFill(this.share, opts.shards ? cfg.output.shardMaxRecords : Infinity, opts.shards ? cfg.output.shardMaxBytes : Infinity);
    this.buffer = new SyntheticBuffer(this.rc.seed, this.rc.capBasis === 'expected');
    this.tailStats = new TailStats(cfg.route);
    this.balance = new Balance(cfg.route, (cfg.dedup as { seed?: number }).seed ?? 1);
    this.tailActive =
      this.rc.tail.enabled &&
      (cfg.diversity.enabled || this.rc.balanceBy !== null || this.rc.maxClusterSize > 0 || this.rc.unknownCountsAs === 'synthetic' || this.rc.capBasis === 'expected');
    this.expected = this.rc.capBasis === 'expected' ? new ExpectedMass(opts.quantification ?? null) : null;
  }

  get waitingCount(): number {
    return this.buffer.size;
  }

  private label(s: Scored): OriginLabel {
    return this.opts.labelOf ? this.opts.labelOf(s.origin, s.record) : 'unknown';
  }

  /** Tail records never count as synthetic: tail is only given to human or unknown records and is protected. */
  private countsSynthetic(label: OriginLabel, tail: boolean): boolean {
    if (tail) return false;
    return label === 'synthetic' || (label === 'unknown' && this.rc.unknownCountsAs === 'synthetic');
  }

  private place(r: Routed, mass: number, out: Routed[]): void {
    const s = r.scored;
    const shardIdx = this.fill.add(s.bytes, mass);
    this.balance.accept(s);
    r.decision = 'accept';
    r.shard = this.opts.shards ? shardName(shardIdx) : null;
    out.push(r);
  }

  /** Place waiting records, highest priority first, while the shard has room for them. */
  private release(out: Routed[]): void {
    while (this.buffer.size) {
      const top = this.buffer.top()!;
      if (!this.fill.roomFor(top.r.scored.bytes, top.mass)) break;
      this.buffer.popTop();
      this.place(top.r, top.mass, out);
    }
  }

  private reject(r: Routed, reasons: ReasonCode[], out: Routed[]): void {
    r.decision = 'reject';
    r.reasons = reasons;
    out.push(r);
  }

  /** Waiting records older than route.maxWait records are rejected with synthetic_cap, oldest first. */
  private ageOut(seq: number, out: Routed[]): void {
    let r: Routed | null;
    while ((r = this.buffer.nextExpired(seq, this.rc.maxWait)) !== null) this.reject(r, [ROUTE_REASONS.syntheticCap], out);
  }

  push(s: Scored): PushResult {
    const done: Routed[] = [];
    this.ageOut(s.seq, done);
    this.expected?.observe(s.origin);
    const label = this.label(s);
    const r: Routed = { scored: s, decision: 'reject', reasons: [], label, tail: false, tailRule: null, waived: [], hard: false, shard: null };
    // 1. hard rejections
    // (arrays are only allocated when there is something to put in them: this runs for every record)
    let hard: ReasonCode[] | null = null;
    let soft: ReasonCode[] | null = null;
    if (s.dup?.kind === 'exact') hard = [ROUTE_REASONS.exactDup];
    else if (s.dup?.kind === 'near') hard = [ROUTE_REASONS.nearDup];
    if (s.extraReasons?.length) (hard ??= []).push(...s.extraReasons);
    for (const f of s.ruleFailures) {
      if (f.hard) (hard ??= []).push(f.code);
      else (soft ??= []).push(f.code);
    }
    // 2. tail (computed for every human/unknown record, so retention can be reported)
    if (this.tailActive) {
      const words = s.features.wordSet ?? distinct(s.features.wordHashes);
      const rule = this.tailStats.rule(s, label, words);
      r.tail = rule !== null;
      r.tailRule = rule;
      this.tailStats.observe(s, words);
    }
    if (hard) {
      // every failing rule is listed, hard ones first, so the record can be audited in one look
      r.hard = true;
      this.reject(r, soft ? [...hard, ...soft] : hard, done);
      return { provisional: false, done };
    }
    // 3. soft rules
    if (soft) {
      if (r.tail) r.waived = soft;
      else {
        this.reject(r, soft, done);
        return { provisional: false, done };
      }
    }
    // 4. balancing heads
    if (!r.tail && this.balance.overStratumCap(s)) {
      this.reject(r, [ROUTE_REASONS.stratumCap], done);
      return { provisional: false, done };
    }
    if (!r.tail && this.balance.overClusterCap(s)) {
      this.reject(r, [ROUTE_REASONS.clusterCap], done);
      return { provisional: false, done };
    }
    // 5. synthetic cap
    if (this.expected) this.capByMass(r, done);
    else if (this.countsSynthetic(label, r.tail)) {
      if (this.buffer.size === 0 && this.fill.roomFor(s.bytes, 1)) this.place(r, 1, done);
      else {
        this.buffer.add(r, 1);
        this.dropOverflow(done);
      }
    } else {
      this.place(r, 0, done);
      this.release(done);
    }
    return { provisional: true, done };
  }

  /**
   * capBasis "expected": a record no heavier than the cap always fits (the shard's mass stays within the cap after
   * every placement) and only makes room, so it is placed at once; a heavier one waits with the others, lightest
   * first, and the buffer sheds its heaviest.
   */
  private capByMass(r: Routed, done: Routed[]): void {
    const mass = (r.mass = this.expected!.of(r.scored.origin, r.tail));
    if (mass <= this.share && this.fill.roomFor(r.scored.bytes, mass)) {
      this.place(r, mass, done);
      this.release(done);
      return;
    }
    this.buffer.add(r, mass);
    this.release(done);
    this.dropOverflow(done);
  }

  /** A buffer over route.syntheticBuffer rejects its lowest-priority record. */
  private dropOverflow(done: Routed[]): void {
    if (this.buffer.size <= this.rc.syntheticBuffer) return;
    this.reject(this.buffer.dropLowest(), [ROUTE_REASONS.syntheticCap], done);
  }

  /** End of stream: whatever still waits has no room and is rejected with synthetic_cap, in input order. */
  end(): Routed[] {
    const done: Routed[] = [];
    this.release(done);
    for (const r of this.buffer.drainInInputOrder()) this.reject(r, [ROUTE_REASONS.syntheticCap], done);
    return done;
  }

  /** Statistics the nightly job persists for the tail rule (document frequencies and counts). */
  snapshot(): { docs: number; df: Uint32Array } {
    return this.tailStats.snapshot();
  }

  restore(snap: { docs: number; df: Uint32Array }): void {
    this.tailStats.restore(snap);
  }
}

