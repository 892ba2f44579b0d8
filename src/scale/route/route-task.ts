/**
 * The batch engine's route task (`dedup.engine: "batch"`): in input order, the router decides every record (rules,
 * tail, balancing, synthetic cap, as the one-process night does: src/stage/batch/route.ts) with the duplicate the
 * cluster task's verdict names for it. It writes no output file: each finalised record becomes a row of its output
 * file's rows (destinations.ts), which the write tasks turn into shards, rejects and quarantine files, one task per
 * group of files (write-task.ts); the statistics, accepted flags, tail statistics and ledger notes go to the finish
 * (route-outputs.ts). Memory: the router's own state (tail sketch, synthetic buffer), records in flight and a byte
 * per record for the cluster sizes; the verdicts are streamed and ids are read from disk.
 */
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fingerprint } from '../../config/index.js';
import { SynthfilterError } from '../../errors.js';
import { NightStats } from '../../report/collect.js';
import { buildScorers } from '../../score/build.js';
import { numberedRecords } from '../../stage/batch/cluster.js';
import { countDiversity } from '../../stage/batch/route.js';
import { partsOf, ScoredParts } from '../../stage/batch/score-parts.js';
import { FilterCore, type Prepared } from '../../stage/core.js';
import { internalsOf } from '../../stage/outcome-internals.js';
import { savedStats } from '../../stage/stats.js';
import type { StopWatch } from '../../stage/stop.js';
import { createStateBackend } from '../../state/index.js';
import type { DupScore, OriginLabel, Outcome } from '../../types.js';
import { VERDICT, VERDICT_WIDTH } from '../bands/cluster.js';
import { wordsSim } from '../bands/params.js';
import { RowReader } from '../bands/rows.js';
import { pendingOf } from '../finish.js';
import type { Log, NightSpec } from '../night.js';
import type { NightPlan } from '../plan-file.js';
import { Destinations } from './destinations.js';
import { NotesWriter, notesPath, writeBits, writeSummary, writeTail, type RouteSummary } from './route-outputs.js';

/** Ids the verdicts name: tonight's records by seq, earlier nights' by history ref. */
export interface VerdictIds {
  tonight(seq: number): string;
  history(ref: number): string;
  close(): void;
}

export interface RouteTaskInput {
  spec: NightSpec;
  plan: NightPlan;
  /** the cluster task's verdict file */
  verdicts: string;
  /** where the route task's outputs go (route-outputs.ts) */
  out: string;
  ids: VerdictIds;
  stop: StopWatch;
  log: Log;
}

/** Losers per kept record (a byte each; the rare larger counts in a map), for the report's cluster sizes. */
class LoserCounts {
  private readonly small: Uint8Array;
  private readonly large = new Map<number, number>();
  constructor(count: number) {
    this.small = new Uint8Array(count);
  }
  add(kept: number): void {
    if (this.small[kept]! < 255) this.small[kept]!++;
    else this.large.set(kept, (this.large.get(kept) ?? 255) + 1);
  }
  /** cluster size (losers + the kept record) -> clusters */
  histogram(): Record<string, number> {
    const out: Record<string, number> = {};
    const add = (n: number) => (out[String(n + 1)] = (out[String(n + 1)] ?? 0) + 1);
    this.small.forEach((n, s) => n > 0 && n < 255 && add(n));
    for (const n of this.large.values()) add(n);
    this.small.forEach((n, s) => n === 255 && !this.large.has(s) && add(255));
    return out;
  }
}

/** The tail statistics as the committed state holds them (read without the lock: only the finish writes the state). */
async function committedTail(spec: NightSpec, log: Log) {
  const backend = await createStateBackend({ cfg: spec.cfg, fingerprint: fingerprint(spec.cfg), partition: spec.partition ?? resolve(spec.inDir), stateDir: spec.stateDir, outDir: spec.outDir, log });
  try {
    await backend.open();
    return await backend.tailGet();
  } finally {
    await backend.close();
  }
}

