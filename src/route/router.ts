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
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import { hashString } from '../text/hash.js';
import type { DiversityScore, DupScore, Features, JsonRecord, OriginLabel, OriginScore, ReasonCode, SourcePos } from '../types.js';
import type { RuleFailure } from '../score/diversity/index.js';
import { ClusterKeyer, CountTable, DocFreqSketch, distinct } from './sketch.js';
import { ExpectedMass } from './expected-mass.js';
import type { QuantificationParams } from '../score/origin/prevalence.js';

export interface Scored {
  seq: number;
  id: string;
  record: JsonRecord;
  features: Features;
  bytes: number;
  pos: SourcePos;
  line?: string;
  lineChunk?: Buffer;
  lineStart?: number;
  lineEnd?: number;
  dup: DupScore | null;
  diversity: DiversityScore | null;
  origin: OriginScore | null;
  /** failing diversity rules in order, from the diversity module's evaluateRules */
  ruleFailures: RuleFailure[];
  /** extra hard reasons decided outside the router's scorers (e.g. synthetic_reuse from the ledger) */
  extraReasons?: ReasonCode[];
}

export interface Routed {
  scored: Scored;
  decision: 'accept' | 'reject';
  reasons: ReasonCode[];
  label: OriginLabel;
  tail: boolean;
  tailRule: string | null;
  /** soft rules waived because the record is tail */
  waived: ReasonCode[];
  /** the record was rejected by a hard rule (counts against tail retention's denominator: excluded) */
  hard: boolean;
  shard: string | null;
  /** capBasis "expected": the synthetic mass the record adds to its shard (0 for declared-human and tail records) */
  mass?: number;
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

interface Waiting {
  r: Routed;
  value: number; // priority: higher is kept first
  sub: number; // second key (capBasis "expected": diversity; 0 otherwise)
  tie: number;
  mass: number; // synthetic mass it adds to its shard when placed
}

export class Router {
  private readonly rc: RouteConfig;
  private readonly share: number;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private shardIdx = 0;
  private n = 0; // records in current shard
  private syn = 0; // synthetic records (capBasis "expected": synthetic mass) in current shard
  private bytes = 0;
  /** waiting synthetic records, sorted by ascending priority (index 0 = lowest value) */
  private waiting: Waiting[] = [];
  /** arrival order of waiting records (seq), for maxWait; entries no longer waiting are skipped lazily */
  private arrivals: number[] = [];
  private arrivalsHead = 0;
  private readonly waitingSeqs = new Set<number>();
  // running statistics (state effects, applied in input order)
  private readonly df: DocFreqSketch;
  private docs = 0;
  private readonly strataSeen = new Map<string, number>();
  private readonly strataAccepted = new Map<string, number>();
  private accepted = 0;
  private readonly clusters: CountTable;
  private readonly keyer: ClusterKeyer;
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
    this.maxRecords = opts.shards ? cfg.output.shardMaxRecords : Infinity;
    this.maxBytes = opts.shards ? cfg.output.shardMaxBytes : Infinity;
    this.df = new DocFreqSketch(this.rc.seed);
    this.clusters = new CountTable(this.rc.maxClusterSize > 0 ? 1 << 22 : 1);
    this.keyer = new ClusterKeyer(this.rc.seed, (cfg.dedup as { seed?: number }).seed ?? 1);
    this.tailActive =
      this.rc.tail.enabled &&
      (cfg.diversity.enabled || this.rc.balanceBy !== null || this.rc.maxClusterSize > 0 || this.rc.unknownCountsAs === 'synthetic' || this.rc.capBasis === 'expected');
    this.expected = this.rc.capBasis === 'expected' ? new ExpectedMass(opts.quantification ?? null) : null;
  }

  get waitingCount(): number {
    return this.waiting.length;
  }

  private label(s: Scored): OriginLabel {
    return this.opts.labelOf ? this.opts.labelOf(s.origin, s.record) : 'unknown';
  }

  /** Tail records never count as synthetic: tail is only given to human or unknown records and is protected. */
  private countsSynthetic(label: OriginLabel, tail: boolean): boolean {
    if (tail) return false;
    return label === 'synthetic' || (label === 'unknown' && this.rc.unknownCountsAs === 'synthetic');
  }

