/**
 * Cluster task of the batch dedup: tonight's verified pairs (every reduce task's output), the exact runs (tonight's
 * parts and the history run sets) and each record's ranking data -> one verdict row per record of tonight.
 *
 * As in the sequential path (src/stage/batch/cluster.ts + tonight-graph.ts), in this order:
 *   1. a record whose exact hash an earlier night holds is an exact duplicate of the earliest such history record;
 *   2. else one with a verified pair against history is a near duplicate of the earliest such record;
 *   3. the rest of tonight is one graph (exact groups, near edges between them) and keep-best is the greedy
 *      selection of greedy.ts by dedup.keep (human-first, longest, then smallest seq; keep-first: seq order).
 * Memory: typed arrays over tonight's records and edges; pair and exact files are streamed (k-way merge).
 *
 * Verdict row [seq, status, ref, similarity f64 (2 words)], rows in seq order for every seq < `count`:
 *   NONE (not checked: quarantined, or a synthetic reuse), KEPT, UNIQUE (nothing kept matches it, but it may not
 *   be kept: it fails rules), EXACT / NEAR (lost to tonight's record `ref`), EXACT_HISTORY / NEAR_HISTORY (`ref` is
 *   the history ref).
 */
import { renameSync } from 'node:fs';
import { adjacency, greedyKeep, preferenceOrder, type Preference } from './greedy.js';
import { MergeReader, RowWriter } from './rows.js';
import { EXACT_WIDTH, HISTORY, VERIFIED_WIDTH, simWords, wordsSim } from './params.js';

export const VERDICT = { NONE: 0, KEPT: 1, UNIQUE: 2, EXACT: 3, NEAR: 4, EXACT_HISTORY: 5, NEAR_HISTORY: 6 } as const;
export const VERDICT_WIDTH = 5;

export interface ClusterOptions extends Preference {
  /** records of tonight: seqs 0..count-1 */
  count: number;
  /** 1: the record takes part (scored, not quarantined, not a synthetic reuse) */
  node: Uint8Array;
  /** verified pair files (reduce outputs: the same pair may be in several) */
  pairs: readonly string[];
  /** exact runs of tonight's parts and of the history run sets */
  exact: readonly string[];
  out: string;
  /** memory budget of the task in bytes (the clean batch engine passes dedup.memory; unbounded when absent) */
  memoryBytes?: number;
}

export interface ClusterResult {
  kept: number;
  exact: number;
  near: number;
  history: number;
  edges: number;
}

export function clusterNight(o: ClusterOptions): ClusterResult {
  const n = o.count;
  const headOf = new Int32Array(n);
  for (let s = 0; s < n; s++) headOf[s] = s;
  const histRef = new Uint32Array(n); // 0: none
  const histKind = new Uint8Array(n);
  const histSim = new Float64Array(n);
  // 1. exact groups (refs sorted: tonight's seqs first, then history)
  {
    const m = new MergeReader(o.exact, EXACT_WIDTH, EXACT_WIDTH);
    let hi = -1;
    let lo = -1;
    let head = -1;
    let group: number[] = [];
    const close = () => {
      for (const s of group) headOf[s] = head;
      group = [];
    };
    while (m.next()) {
      const r = m.row;
      if (r[0] !== hi || r[1] !== lo) {
        close();
        hi = r[0]!;
        lo = r[1]!;
        head = -1;
      }
      const ref = r[2]!;
      if (ref >= HISTORY) {
        for (const s of group) if (histRef[s] === 0) ((histRef[s] = ref), (histKind[s] = VERDICT.EXACT_HISTORY), (histSim[s] = 1));
        continue;
      }
      if (ref >= n || !o.node[ref]) continue;
      if (head < 0) head = ref;
      group.push(ref);
    }
    close();
    m.close();
  }
  // 2. pairs: history matches, tonight's edges between heads
  let from = new Int32Array(1024);
  let to = new Int32Array(1024);
  let sim = new Float64Array(1024);
  let edges = 0;
  {
    const m = new MergeReader(o.pairs, VERIFIED_WIDTH, 2);
    let pa = -1;
    let pb = -1;
    while (m.next()) {
      const r = m.row;
      const a = r[0]!;
      const b = r[1]!;
      if (a === pa && b === pb) continue;
      pa = a;
      pb = b;
      if (a >= n || !o.node[a]) continue;
      if (b >= HISTORY) {
        if (histRef[a] === 0) ((histRef[a] = b), (histKind[a] = VERDICT.NEAR_HISTORY), (histSim[a] = wordsSim(r, 2)));
        continue;
      }
      if (b >= n || !o.node[b]) continue;
      const ha = headOf[a]!;
      const hb = headOf[b]!;
      if (ha === hb) continue;
      if (edges === from.length) {
        from = grow32(from);
        to = grow32(to);
        const x = new Float64Array(sim.length * 2);
        x.set(sim);
        sim = x;
      }
      from[edges] = ha;
      to[edges] = hb;
      sim[edges++] = wordsSim(r, 2);
    }
    m.close();
  }
  // 3. keep-best over the records no earlier night holds (edges touching a history duplicate are dropped)
  let k = 0;
  for (let e = 0; e < edges; e++) {
    if (histRef[from[e]!] !== 0 || histRef[to[e]!] !== 0) continue;
    from[k] = from[e]!;
    to[k] = to[e]!;
    sim[k++] = sim[e]!;
  }
  let nodes = 0;
  for (let s = 0; s < n; s++) if (o.node[s] && histRef[s] === 0) nodes++;
  const list = new Int32Array(nodes);
  for (let s = 0, i = 0; s < n; s++) if (o.node[s] && histRef[s] === 0) list[i++] = s;
  const g = greedyKeep(n, preferenceOrder(list, o), headOf, adjacency(n, from, to, sim, k), (s) => o.clean[s] === 1);
  // verdicts
  const w = new RowWriter(`${o.out}.tmp`, 5);
  const row = new Uint32Array(5);
  const res: ClusterResult = { kept: g.kept.length, exact: 0, near: 0, history: 0, edges: k };
  const isKept = new Uint8Array(n);
  for (const s of g.kept) isKept[s] = 1;
  for (let s = 0; s < n; s++) {
    row[0] = s;
    let status: number = VERDICT.NONE;
    let ref = 0;
    let si = 0;
    if (!o.node[s]) status = VERDICT.NONE;
    else if (histRef[s] !== 0) ((status = histKind[s]!), (ref = histRef[s]!), (si = histSim[s]!), res.history++);
    else if (g.lostTo[s]! >= 0) {
      status = g.lostKind[s] === 1 ? VERDICT.EXACT : VERDICT.NEAR;
      ref = g.lostTo[s]!;
      si = g.lostSim[s]!;
      if (status === VERDICT.EXACT) res.exact++;
      else res.near++;
    } else status = isKept[s] ? VERDICT.KEPT : VERDICT.UNIQUE;
    row[1] = status;
    row[2] = ref;
    simWords(si, row, 3);
    w.write(row);
  }
  w.close();
  renameSync(`${o.out}.tmp`, o.out);
  return res;
}

function grow32(a: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