export async function routeTask(t: RouteTaskInput): Promise<RouteSummary> {
  const { spec, plan, stop } = t;
  const cfg = spec.cfg;
  const run = pendingOf(plan);
  const scorers = buildScorers(cfg, { scoring: false });
  const core = new FilterCore(cfg, { shards: true, scorers: { ...scorers, dedup: null } });
  const tail0 = await committedTail(spec, t.log);
  if (tail0) core.restoreTail(tail0);
  const scoring = new ScoredParts({ run, parts: partsOf(run, join(spec.stateDir, 'work', plan.runId), cfg.input.format), cfg, pool: null, lanes: plan.lanes, stop, cacheBytes: 0 });
  scoring.readWith(core);
  const source = { fileCount: run.files.length, records: (i: number, fill: boolean) => scoring.records(i, fill), fileDone: (i: number) => scoring.fileDone(i) };
  const night = new NightStats(cfg, run.files.map((f) => ({ path: f.path, name: f.rel })));
  const verdicts = new RowReader(t.verdicts, VERDICT_WIDTH);
  const dests = new Destinations(t.out, cfg.output.shardMaxRecords);
  const notes = new NotesWriter(notesPath(t.out));
  const diversityHist: Record<string, number[]> = {};
  const errors: string[] = [];
  let accepted: Uint8Array = new Uint8Array(1024);
  const losers = new LoserCounts(statSync(t.verdicts).size / (4 * VERDICT_WIDTH));
  let historyDuplicates = 0;
  const onOutcome = (x: Outcome) => {
    night.observe(x);
    const a = x.annotation;
    const s = internalsOf(x)!.seq;
    dests.add(s, a, JSON.stringify(a));
    if (a.decision === 'quarantine') return;
    notes.add({ hash: internalsOf(x)!.features!.exactHash, run: plan.runId, label: a.origin.label, pAi: a.origin.p_ai, emitted: a.decision === 'accept' });
    if (a.decision === 'accept') {
      if (s >>> 3 >= accepted.length) accepted = grown(accepted, (s >>> 3) + 1);
      accepted[s >>> 3] |= 1 << (s & 7);
    }
    countDiversity(diversityHist, x);
  };
  let seq = 0;
  const outs: Outcome[] = [];
  try {
    for await (const p of numberedRecords(source, stop, errors)) {
      if (!verdicts.next() || verdicts.row[0] !== p.seq) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId}: the verdicts (${t.verdicts}) do not match record ${p.seq}`);
      seq = p.seq + 1;
      core.countInput(p.bytes);
      const v = verdicts.row;
      const status = v[1]!;
      if (p.kind !== 's') core.decide(p, outs, null);
      else {
        let dup: DupScore | null = null;
        if (status === VERDICT.EXACT || status === VERDICT.NEAR) {
          dup = { kind: status === VERDICT.EXACT ? 'exact' : 'near', of: t.ids.tonight(v[2]!), similarity: wordsSim(v, 3) };
          losers.add(v[2]!);
        } else if (status === VERDICT.EXACT_HISTORY || status === VERDICT.NEAR_HISTORY) {
          dup = { kind: status === VERDICT.EXACT_HISTORY ? 'exact' : 'near', of: t.ids.history(v[2]!), similarity: wordsSim(v, 3) };
          historyDuplicates++;
        }
        core.decide(p as Prepared, outs, dup, status === VERDICT.NONE ? ['synthetic_reuse'] : undefined);
      }
      for (const x of outs) onOutcome(x);
      outs.length = 0;
    }
    if (verdicts.next()) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId} has ${seq} records but more verdicts (${t.verdicts})`);
    for (const x of await core.end()) onOutcome(x);
  } finally {
    verdicts.close();
  }
  const list = dests.close();
  notes.close();
  writeBits(t.out, accepted.subarray(0, Math.ceil(seq / 8)));
  const tail = core.tailSnapshot();
  writeTail(t.out, tail.df);
  night.historyDuplicates = historyDuplicates;
  const summary: RouteSummary = {
    records: seq,
    dests: list,
    stats: savedStats(core.stats),
    night: night.toJSON(),
    diversityHist,
    clusterSizes: losers.histogram(),
    historyDuplicates,
    errors,
    tailDocs: tail.docs,
    notes: notes.count,
  };
  writeSummary(t.out, summary);
  return summary;
}

function grown(a: Uint8Array, need: number): Uint8Array {
  const b = new Uint8Array(Math.max(need, a.length * 2));
  b.set(a);
  return b;
}
