/**
 * Step "cluster" of the nightly job (phase B1 and keep-best): in input order, each scored record is checked
 * against the dedup index (earlier nights and the records of tonight indexed before it). A duplicate of an earlier
 * night is final; a near-duplicate of one of tonight's records joins that record's cluster instead of losing to
 * the first seen. Under keep-first the clusters are the backend's: each record loses to the first record of tonight
 * it duplicates. Under the other policies (human-first, then longest, then first) tonight's records are regrouped
 * over every verified pair of tonight (tonight-graph.ts): in order of preference, a record is kept unless it
 * duplicates a record kept before it, so no two kept records are near duplicates. The kept members take their
 * roots' place in the index (at once on a shared backend; after routing, for
 * accepted members only, on a private one: see reindexEffects in route.ts).
 * Synthetic records already emitted `route.maxSyntheticReuse` times by earlier nights (the provenance ledger) are
 * marked for rejection (`synthetic_reuse`) and not checked.
 *
 * Inputs: the records in input order, the state backend, the config. Output: `Clusters`, what routing needs to know
 * about each record's duplicates. Checks go to the backend in batches; on a shared backend several batches are in
 * flight (atomic check-and-insert each) and their verdicts are applied in order.
 */
import type { Config } from '../../config/index.js';
import type { DedupItem, DedupVerdict, StateBackend } from '../../state/index.js';
import type { DupScore, JsonRecord, OriginLabel, OriginScore } from '../../types.js';
import type { Prepared } from '../core.js';
import type { StopWatch } from '../stop.js';
import { dedupConfigOf } from '../../score/build.js';
import { TonightGraph, type Selection } from './tonight-graph.js';

const LABEL_RANK: Record<OriginLabel, number> = { human: 2, unknown: 1, synthetic: 0 };

/** A scored record as a candidate cluster representative. */
export interface Member {
  seq: number;
  id: string;
  label: OriginLabel;
  length: number;
  /** no rule failures */
  clean: boolean;
}

/** A record's link to the cluster of tonight's record it near- or exact-duplicates. */
export interface ClusterLink {
  root: number;
  kind: 'exact' | 'near';
  similarity: number;
}

export type KeepPolicy = 'human-first' | 'longest' | 'first' | string;

/** Is `a` a better cluster member than `b` under the policy? Ties always go to the earlier record. */
export function better(a: Member, b: Member, keep: KeepPolicy): boolean {
  if (a.clean !== b.clean) return a.clean;
  if (keep === 'human-first' && LABEL_RANK[a.label] !== LABEL_RANK[b.label]) return LABEL_RANK[a.label] > LABEL_RANK[b.label];
  if ((keep === 'human-first' || keep === 'longest') && a.length !== b.length) return a.length > b.length;
  return a.seq < b.seq;
}

/** Each cluster's best member (root seq -> member seq; roots keep themselves unless beaten) and its size. */
export function keepBest(clusterOf: ReadonlyMap<number, ClusterLink>, members: readonly Member[], keep: KeepPolicy): { best: Map<number, number>; sizes: Map<number, number> } {
  const best = new Map<number, number>();
  const sizes = new Map<number, number>();
  for (const [s, c] of clusterOf) {
    sizes.set(c.root, (sizes.get(c.root) ?? 1) + 1);
    const cur = best.get(c.root) ?? c.root;
    if (better(members[s]!, members[cur]!, keep)) best.set(c.root, s);
  }
  return { best, sizes };
}

/** What routing needs to know about tonight's duplicates, by record seq (input order over the run's files). */
export interface Clusters {
  /** scored records, by seq */
  members: Member[];
  /** duplicates of earlier nights (final) */
  dupOf: Map<number, DupScore>;
  /** members of tonight's clusters (not their roots) */
  clusterOf: Map<number, ClusterLink>;
  /** synthetic records rejected for reuse (ledger) */
  reuse: Set<number>;
  /** ref -> seq, and seq -> ref, of tonight's indexed records */
  tonight: Map<string, number>;
  refOf: Map<number, string>;
  /** cluster root -> its best member; cluster root -> size */
  best: Map<number, number>;
  sizes: Map<number, number>;
  /** roots whose representative is indexed already (a shared backend settled them) */
  settledNow: Set<number>;
  /** input files that could not be read completely */
  errors: string[];
  /** seq -> cluster member as a dedup item (a candidate representative); cleared once clusters are settled */
  candidates: Map<number, DedupItem>;
  /** every pair of tonight's records (policies other than keep-first); dropped once clusters are settled */
  graph: TonightGraph | null;
}

/** Where the cluster step reads the night's records (ScoredParts, score-parts.ts). */
export interface RecordSource {
  readonly fileCount: number;
  records(i: number, fill: boolean): AsyncIterable<Prepared>;
  fileDone(i: number): Promise<{ error: string | null }>;
}

