/**
 * Keep-best as a greedy maximal independent set over tonight's duplicate graph, in typed arrays.
 *
 * Nodes are records; records with the same exact hash form a group led by its head, and near-duplicate edges join
 * heads (compressed rows: `start[h]..start[h+1]` index `nbr`/`nsim`). Visiting records in order of preference, a
 * record with a kept record in its group loses to it (exact, similarity 1); else one with a kept neighbour group
 * loses to the most preferred such record (near, the edge's similarity); else it is kept if `canKeep` allows
 * (a record failing rules is never kept, and stays "unique" when nothing kept matches it).
 * No two kept records are then an edge; with input order as the preference this is keep-first.
 */

export interface Adjacency {
  start: Int32Array;
  nbr: Int32Array;
  nsim: Float64Array;
}

export interface GreedyResult {
  /** record -> kept record it lost to, -1: kept or unique */
  lostTo: Int32Array;
  /** 1 exact, 2 near (where lostTo >= 0) */
  lostKind: Uint8Array;
  lostSim: Float64Array;
  /** kept records, most preferred first */
  kept: Int32Array;
}

/** Compressed rows from edge lists between heads (both directions); `n` bounds every head. */
export function adjacency(n: number, from: Int32Array, to: Int32Array, sim: Float64Array, m: number): Adjacency {
  const start = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    start[from[e]! + 1]!++;
    start[to[e]! + 1]!++;
  }
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!;
  const fill = start.slice(0, n);
  const nbr = new Int32Array(2 * m);
  const nsim = new Float64Array(2 * m);
  for (let e = 0; e < m; e++) {
    const a = from[e]!;
    const b = to[e]!;
    nbr[fill[a]!] = b;
    nsim[fill[a]!++] = sim[e]!;
    nbr[fill[b]!] = a;
    nsim[fill[b]!++] = sim[e]!;
  }
  return { start, nbr, nsim };
}

/** `order`: the records to visit, most preferred first; `headOf[s]`: s's group head (all < n). */
export function greedyKeep(n: number, order: Int32Array, headOf: Int32Array, adj: Adjacency, canKeep: (s: number) => boolean): GreedyResult {
  const keptIn = new Int32Array(n).fill(-1); // head -> kept record of its group
  const rank = new Int32Array(n); // kept record -> its place in `order`
  const lostTo = new Int32Array(n).fill(-1);
  const lostKind = new Uint8Array(n);
  const lostSim = new Float64Array(n);
  const kept = new Int32Array(order.length);
  let nk = 0;
  const { start, nbr, nsim } = adj;
  for (let i = 0; i < order.length; i++) {
    const v = order[i]!;
    const h = headOf[v]!;
    if (keptIn[h]! >= 0) {
      lostTo[v] = keptIn[h]!;
      lostKind[v] = 1;
      lostSim[v] = 1;
      continue;
    }
    let best = -1;
    let bestSim = 0;
    for (let e = start[h]!; e < start[h + 1]!; e++) {
      const k = keptIn[nbr[e]!]!;
      if (k >= 0 && (best < 0 || rank[k]! < rank[best]!)) {
        best = k;
        bestSim = nsim[e]!;
      }
    }
    if (best >= 0) {
      lostTo[v] = best;
      lostKind[v] = 2;
      lostSim[v] = bestSim;
    } else if (canKeep(v)) {
      keptIn[h] = v;
      rank[v] = i;
      kept[nk++] = v;
    }
  }
  return { lostTo, lostKind, lostSim, kept: kept.slice(0, nk) };
}

/** Ranks by dedup.keep: clean first, then (human-first) label rank, then (human-first, longest) length, then seq. */
export interface Preference {
  clean: Uint8Array;
  /** human 2, unknown 1, synthetic 0 */
  labelRank: Uint8Array;
  length: Float64Array | Uint32Array;
  keep: string;
}

export function preferenceOrder(nodes: Int32Array, p: Preference): Int32Array {
  const byLabel = p.keep === 'human-first';
  const byLength = byLabel || p.keep === 'longest';
  const { clean, labelRank, length } = p;
  return nodes.slice().sort((a, b) => {
    if (clean[a] !== clean[b]) return clean[b]! - clean[a]!;
    if (byLabel && labelRank[a] !== labelRank[b]) return labelRank[b]! - labelRank[a]!;
    if (byLength && length[a] !== length[b]) return length[b]! - length[a]!;
    return a - b;
  });
}
