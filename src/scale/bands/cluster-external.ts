/**
 * The cluster task in bounded memory (ClusterOptions.memoryBytes given): the same verdict file as the in-memory
 * clusterNight, byte for byte, with no state of its own that grows with the night: every table is a row file
 * produced by an external sort (external-sort.ts) and read by streaming joins (KeyCursor), and the greedy
 * keep-best is time-forward processing over a monotone external queue (message-queue.ts). Only the caller's
 * per-record arrays (node, clean, labelRank, length: ClusterOptions) are read by seq.
 *
 * Why it is the same greedy (greedy.ts): records visit in preference order, clean (clean === 1) before not clean,
 * and only a clean record can be kept. So a group (records sharing a head) is decided at its first visited member
 * f: when no neighbour group was kept before, f is kept if clean and every later member is an exact duplicate of
 * it; else every member loses, as a near duplicate, to k*, the most preferred record kept in a neighbour group
 * (kept groups are independent and every kept record precedes every record not clean, so k* precedes them all),
 * with the similarity of the first edge, in pair order, between the two groups; no kept neighbour: unique.
 * A group's time is the rank of f; an edge is handled at its earlier end's time: a kept group sends its record
 * to the later end, which reads its messages at its own time.
 *
 * Files under `<out>.cluster-tmp/` (removed at the end), in order of the steps:
 *   heads    [seq, head, exact history ref]     sorted by seq      exact groups (lookahead + replay of the merge)
 *   state    [seq, head, hist ref, kind, sim2]  seq order, sparse  history matches (history-tonight pairs)
 *   tb       [b, a, sim2, head a]               sorted by b        tonight's pairs
 *   order    [key0, len hi, len lo, seq, head]  preference order   records no earlier night holds
 *   members  [head, rank, seq]                  sorted by head     groups; `groups` [head, time, first, clean, head listed]
 *   edges    [t min, t max, sim2]               by time            one per pair of groups: the first in pair order
 *   outcome  [head, kind, ref, sim2]            sorted by head     the greedy's decision per group
 *   listed   [seq, status, ref, sim2]           sorted by seq      verdicts of the visited records
 */
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSorter } from './external-sort.js';
import { MessageQueue } from './message-queue.js';
import { KeyCursor, MergeReader, RowReader, RowWriter } from './rows.js';
import { EXACT_WIDTH, HISTORY, VERIFIED_WIDTH } from './params.js';
import { VERDICT, VERDICT_WIDTH, type ClusterOptions, type ClusterResult } from './cluster-types.js';

interface Ctx {
  o: ClusterOptions;
  n: number;
  dir: string;
  /** bytes each of the (at most two) sorters alive at once may hold */
  share: number;
  /** every sorter and queue made, for the spill count */
  made: Array<{ spilled: number }>;
}

const file = (c: Ctx, name: string) => join(c.dir, name);
function sorter(c: Ctx, name: string, width: number, keyWords: number): ExternalSorter {
  const s = new ExternalSorter({ width, keyWords, memoryBytes: c.share, tmpDir: file(c, `${name}.spill`) });
  c.made.push(s);
  return s;
}
const isNode = (c: Ctx, s: number) => s < c.n && c.o.node[s] !== 0;

export function clusterExternal(o: ClusterOptions & { memoryBytes: number }): ClusterResult {
  const dir = `${o.out}.cluster-tmp`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const c: Ctx = { o, n: o.count, dir, share: Math.max(4096, Math.floor(o.memoryBytes / 2)), made: [] };
  for (let s = 0; s < c.n; s++) if (o.node[s] && o.clean[s] !== 0 && o.clean[s] !== 1) throw new RangeError(`bands cluster: clean[${s}] must be 0 or 1, got ${o.clean[s]}`);
  exactHeads(c);
  historyAndPairs(c);
  preferenceOrder(c);
  groupsOf(c);
  const edges = groupEdges(c);
  const kept = greedy(c);
  const res = writeVerdicts(c, memberVerdicts(c));
  rmSync(dir, { recursive: true, force: true });
  return { ...res, kept, edges, spills: c.made.reduce((t, s) => t + s.spilled, 0) };
}

/** 1. Exact groups: a lookahead merge finds each hash group's head (first tonight node) and earliest history ref,
 * a replay of the same merge writes [seq, head, history ref] for its tonight nodes. */