  private rotateIfFull(nextBytes: number): boolean {
    return this.n > 0 && (this.n >= this.maxRecords || this.bytes + nextBytes > this.maxBytes);
  }

  /** Can a record of synthetic mass `mass` enter the shard it would land in without breaking the cap (prefix-exact)? */
  private roomFor(nextBytes: number, mass: number): boolean {
    if (this.rotateIfFull(nextBytes)) return mass <= this.share + 1e-9;
    return this.syn + mass <= this.share * (this.n + 1) + 1e-9;
  }

  private stratumOf(s: Scored): string | null {
    if (!this.rc.balanceBy) return null;
    const v = getPath(s.record, this.rc.balanceBy);
    return v === undefined || v === null ? '(none)' : String(v);
  }

  private place(r: Routed, mass: number, out: Routed[]): void {
    const s = r.scored;
    if (this.rotateIfFull(s.bytes)) {
      this.shardIdx++;
      this.n = 0;
      this.syn = 0;
      this.bytes = 0;
    }
    this.n++;
    this.syn += mass;
    this.bytes += s.bytes;
    this.accepted++;
    const st = this.stratumOf(s);
    if (st !== null) this.strataAccepted.set(st, (this.strataAccepted.get(st) ?? 0) + 1);
    if (this.rc.maxClusterSize > 0) this.clusters.inc(this.keyer.key(s.features));
    r.decision = 'accept';
    r.shard = this.opts.shards ? shardName(this.shardIdx) : null;
    out.push(r);
  }

  private release(out: Routed[]): void {
    while (this.waiting.length) {
      const top = this.waiting[this.waiting.length - 1]!;
      if (!this.roomFor(top.r.scored.bytes, top.mass)) break;
      this.waiting.pop();
      this.waitingSeqs.delete(top.r.scored.seq);
      this.place(top.r, top.mass, out);
    }
  }

  private reject(r: Routed, reasons: ReasonCode[], out: Routed[]): void {
    r.decision = 'reject';
    r.reasons = reasons;
    out.push(r);
  }

  /**
   * Priority of a waiting record: lexical diversity (MATTR, else distinct-2), ties by hash(id, seed). capBasis
   * "expected": the lighter record first (less likely synthetic), then diversity.
   */
  private priority(r: Routed, mass: number): Waiting {
    const m = r.scored.diversity?.metrics;
    const v = (m?.['mattr'] ?? m?.['distinct_2'] ?? 0) as number;
    const tie = hashString(r.scored.id, this.rc.seed);
    return this.expected ? { r, value: -mass, sub: v, tie, mass } : { r, value: v, sub: 0, tie, mass };
  }

