/**
 * Step "route" of the nightly job (phase B2): in input order, the router decides each record (rules, tail,
 * balancing, synthetic cap) with the duplicate the cluster step found for it, and the outcomes are written to the
 * run's staging folder (curated/<run-id>.tmp/). Every decision yields its state effects (effects.ts): a provenance
 * note per routed record; after routing, the index keeps tonight's accepted records only (`reindexEffects`).
 *
 * Inputs: the records in input order, the clusters, a routing FilterCore (tail statistics restored), the open sink,
 * an effect applier. Output: `RouteResult` (which records were accepted, diversity histograms); shards, rejects and
 * quarantine in the staging folder.
 */
import type { NightStats } from '../../report/collect.js';
import type { Config } from '../../config/index.js';
import { DirectorySink } from '../../sink/files.js';
import type { Outcome } from '../../types.js';
import type { FilterCore, Prepared } from '../core.js';
import type { BackendEffects, Effect } from '../effects.js';
import { internalsOf } from '../outcome-internals.js';
import type { StopWatch } from '../stop.js';
import { dupFor, type Clusters, type RecordSource } from './cluster.js';
import { SeqSet } from './seq-set.js';

/** The run's output writer, on its staging folder. */
export function openSink(cfg: Config, staging: string): DirectorySink {
  return new DirectorySink(staging, { annotate: cfg.output.annotate, annotationKey: cfg.output.annotationKey, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: (cfg.route.balanceBy as string | null) ?? null });
}

export interface RouteInput {
  runId: string;
  source: RecordSource;
  clusters: Clusters;
  /** the routing core (no dedup scorer: duplicates come from `clusters`) */
  core: FilterCore;
  sink: DirectorySink;
  effects: BackendEffects;
  stop: StopWatch;
  /** the report's per-file, per-stratum and per-reason counts (src/report/collect.ts) */
  night: NightStats;
}

export interface RouteResult {
  /** seqs of accepted records */
  accepted: SeqSet;
  /** per diversity metric, a 10-bucket histogram of routed records */
  diversityHist: Record<string, number[]>;
}

const HIST_METRICS = ['mattr', 'distinct_2', 'compression_ratio'];

/** Count a routed (non-quarantined) record in the per-metric diversity histograms. */
export function countDiversity(hist: Record<string, number[]>, x: Outcome): void {
  for (const k of HIST_METRICS) {
    const v = x.annotation.diversity[k];
    if (typeof v === 'number') (hist[k] ??= new Array(10).fill(0))[Math.max(0, Math.min(9, Math.floor(k === 'compression_ratio' ? v : v * 10)))]!++;
  }
}

/** Route every record in input order and write the outcomes (the sink is closed at the end). */
export async function routeRun(r: RouteInput): Promise<RouteResult> {
  const { core, clusters, sink, effects, stop } = r;
  const accepted = new SeqSet();
  const diversityHist: Record<string, number[]> = {};
  // outcomes go to the sink in blocks: one write per record would cost a stream write and a zlib job each
  let block: Outcome[] = [];
  const write = async (force: boolean) => {
    if (block.length >= 1024 || (force && block.length)) {
      const b = block;
      block = [];
      await sink.write(b);
    }
  };
  /** one routed record (`fileIndex`: the file being routed when it was finalised; the end-of-input release: the
   * last file): its effects, its counts, its place in the output */
  const onOutcome = (x: Outcome, fileIndex: number) => {
    void fileIndex;
    r.night.observe(x);
    block.push(x);
    if (x.annotation.decision === 'quarantine') return;
    effects.apply({ kind: 'ledger', note: { hash: internalsOf(x)!.features!.exactHash, run: r.runId, label: x.annotation.origin.label, pAi: x.annotation.origin.p_ai, emitted: x.annotation.decision === 'accept' } });
    if (x.annotation.decision === 'accept') accepted.add(internalsOf(x)!.seq);
    countDiversity(diversityHist, x);
  };
  let seq = 0;
  const files = r.source.fileCount;
  for (let i = 0; i < files; i++) {
    for await (const p of r.source.records(i, false)) {
      stop.check();
      const s = seq++;
      p.seq = s;
      core.countInput(p.bytes);
      const outs: Outcome[] = [];
      if (p.kind === 'q') core.decide(p, outs, null);
      else core.decide(p as Prepared, outs, dupFor(clusters, s), clusters.reuse.has(s) ? ['synthetic_reuse'] : undefined);
      for (const x of outs) onOutcome(x, i);
      await write(false);
      await effects.flush(false);
    }
  }
  for (const x of await core.end()) onOutcome(x, files - 1);
  await write(true);
  await sink.close();
  return { accepted, diversityHist };
}

/**
 * The index after tonight: tonight's clusters are represented by their kept member; records that were indexed but
 * not accepted (a cluster's non-best root, capped, balanced away) leave the index so they do not suppress later
 * nights' twins, and a kept member that is not its root joins (unless a shared backend settled it already). The
 * joiners' features are read back from the spools.
 */
export async function reindexEffects(clusters: Clusters, routed: RouteResult, source: RecordSource, stop: StopWatch): Promise<Effect[]> {
  const { tonight, best, refOf, members } = clusters;
  const out: Effect[] = [];
  for (const [ref, s] of tonight) if (!routed.accepted.has(s)) out.push({ kind: 'unindex', id: members[s]?.id ?? ref, ref });
  const joiners = new Set<string>();
  // kept members the index lacks (not indexed tonight, nor settled in their root's place)
  for (const b of best.values()) if (routed.accepted.has(b) && !refOf.has(b)) joiners.add(members[b]!.id);
  if (joiners.size === 0) return out;
  for (let i = 0; i < source.fileCount; i++) {
    for await (const p of source.records(i, false)) {
      stop.check();
      if (p.kind === 's' && joiners.has(p.id)) out.push({ kind: 'index', id: p.id, features: p.features });
    }
  }
  return out;
}