function exactHeads(c: Ctx): void {
  const out = sorter(c, 'heads', 3, 1);
  const ahead = new MergeReader(c.o.exact, EXACT_WIDTH, EXACT_WIDTH);
  const replay = new MergeReader(c.o.exact, EXACT_WIDTH, EXACT_WIDTH);
  let live = ahead.next();
  const row = new Uint32Array(3);
  while (live) {
    const hi = ahead.row[0]!;
    const lo = ahead.row[1]!;
    let head = -1;
    let hist = 0;
    let size = 0;
    for (; live && ahead.row[0] === hi && ahead.row[1] === lo; live = ahead.next(), size++) {
      const ref = ahead.row[2]!;
      if (ref >= HISTORY) hist ||= ref;
      else if (head < 0 && isNode(c, ref)) head = ref;
    }
    for (let i = 0; i < size; i++) {
      replay.next();
      const ref = replay.row[2]!;
      if (ref >= HISTORY || !isNode(c, ref) || (ref === head && hist === 0)) continue;
      row[0] = ref;
      row[1] = head;
      row[2] = hist;
      out.push(row);
    }
  }
  ahead.close();
  replay.close();
  out.finish(file(c, 'heads'));
}

/** 2. Pairs in (a, b) order with the heads in seq order: each record's history match (an exact one, else its first
 * history pair) -> `state`; tonight's pairs between nodes -> `tb`, sorted by b. */
function historyAndPairs(c: Ctx): void {
  const heads = new RowReader(file(c, 'heads'), 3);
  let hLive = heads.next();
  const state = new RowWriter(file(c, 'state'), 6);
  const tb = sorter(c, 'tb', 5, 2);
  const st = new Uint32Array(6);
  let cur = -1; // the record `st` describes
  const flush = () => {
    if (cur >= 0 && (st[1] !== cur || st[2] !== 0)) state.write(st);
    cur = -1;
  };
  const open = (s: number) => {
    flush();
    while (hLive && heads.row[0]! < s) {
      st.set([heads.row[0]!, heads.row[1]!, heads.row[2]!, heads.row[2] ? VERDICT.EXACT_HISTORY : 0, 0x3ff00000, 0]);
      state.write(st); // a head row always differs from the default (head = seq, no history)
      hLive = heads.next();
    }
    const own = hLive && heads.row[0] === s;
    st.set([s, own ? heads.row[1]! : s, own ? heads.row[2]! : 0, own && heads.row[2] ? VERDICT.EXACT_HISTORY : 0, own && heads.row[2] ? 0x3ff00000 : 0, 0]);
    if (own) hLive = heads.next();
    cur = s;
  };
  const m = new MergeReader(c.o.pairs, VERIFIED_WIDTH, 2);
  const t = new Uint32Array(5);
  let pa = -1;
  let pb = -1;
  while (m.next()) {
    const [a, b] = [m.row[0]!, m.row[1]!];
    if (a === pa && b === pb) continue;
    pa = a;
    pb = b;
    if (!isNode(c, a)) continue;
    if (a !== cur) open(a);
    if (b >= HISTORY) {
      if (st[2] === 0) st.set([b, VERDICT.NEAR_HISTORY, m.row[2]!, m.row[3]!], 2);
    } else if (isNode(c, b)) {
      t.set([b, a, m.row[2]!, m.row[3]!, st[1]!]);
      tb.push(t);
    }
  }
  m.close();
  open(c.n);
  cur = -1;
  heads.close();
  state.close();
  tb.finish(file(c, 'tb'));
}

/** Length as two words that sort descending (f64 order; -0 as 0). */
const f64 = new Float64Array(1);
const f64w = new Uint32Array(f64.buffer);
function descendingLength(x: number, out: Uint32Array, at: number): void {
  f64[0] = x + 0;
  let hi = f64w[1]!;
  let lo = f64w[0]!;
  if (hi & 0x80000000) ((hi = ~hi >>> 0), (lo = ~lo >>> 0));
  else hi = (hi | 0x80000000) >>> 0;
  out[at] = ~hi >>> 0;
  out[at + 1] = ~lo >>> 0;
}