  private insertWaiting(w: Waiting): void {
    const a = this.waiting;
    let lo = 0;
    let hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = a[mid]!;
      const below =
        m.value < w.value ||
        (m.value === w.value && (m.sub < w.sub || (m.sub === w.sub && (m.tie < w.tie || (m.tie === w.tie && m.r.scored.seq > w.r.scored.seq)))));
      if (below) lo = mid + 1;
      else hi = mid;
    }
    a.splice(lo, 0, w);
    this.waitingSeqs.add(w.r.scored.seq);
    this.arrivals.push(w.r.scored.seq);
  }

  private ageOut(seq: number, out: Routed[]): void {
    while (this.arrivalsHead < this.arrivals.length) {
      const oldest = this.arrivals[this.arrivalsHead]!;
      if (!this.waitingSeqs.has(oldest)) {
        this.arrivalsHead++;
        continue;
      }
      if (seq - oldest <= this.rc.maxWait) break;
      this.arrivalsHead++;
      const i = this.waiting.findIndex((w) => w.r.scored.seq === oldest);
      const [w] = this.waiting.splice(i, 1);
      this.waitingSeqs.delete(oldest);
      this.reject(w!.r, [ROUTE_REASONS.syntheticCap], out);
    }
    if (this.arrivalsHead > 4096 && this.arrivalsHead * 2 > this.arrivals.length) {
      this.arrivals = this.arrivals.slice(this.arrivalsHead);
      this.arrivalsHead = 0;
    }
  }

  /** Tail rules, in order; the first that fires names the rule. Reads statistics from before this record. */
  private tailRule(s: Scored, label: OriginLabel, words: Uint32Array): string | null {
    const t = this.rc.tail;
    if (label === 'synthetic' || this.docs < this.rc.minDocs) return null;
    if (t.rareStratum.enabled && t.rareStratum.field) {
      const v = getPath(s.record, t.rareStratum.field);
      if (v !== undefined && v !== null) {
        const c = this.strataSeen.get(`tail:${String(v)}`) ?? 0;
        if ((c + 1) / (this.docs + 1) < t.rareStratum.maxShare) return 'rare_stratum';
      }
    }
    if (t.rareVocab.enabled) {
      const share = this.df.rareShare(words, t.rareVocab.maxDocFreq * this.docs, t.rareVocab.minWords);
      if (share !== null && share >= t.rareVocab.minShare) return 'rare_vocab';
    }
    return null;
  }

  /** Running statistics every non-quarantined record feeds, whatever its fate. */
  private observe(s: Scored, words: Uint32Array): void {
    this.docs++;
    this.df.add(words);
    const f = this.rc.tail.rareStratum.field;
    if (this.rc.tail.enabled && this.rc.tail.rareStratum.enabled && f) {
      const v = getPath(s.record, f);
      if (v !== undefined && v !== null) {
        const k = `tail:${String(v)}`;
        this.strataSeen.set(k, (this.strataSeen.get(k) ?? 0) + 1);
      }
    }
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
      const rule = this.tailRule(s, label, words);
      r.tail = rule !== null;
      r.tailRule = rule;
      this.observe(s, words);
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
    if (!r.tail && this.accepted >= this.rc.minDocs) {
      const st = this.stratumOf(s);
      if (st !== null && this.rc.maxStratumShare < 1) {
        const c = this.strataAccepted.get(st) ?? 0;
        if (c + 1 > this.rc.maxStratumShare * (this.accepted + 1) + 1e-9) {
          this.reject(r, [ROUTE_REASONS.stratumCap], done);
          return { provisional: false, done };
        }
      }
    }
    if (!r.tail && this.rc.maxClusterSize > 0 && this.clusters.get(this.keyer.key(s.features)) >= this.rc.maxClusterSize) {
      this.reject(r, [ROUTE_REASONS.clusterCap], done);
      return { provisional: false, done };
    }
    // 5. synthetic cap
    if (this.expected) this.capByMass(r, done);
    else if (this.countsSynthetic(label, r.tail)) {
      if (this.waiting.length === 0 && this.roomFor(s.bytes, 1)) this.place(r, 1, done);
      else {
        this.insertWaiting(this.priority(r, 1));
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
    if (mass <= this.share && this.roomFor(r.scored.bytes, mass)) {
      this.place(r, mass, done);
      this.release(done);
      return;
    }
    this.insertWaiting(this.priority(r, mass));
    this.release(done);
    this.dropOverflow(done);
  }

  /** A buffer over route.syntheticBuffer rejects its lowest-priority record. */
  private dropOverflow(done: Routed[]): void {
    if (this.waiting.length <= this.rc.syntheticBuffer) return;
    const [w] = this.waiting.splice(0, 1);
    this.waitingSeqs.delete(w!.r.scored.seq);
    this.reject(w!.r, [ROUTE_REASONS.syntheticCap], done);
  }

  /** End of stream: whatever still waits has no room and is rejected with synthetic_cap, in input order. */
  end(): Routed[] {
    const done: Routed[] = [];
    this.release(done);
    const rest = this.waiting.sort((a, b) => a.r.scored.seq - b.r.scored.seq);
    this.waiting = [];
    this.waitingSeqs.clear();
    for (const w of rest) this.reject(w.r, [ROUTE_REASONS.syntheticCap], done);
    return done;
  }

  /** Statistics the nightly job persists for the tail rule (document frequencies and counts). */
  snapshot(): { docs: number; df: Uint32Array } {
    return { docs: this.docs, df: this.df.table };
  }

  restore(snap: { docs: number; df: Uint32Array }): void {
    this.docs = snap.docs;
    this.df.table.set(snap.df);
  }
}

