/**
 * The finish of a batch-engine night (`dedup.engine: "batch"`): the dedup step of runNight (src/stage/batch/
 * dedup-step.ts) from the cluster task's verdict file instead of the state backend's index.
 *   clusters      read the records in input order (as the index engine does), take each one's verdict: a
 *                 duplicate of an earlier night names the history record's id (its run set's ids); tonight's
 *                 losers join the cluster of the record they lost to; a scored record that took no part is a
 *                 synthetic reuse (the cluster task left it out after reading the ledger)
 *   beforeCommit  the night's accepted records become a run set of the band history (<state>/bands/, commitNight),
 *                 tagged with the state generation the night started from, named by the accepted records' ids
 *                 (streamed from the bands tasks' id files, nightSeqIds). A set of this generation left by a
 *                 crashed attempt is removed first, so the redo sees the history as the night did and writes it anew
 *   afterCommit   compaction (LSM merge of a level holding more than FAN_IN sets), then the night's band files go
 * The state backend's index is not used: a state keeps its history in one engine (docs/scale.md).
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { numberedRecords, regroup, type Clusters } from '../stage/batch/cluster.js';
import type { DedupStep } from '../stage/batch/dedup-step.js';
import { SeqSet } from '../stage/batch/seq-set.js';
import type { Loss } from '../stage/batch/tonight-graph.js';
import { VERDICT, VERDICT_WIDTH } from './bands/cluster.js';
import { commitNight, compact, dropSetsFrom } from './bands/history.js';
import { HistoryNames } from './bands/history-names.js';
import type { SeqIds } from './bands/id-file.js';
import { partFiles } from './bands/map.js';
import { wordsSim } from './bands/params.js';
import { bandParams, bandsWorkDir, historyDir, nightSeqIds, partNames } from './batch-tasks.js';
import type { NightSpec } from './night.js';
import type { NightPlan } from './plan-file.js';

/** A level of the history merges when it holds more than this many sets. */
export const FAN_IN = 4;

function readVerdicts(path: string): Uint32Array {
  const b = readFileSync(path);
  return new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4);
}

/** The records tonight's losers lost to (the refs of the EXACT and NEAR verdicts). */
function lostTo(v: Uint32Array, count: number): SeqSet {
  const out = new SeqSet();
  for (let s = 0, at = 0; s < count; s++, at += VERDICT_WIDTH) if (v[at + 1] === VERDICT.EXACT || v[at + 1] === VERDICT.NEAR) out.add(v[at + 2]!);
  return out;
}

/** The ids of the records flagged in `kept`, in seq order. */
function* acceptedIds(ids: SeqIds, kept: Uint8Array): Generator<string> {
  for (let s = 0; s < kept.length; s++) if (kept[s]) yield ids.idOf(s);
}

export function batchDedup(spec: NightSpec, plan: NightPlan, nightDir: string): DedupStep {
  const work = bandsWorkDir(spec.stateDir, nightDir);
  const hist = historyDir(spec.stateDir);
  const params = bandParams(spec.cfg);
  let count = 0;
  return {
    async clusters(source, labelOf, stop) {
      const v = readVerdicts(join(work, 'verdicts'));
      count = v.length / VERDICT_WIDTH;
      const out: Clusters = { members: [], dupOf: new Map(), clusterOf: new Map(), reuse: new Set(), tonight: new Map(), refOf: new Map(), best: new Map(), sizes: new Map(), settledNow: new Set(), errors: [], candidates: new Map(), graph: null };
      const ids = new HistoryNames(hist, plan.generation);
      const named = lostTo(v, count);
      const kept: number[] = [];
      const lost = new Map<number, Loss>();
      let seq = 0;
      for await (const p of numberedRecords(source, stop, out.errors)) {
        seq = p.seq + 1;
        if (p.kind !== 's') continue;
        const s = p.seq;
        const at = s * VERDICT_WIDTH;
        const status = v[at + 1]!;
        const ref = v[at + 2]!;
        const similarity = wordsSim(v, at + 3);
        if (status === VERDICT.NONE) out.reuse.add(s);
        else if (status === VERDICT.EXACT_HISTORY || status === VERDICT.NEAR_HISTORY) out.dupOf.set(s, { kind: status === VERDICT.EXACT_HISTORY ? 'exact' : 'near', of: ids.idOf(ref), similarity });
        else if (status === VERDICT.EXACT || status === VERDICT.NEAR) lost.set(s, { kept: ref, kind: status === VERDICT.EXACT ? 'exact' : 'near', similarity });
        else if (status === VERDICT.KEPT && named.has(s)) {
          // routing names a kept record as its losers' duplicate: the only members it reads (dupFor); a kept
          // record that no record lost to is no cluster and needs no entry
          kept.push(s);
          out.members[s] = { seq: s, id: p.id, label: labelOf(p.origin, p.record), length: p.features.byteLength, clean: p.ruleFailures.length === 0 };
        }
      }
      ids.close();
      if (seq !== count) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId} has ${seq} records but its cluster task gave ${count} verdicts (${join(work, 'verdicts')})`);
      regroup(out, { kept, lost });
      return out;
    },
    async afterRoute() {},
    async beforeCommit(_clusters, routed) {
      dropSetsFrom(hist, plan.generation);
      const keptFlags = new Uint8Array(count);
      for (const s of routed.accepted) keptFlags[s] = 1;
      const parts = partNames(plan).map((p) => partFiles(work, p.name, params.groups));
      const seqIds = nightSeqIds(work, plan);
      try {
        commitNight(hist, params, parts, keptFlags, { generation: plan.generation, ids: acceptedIds(seqIds, keptFlags) });
      } finally {
        seqIds.close();
      }
    },
    async afterCommit() {
      compact(hist, params, FAN_IN);
      rmSync(work, { recursive: true, force: true });
    },
  };
}
