/**
 * The ids the cluster task's verdicts name, for the route task: tonight's records by seq (the records others lost
 * to), earlier nights' by history ref (the run sets' ids).
 */
import { join } from 'node:path';
import { SynthfilterError } from '../errors.js';
import { FilterCore } from '../stage/core.js';
import { readSpool } from '../stage/spool.js';
import { VERDICT, VERDICT_WIDTH } from './bands/cluster.js';
import { RowReader } from './bands/rows.js';
import { HistoryIds } from './batch-finish.js';
import { historyDir, partSeqs } from './batch-tasks.js';
import type { NightSpec } from './night.js';
import type { NightPlan } from './plan-file.js';
import type { VerdictIds } from './route/route-task.js';
import type { TaskStore } from './store.js';

export async function verdictIds(spec: NightSpec, plan: NightPlan, store: TaskStore, dir: string, verdicts: string): Promise<VerdictIds> {
  const named = new Set<number>();
  const r = new RowReader(verdicts, VERDICT_WIDTH);
  while (r.next()) if (r.row[1] === VERDICT.EXACT || r.row[1] === VERDICT.NEAR) named.add(r.row[2]!);
  r.close();
  const ids = new Map<number, string>();
  const core = new FilterCore(spec.cfg);
  for (const p of partSeqs(plan, store, dir)) {
    let seq = p.base;
    if (p.count === 0) continue;
    for await (const x of readSpool(join(spec.stateDir, 'work', plan.runId, `${p.name}.spool`), core)) {
      if (seq >= p.base + p.count) break;
      if (named.has(seq)) ids.set(seq, x.id);
      seq++;
    }
  }
  const hist = new HistoryIds(historyDir(spec.stateDir), plan.generation);
  return {
    tonight(seq) {
      const id = ids.get(seq);
      if (id === undefined) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId}: no record ${seq}`);
      return id;
    },
    history: (ref) => hist.idOf(ref),
    close() {},
  };
}

/** The ids of the accepted records (`accepted[seq]` = 1), in seq order, read back from the spools. */
export async function acceptedIdsOf(spec: NightSpec, plan: NightPlan, store: TaskStore, dir: string, accepted: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  const core = new FilterCore(spec.cfg);
  for (const p of partSeqs(plan, store, dir)) {
    let seq = p.base;
    if (p.count === 0) continue;
    for await (const x of readSpool(join(spec.stateDir, 'work', plan.runId, `${p.name}.spool`), core)) {
      if (seq >= p.base + p.count) break;
      if (accepted[seq]) out.push(x.id);
      seq++;
    }
  }
  return out;
}
