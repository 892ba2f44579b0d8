/**
 * Run statistics: counts by decision, reason and origin label, tail counts and p_ai histograms. Every field is a
 * sum over records, so the stats of parts of a run merge into the stats of the whole with `mergeStats` (workers,
 * partitions, machines), with no special case.
 */
import type { Annotation, JsonRecord, OriginLabel } from '../types.js';
import { ShareTracker, type SavedShare } from './share.js';

export interface Stats {
  seen: number;
  accept: number;
  reject: number;
  quarantine: number;
  /** records per reason code, in order of first occurrence */
  reasons: Record<string, number>;
  /** origin labels of every scored (non-quarantined) record, and of the accepted ones */
  origin: Record<OriginLabel, number>;
  originAccepted: Record<OriginLabel, number>;
  bytesIn: number;
  /** tail records seen, accepted, and rejected by a hard rule (retention = accepted / (seen - hard)) */
  tail: { seen: number; accepted: number; hard: number };
  /** p_ai histogram (10 bins over [0,1]) per origin label, for records the detector judged */
  pAiHist: Record<OriginLabel, number[]>;
  /** the estimated synthetic share (with an interval) of the input, the accepted records and each shard:
   * `syntheticShare.report()` (docs/synthetic-share-output.md) */
  syntheticShare: ShareTracker;
}

const LABELS: readonly OriginLabel[] = ['human', 'synthetic', 'unknown'];

export const newStats = (): Stats => ({
  seen: 0,
  accept: 0,
  reject: 0,
  quarantine: 0,
  reasons: {},
  origin: { human: 0, synthetic: 0, unknown: 0 },
  originAccepted: { human: 0, synthetic: 0, unknown: 0 },
  bytesIn: 0,
  tail: { seen: 0, accepted: 0, hard: 0 },
  pAiHist: { human: new Array(10).fill(0), synthetic: new Array(10).fill(0), unknown: new Array(10).fill(0) },
  syntheticShare: new ShareTracker(null, null),
});

/** Tail retention = tail records accepted / tail records seen, hard rejections excluded (null when none). */
export const tailRetention = (s: Stats): number | null => (s.tail.seen - s.tail.hard > 0 ? s.tail.accepted / (s.tail.seen - s.tail.hard) : null);

/** Count one input item read (the nightly job counts items it did not read itself). */
export function countInput(s: Stats, bytes: number): void {
  s.seen++;
  s.bytesIn += bytes;
}

/** Count one final decision (`record`: the input record, for its declared provenance). */
export function countDecision(s: Stats, a: Annotation, record: JsonRecord | null): void {
  s[a.decision]++;
  for (const r of a.reasons) s.reasons[r] = (s.reasons[r] ?? 0) + 1;
  if (a.decision !== 'quarantine') {
    s.origin[a.origin.label]++;
    if (a.decision === 'accept') s.originAccepted[a.origin.label]++;
    if (a.origin.p_ai !== null) s.pAiHist[a.origin.label][Math.min(9, Math.floor(a.origin.p_ai * 10))]!++;
    s.syntheticShare.observe(a, record);
  }
}

/** Count one tail record: accepted, or rejected by a hard rule (`hard`), or neither. */
export function countTail(s: Stats, accepted: boolean, hard: boolean): void {
  s.tail.seen++;
  if (accepted) s.tail.accepted++;
  else if (hard) s.tail.hard++;
}

/** The stats of two parts of a run as one: a new object, every count added; reasons keep first-occurrence order. */
export function mergeStats(a: Stats, b: Stats): Stats {
  const m = newStats();
  m.seen = a.seen + b.seen;
  m.accept = a.accept + b.accept;
  m.reject = a.reject + b.reject;
  m.quarantine = a.quarantine + b.quarantine;
  m.bytesIn = a.bytesIn + b.bytesIn;
  for (const src of [a.reasons, b.reasons]) for (const [k, n] of Object.entries(src)) m.reasons[k] = (m.reasons[k] ?? 0) + n;
  for (const l of LABELS) {
    m.origin[l] = a.origin[l] + b.origin[l];
    m.originAccepted[l] = a.originAccepted[l] + b.originAccepted[l];
    m.pAiHist[l] = m.pAiHist[l].map((_, i) => (a.pAiHist[l][i] ?? 0) + (b.pAiHist[l][i] ?? 0));
  }
  m.tail = { seen: a.tail.seen + b.tail.seen, accepted: a.tail.accepted + b.tail.accepted, hard: a.tail.hard + b.tail.hard };
  m.syntheticShare = a.syntheticShare.merge(b.syntheticShare);
  return m;
}

/** Stats as JSON, to carry them to another process (the batch engine's route task to its finish). */
export type SavedStats = Omit<Stats, 'syntheticShare'> & { syntheticShare: SavedShare };

export function savedStats(s: Stats): SavedStats {
  return { ...structuredClone({ ...s, syntheticShare: null }), syntheticShare: s.syntheticShare.saved() };
}

/** Saved stats into `into` (fresh stats whose tracker has the run's config): every count restored. */
export function restoreStats(into: Stats, s: SavedStats): Stats {
  const { syntheticShare, ...counts } = s;
  Object.assign(into, structuredClone(counts));
  into.syntheticShare.restoreSaved(syntheticShare);
  return into;
}