/** The night's records in input order over every file, each given its seq (0, 1, ...); a file's read error joins
 * `errors` once the file is read. Records stay in the source's cache for the route pass. */
export async function* numberedRecords(source: RecordSource, stop: StopWatch, errors: string[]): AsyncGenerator<Prepared> {
  let seq = 0;
  for (let i = 0; i < source.fileCount; i++) {
    for await (const p of source.records(i, true)) {
      stop.check();
      p.seq = seq++;
      yield p;
    }
    const res = await source.fileDone(i);
    if (res.error) errors.push(res.error);
  }
}

export interface ClusterInput {
  source: RecordSource;
  backend: StateBackend;
  cfg: Config;
  labelOf: (origin: OriginScore | null, record: JsonRecord) => OriginLabel;
  /** check batch size and batches in flight */
  batchSize: number;
  inFlight: number;
  stop: StopWatch;
}

interface Batch {
  seqs: number[];
  items: DedupItem[];
  synthetic: number[]; // positions of synthetic-labelled records (synthetic reuse check)
}

/** A batch of checks sent to the backend, its verdicts still to come. */
interface Pending {
  seqs: number[];
  items: DedupItem[];
  verdicts: Promise<DedupVerdict[]>;
}

/** Applies verdicts, in input order, to the clusters: a duplicate of one of tonight's records joins the cluster of
 * that record's root (union-find over seqs), a duplicate of history is final, a unique record indexed tonight is
 * remembered by its ref. */
class ClusterLinks {
  private parent = new Int32Array(1024).fill(-1); // seq -> root seq of its cluster (-1: none)

  constructor(private readonly out: Clusters) {}

  async apply(q: Pending): Promise<void> {
    const { tonight, refOf, clusterOf, dupOf, candidates } = this.out;
    const vs = await q.verdicts;
    for (let k = 0; k < vs.length; k++) {
      const s = q.seqs[k]!;
      const { dup: d, matchRef, ref } = vs[k]!;
      if (d.kind !== null && d.of !== null) {
        const t = matchRef !== null ? tonight.get(matchRef) : undefined;
        if (t !== undefined) {
          const root = this.rootOf(t);
          this.link(s, root);
          clusterOf.set(s, { root, kind: d.kind, similarity: d.similarity ?? 1 });
          candidates.set(s, q.items[k]!);
        } else {
          dupOf.set(s, d);
          continue;
        }
      }
      this.out.graph?.add(s, q.items[k]!.features);
      if (d.kind !== null && d.of !== null) continue;
      if (ref !== null) {
        tonight.set(ref, s);
        refOf.set(s, ref);
      }
    }
  }

  private rootOf(t: number): number {
    let root = t;
    while (this.parent[root]! >= 0) root = this.parent[root]!;
    return root;
  }

  private link(s: number, root: number): void {
    if (s >= this.parent.length) {
      const b = new Int32Array(Math.max(s + 1, this.parent.length * 2)).fill(-1);
      b.set(this.parent);
      this.parent = b;
    }
    this.parent[s] = root;
  }
}

/** Check every record against the index and group tonight's duplicates into clusters (best members: settleClusters). */
export async function dedupRun(c: ClusterInput): Promise<Clusters> {
  const { backend, cfg, stop, source } = c;
  const dedupOn = backend.dedup;
  const maxReuse = (cfg.route as { maxSyntheticReuse?: number }).maxSyntheticReuse ?? 1;
  const keep = (cfg.dedup as { keep?: string }).keep ?? 'human-first';
  const graph = dedupOn && keep !== 'first' ? new TonightGraph(dedupConfigOf(cfg)) : null;
  const out: Clusters = { members: [], dupOf: new Map(), clusterOf: new Map(), reuse: new Set(), tonight: new Map(), refOf: new Map(), best: new Map(), sizes: new Map(), settledNow: new Set(), errors: [], candidates: new Map(), graph };
  const { members, reuse } = out;
  const links = new ClusterLinks(out);
  let batch: Batch = { seqs: [], items: [], synthetic: [] };
  const queue: Pending[] = [];
  const flush = async () => {
    const b = batch;
    batch = { seqs: [], items: [], synthetic: [] };
    if (b.seqs.length === 0) return;
    let seqs = b.seqs;
    let items = b.items;
    if (b.synthetic.length) {
      const prior = await backend.ledgerGet(b.synthetic.map((k) => b.items[k]!.features.exactHash));
      const drop = new Set<number>();
      prior.forEach((e, j) => {
        if (e && e.emitted >= maxReuse) drop.add(b.synthetic[j]!);
      });
      if (drop.size) {
        for (const k of drop) reuse.add(b.seqs[k]!);
        seqs = seqs.filter((_, k) => !drop.has(k));
        items = items.filter((_, k) => !drop.has(k));
      }
    }
    if (!dedupOn || items.length === 0) return;
    const verdicts = backend.checkAndInsert(items);
    verdicts.catch(() => {}); // awaited in order below; a failure must not surface as an unhandled rejection first
    queue.push({ seqs, items, verdicts });
    while (queue.length >= c.inFlight) await links.apply(queue.shift()!);
  };
  for await (const p of numberedRecords(source, stop, out.errors)) {
    if (p.kind !== 's') continue;
    const s = p.seq;
    const label = c.labelOf(p.origin, p.record);
    members[s] = { seq: s, id: p.id, label, length: p.features.byteLength, clean: p.ruleFailures.length === 0 };
    if (label === 'synthetic') batch.synthetic.push(batch.seqs.length);
    batch.seqs.push(s);
    batch.items.push({ id: p.id, features: p.features, insert: members[s]!.clean });
    if (batch.seqs.length >= c.batchSize) await flush();
  }
  await flush();
  while (queue.length) await links.apply(queue.shift()!);
  return out;
}