/** 3. The records no earlier night holds, most preferred first (clean, label, length by dedup.keep, then seq). */
function preferenceOrder(c: Ctx): void {
  const { clean, labelRank, length, keep } = c.o;
  const byLabel = keep === 'human-first';
  const byLength = byLabel || keep === 'longest';
  const out = sorter(c, 'order', 5, 4);
  const state = new KeyCursor(file(c, 'state'), 6);
  const row = new Uint32Array(5);
  for (let s = 0; s < c.n; s++) {
    if (!isNode(c, s)) continue;
    const st = state.seek(s);
    if (st && st[2] !== 0) continue;
    row[0] = ((1 - clean[s]!) << 8) | (byLabel ? 255 - labelRank[s]! : 0);
    if (byLength) descendingLength(length[s]!, row, 1);
    row[3] = s;
    row[4] = st ? st[1]! : s;
    out.push(row);
  }
  state.close();
  out.finish(file(c, 'order'));
}

/** 4. Groups: members by head (and rank); per group its time (first member's rank), first member, whether it is
 * clean, and whether the head itself is visited (else its edges are dropped, as in clusterNight). */
function groupsOf(c: Ctx): void {
  const members = sorter(c, 'members', 3, 2);
  const rd = new RowReader(file(c, 'order'), 5);
  const m = new Uint32Array(3);
  for (let rank = 0; rd.next(); rank++) members.push(((m[0] = rd.row[4]!), (m[1] = rank), (m[2] = rd.row[3]!), m));
  rd.close();
  members.finish(file(c, 'members'));
  const groups = new RowWriter(file(c, 'groups'), 5);
  const g = new Uint32Array(5);
  const mr = new RowReader(file(c, 'members'), 3);
  let head = -1;
  while (mr.next()) {
    const [h, rank, seq] = [mr.row[0]!, mr.row[1]!, mr.row[2]!];
    if (h !== head) {
      if (head >= 0) groups.write(g);
      head = h;
      g.set([h, rank, seq, c.o.clean[seq]!, 0]);
    }
    if (seq === h) g[4] = 1;
  }
  if (head >= 0) groups.write(g);
  mr.close();
  groups.close();
}

/** 5. Edges between groups: head of b (state), both groups' times (groups); the first pair in (a, b) order of each
 * pair of groups gives the edge's similarity. Returns the edges kept, duplicates included (ClusterResult.edges). */
function groupEdges(c: Ctx): number {
  const byHa = sorter(c, 'ea', 6, 1);
  const state = new KeyCursor(file(c, 'state'), 6);
  const rd = new RowReader(file(c, 'tb'), 5);
  const e = new Uint32Array(6);
  while (rd.next()) {
    const [b, a, s0, s1, ha] = rd.row;
    const st = state.seek(b!);
    const hb = st ? st[1]! : b!;
    if (ha !== hb) byHa.push((e.set([ha!, hb, a!, b!, s0!, s1!]), e));
  }
  rd.close();
  state.close();
  byHa.finish(file(c, 'ea'));
  // time of ha, then of hb: groups whose head is not visited have no edges
  const timed = (input: string, each: (row: Uint32Array, t: number) => void) => {
    const groups = new KeyCursor(file(c, 'groups'), 5);
    const r = new RowReader(input, 6);
    while (r.next()) {
      const g = groups.seek(r.row[0]!);
      if (g && g[4] === 1) each(r.row, g[1]!);
    }
    r.close();
    groups.close();
  };
  const byHb = sorter(c, 'eb', 6, 1);
  timed(file(c, 'ea'), (r, t) => byHb.push((e.set([r[1]!, t, r[2]!, r[3]!, r[4]!, r[5]!]), e)));
  byHb.finish(file(c, 'eb'));
  const byTime = sorter(c, 'ed', 6, 4);
  let kept = 0;
  timed(file(c, 'eb'), (r, t) => {
    kept++;
    byTime.push((e.set([Math.min(r[1]!, t), Math.max(r[1]!, t), r[2]!, r[3]!, r[4]!, r[5]!]), e));
  });
  byTime.finish(file(c, 'ed'));
  const w = new RowWriter(file(c, 'edges'), 4);
  const r = new RowReader(file(c, 'ed'), 6);
  let [t0, t1] = [-1, -1];
  while (r.next()) {
    if (r.row[0] === t0 && r.row[1] === t1) continue;
    [t0, t1] = [r.row[0]!, r.row[1]!];
    w.write((e.set([t0, t1, r.row[4]!, r.row[5]!]), e));
  }
  r.close();
  w.close();
  return kept;
}

