/**
 * Keep-best over tonight's duplicate graph (step "cluster", dedup.keep human-first / longest).
 *
 * The backend check indexes only records that are unique so far, so the clusters it yields are stars around the
 * first-seen root: a member promoted over its root can sit beside a record that was only ever compared with the
 * root (issue 19: 0.6% of the planted pairs stayed near duplicates of each other). This graph sees every pair:
 * each of tonight's records that is no duplicate of an earlier night is compared, in input order, with every
 * record of tonight before it, in a night-local index that holds all of them.
 *
 * Nodes are exact groups (records with the same exact hash; a group's first record, its head, carries the group's
 * near-duplicate edges, since identical normalised texts have identical shingles). Edges are verified near pairs
 * between heads, with the same similarity and threshold as the backend index.
 *
 * `select` keeps, in order of preference, every record that has no kept neighbour (a greedy maximal independent
 * set): no two kept records are a verified pair, and every dropped record names the kept neighbour it lost to (the
 * most preferred one). With input order as the preference this is exactly keep-first, which the backend check
 * already computed; so the graph is only built for the other policies.
 * Memory: typed arrays, O(tonight's records + edges) plus the night-local index (sketches, band chains).
 */
import type { DedupConfig } from '../../score/dedup/scorer.js';
import { resolveBandsRows } from '../../score/dedup/scorer.js';
import { ExactSet } from '../../score/dedup/exact-set.js';
import { grown } from '../../score/dedup/grown.js';
import { MemoryNearDupIndex } from '../../score/dedup/memory-index.js';
import { MinHasher } from '../../score/dedup/minhash.js';
import type { Features } from '../../types.js';
import { adjacency, greedyKeep } from '../../scale/bands/greedy.js';

/** Why a dropped record lost: the kept record it duplicates. */
export interface Loss {
  kept: number;
  kind: 'exact' | 'near';
  similarity: number;
}

export interface Selection {
  /** kept records, most preferred first */
  kept: number[];
  /** dropped record seq -> its loss, in order of preference */
  lost: Map<number, Loss>;
}

export class TonightGraph {
  private readonly index: MemoryNearDupIndex | null;
  private readonly exact: ExactSet | null;
  private readonly hasher: MinHasher;
  private readonly lanes: number;
  private readonly numPerm: number;
  /** seqs of the nodes, in input order */
  private seqs = new Int32Array(1024);
  private count = 0;
  /** seq -> seq of its exact group's head + 1 (0: not a node) */
  private headOf = new Int32Array(1024);
  /** edges between heads (from < to) and their verified similarity */
  private from = new Int32Array(1024);
  private to = new Int32Array(1024);
  private sim = new Float64Array(1024);
  private edges = 0;

  constructor(c: DedupConfig) {
    const { bands, rows } = resolveBandsRows(c);
    this.exact = c.exact ? new ExactSet(1024) : null;
    this.index = c.near ? new MemoryNearDupIndex({ numPerm: c.numPerm, bands, rows, threshold: c.threshold, verify: c.verify, seed: c.seed, sketchSize: c.sketchSize, maxCandidates: c.maxCandidates }) : null;
    this.numPerm = c.numPerm;
    this.lanes = this.index?.lanesNeeded ?? 0;
    this.hasher = new MinHasher(c.numPerm, c.seed);
  }

  get size(): number {
    return this.count;
  }

  /** Add tonight's record `seq` (call in input order): an exact duplicate joins its group, any other record is
   * linked to every earlier head it near-duplicates and indexed. */
  add(seq: number, f: Features): void {
    this.seqs = grown(this.seqs, this.count + 1);
    this.seqs[this.count++] = seq;
    this.headOf = grown(this.headOf, seq + 1);
    if (this.exact) {
      const h = f.exactHash;
      const head = this.exact.add(h[0]!, h[1]!, seq);
      this.headOf[seq] = head + 1;
      if (head !== seq) return;
    } else this.headOf[seq] = seq + 1;
    if (!this.index || f.shingles.length === 0) return;
    const sig = this.signature(f);
    for (const m of this.index.matches(sig, f.shingles)) this.edge(m.id, seq, m.similarity);
    this.index.insert(seq, sig, f.shingles);
  }

  private edge(a: number, b: number, s: number): void {
    const n = this.edges + 1;
    this.from = grown(this.from, n);
    this.to = grown(this.to, n);
    if (this.sim.length < n) {
      const x = new Float64Array(this.sim.length * 2);
      x.set(this.sim);
      this.sim = x;
    }
    this.from[this.edges] = a;
    this.to[this.edges] = b;
    this.sim[this.edges] = s;
    this.edges = n;
  }

  private signature(f: Features): Uint32Array {
    const pre = f.signature;
    if (pre !== undefined && pre.length >= this.lanes) return pre;
    return this.hasher.signature(f.shingles, new Uint32Array(this.numPerm), this.lanes);
  }

  /**
   * Greedy keep-best (src/scale/bands/greedy.ts): visit the nodes most preferred first (`prefer(a, b)` < 0 when a
   * is preferred); a record with a kept record in its exact group loses to it (exact), else one with a kept near
   * neighbour loses to the most preferred such neighbour (near), else it is kept when `canKeep` allows it (a
   * record failing rules is never kept, nor dropped unless it has a kept neighbour).
   */
  select(prefer: (a: number, b: number) => number, canKeep: (seq: number) => boolean): Selection {
    const order = this.seqs.slice(0, this.count).sort(prefer);
    const n = this.headOf.length;
    const headOf = this.headOf.map((h) => h - 1);
    const g = greedyKeep(n, order, headOf, adjacency(n, this.from, this.to, this.sim, this.edges), canKeep);
    const lost = new Map<number, Loss>();
    for (const v of order) {
      const k = g.lostTo[v]!;
      if (k >= 0) lost.set(v, { kept: k, kind: g.lostKind[v] === 1 ? 'exact' : 'near', similarity: g.lostSim[v]! });
    }
    return { kept: Array.from(g.kept), lost };
  }
}