/** Keep the best member of each cluster by `dedup.keep`; the chosen members take their roots' place in the index:
 * at once on a shared backend (which keeps the root when another worker already matched it, or the member now
 * duplicates another worker's record); a private backend defers (`join` after routing, accepted members only). */
export async function settleClusters(backend: StateBackend, cfg: Config, out: Clusters): Promise<void> {
  const keep = (cfg.dedup as { keep?: string }).keep ?? 'human-first';
  if (out.graph) {
    const m = out.members;
    regroup(out, out.graph.select((a, b) => (a === b ? 0 : better(m[a]!, m[b]!, keep) ? -1 : 1), (s) => m[s]!.clean));
  } else {
    const kept = keepBest(out.clusterOf, out.members, keep);
    out.best = kept.best;
    out.sizes = kept.sizes;
  }
  if (backend.dedup && out.best.size) await settle(backend, out);
  out.candidates.clear();
  out.graph = null;
}

/**
 * Tonight's clusters from a graph selection, in the shape routing and the index effects read: one cluster per kept
 * record with the records that lost to it. A cluster's root is a record the backend indexed tonight (the kept record
 * itself if it was, else its earliest indexed loser), so the kept record can take the root's place in the index
 * (`settle`); a kept record the backend did not index and no indexed loser maps to itself in `best` and joins the
 * index after routing.
 */
export function regroup(out: Clusters, sel: Selection): void {
  const { refOf } = out;
  const losers = new Map<number, number[]>();
  for (const [d, l] of sel.lost) {
    const list = losers.get(l.kept);
    if (list) list.push(d);
    else losers.set(l.kept, [d]);
  }
  const clusterOf = new Map<number, ClusterLink>();
  const best = new Map<number, number>();
  const sizes = new Map<number, number>();
  for (const k of sel.kept) {
    const ds = (losers.get(k) ?? []).sort((a, b) => a - b);
    const root = refOf.has(k) ? k : (ds.find((d) => refOf.has(d)) ?? k);
    if (ds.length) sizes.set(root, ds.length + 1);
    for (const d of ds) {
      const l = sel.lost.get(d)!;
      // the root has no link of its own: its loss becomes the kept record's link to it
      clusterOf.set(d === root ? k : d, { root, kind: l.kind, similarity: l.similarity });
    }
    if (root !== k || !refOf.has(k)) best.set(root, k);
  }
  out.clusterOf = clusterOf;
  out.best = best;
  out.sizes = sizes;
}

async function settle(backend: StateBackend, out: Clusters): Promise<void> {
  const { best, tonight, refOf, candidates } = out;
  const reqs = [...best].filter(([root, b]) => root !== b); // a kept record alone, not indexed: it joins later
  const res = await backend.settle(reqs.map(([root, b]) => ({ root: refOf.get(root)!, best: candidates.get(b)! })));
  res.forEach((r, i) => {
    const [root, b] = reqs[i]!;
    if (r.indexed) out.settledNow.add(root);
    if (!r.best) best.delete(root);
    else if (r.indexed && r.ref !== null) {
      tonight.delete(refOf.get(root)!);
      refOf.delete(root);
      tonight.set(r.ref, b);
      refOf.set(b, r.ref);
    }
  });
}

/** Record `s`'s duplicate as routing sees it: of an earlier night, or of its cluster's kept member (none for the
 * kept member itself). */
export function dupFor(c: Clusters, s: number): DupScore | null {
  let dup: DupScore | null = c.dupOf.get(s) ?? null;
  const link = c.clusterOf.get(s);
  const root = link ? link.root : c.best.has(s) ? s : -1;
  if (root >= 0) {
    const b = c.best.get(root) ?? root;
    // a root that lost: its similarity is the kept member's link to it
    const l = link ?? c.clusterOf.get(b);
    if (b !== s) dup = { kind: l?.kind ?? 'near', of: c.members[b]!.id, similarity: l?.similarity ?? 1 };
  }
  return dup;
}