/** 6. The greedy, group by group in time order: messages [time, sender time, kept record, sim2] from kept groups.
 * Returns the groups kept. */
function greedy(c: Ctx): number {
  const byTime = sorter(c, 'gt', 4, 1);
  const gr = new RowReader(file(c, 'groups'), 5);
  const g = new Uint32Array(4);
  while (gr.next()) byTime.push((g.set([gr.row[1]!, gr.row[0]!, gr.row[2]!, gr.row[3]!]), g));
  gr.close();
  byTime.finish(file(c, 'gt'));
  const queue = new MessageQueue(5, c.share, file(c, 'queue'));
  c.made.push(queue);
  const outcome = sorter(c, 'outcome', 5, 1);
  const edges = new RowReader(file(c, 'edges'), 4);
  let eLive = edges.next();
  const rd = new RowReader(file(c, 'gt'), 4);
  const o = new Uint32Array(5);
  const msg = new Uint32Array(5);
  let kept = 0;
  while (rd.next()) {
    const [time, head, first, clean] = [rd.row[0]!, rd.row[1]!, rd.row[2]!, rd.row[3]!];
    o.set([head, 0, 0, 0, 0]);
    let best = -1;
    queue.popTime(time, (m) => {
      if (best < 0 || m[1]! < best) (best = m[1]!), o.set([head, 2, m[2]!, m[3]!, m[4]!]);
    });
    const keep = best < 0 && clean === 1;
    if (keep) (o.set([head, 1, first, 0, 0]), kept++);
    for (; eLive && edges.row[0]! <= time; eLive = edges.next()) {
      if (keep && edges.row[0] === time) queue.push((msg.set([edges.row[1]!, time, first, edges.row[2]!, edges.row[3]!]), msg));
    }
    outcome.push(o);
  }
  rd.close();
  edges.close();
  queue.close();
  outcome.finish(file(c, 'outcome'));
  return kept;
}

/** 7. Each visited record's verdict from its group's outcome. */
function memberVerdicts(c: Ctx): { exact: number; near: number } {
  const out = sorter(c, 'listed', VERDICT_WIDTH, 1);
  const outcome = new KeyCursor(file(c, 'outcome'), 5);
  const mr = new RowReader(file(c, 'members'), 3);
  const v = new Uint32Array(VERDICT_WIDTH);
  const res = { exact: 0, near: 0 };
  while (mr.next()) {
    const [head, seq] = [mr.row[0]!, mr.row[2]!];
    const g = outcome.seek(head)!;
    if (g[1] === 1) v.set(g[2] === seq ? [seq, VERDICT.KEPT, 0, 0, 0] : [seq, VERDICT.EXACT, g[2]!, 0x3ff00000, 0]);
    else if (g[1] === 2) v.set([seq, VERDICT.NEAR, g[2]!, g[3]!, g[4]!]);
    else v.set([seq, VERDICT.UNIQUE, 0, 0, 0]);
    if (v[1] === VERDICT.EXACT) res.exact++;
    else if (v[1] === VERDICT.NEAR) res.near++;
    out.push(v);
  }
  mr.close();
  outcome.close();
  out.finish(file(c, 'listed'));
  return res;
}

/** 8. The verdict file: every seq < count, from `state` (history) and `listed`. */
function writeVerdicts(c: Ctx, counts: { exact: number; near: number }): Omit<ClusterResult, 'kept' | 'edges'> {
  const state = new KeyCursor(file(c, 'state'), 6);
  const listed = new KeyCursor(file(c, 'listed'), VERDICT_WIDTH);
  const w = new RowWriter(`${c.o.out}.tmp`, VERDICT_WIDTH);
  const none = new Uint32Array(VERDICT_WIDTH);
  let history = 0;
  for (let s = 0; s < c.n; s++) {
    const st = isNode(c, s) ? state.seek(s) : null;
    if (!isNode(c, s)) ((none[0] = s), w.write(none));
    else if (st && st[2] !== 0) (w.write([s, st[3]!, st[2]!, st[4]!, st[5]!]), history++);
    else {
      const v = listed.seek(s);
      if (!v) throw new Error(`bands cluster: no verdict for record ${s}`);
      w.write(v);
    }
  }
  state.close();
  listed.close();
  w.close();
  renameSync(`${c.o.out}.tmp`, c.o.out);
  return { ...counts, history };
}
