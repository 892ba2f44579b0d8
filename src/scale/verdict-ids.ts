/**
 * The ids the batch engine names from disk: tonight's records by seq (the bands tasks' id files, nightSeqIds) and
 * earlier nights' by history ref (the run sets' id files, HistoryNames). Read by position: nothing per record is
 * held in memory.
 */
import { HistoryNames } from './bands/history-names.js';
import type { SeqIds } from './bands/id-file.js';
import { historyDir, nightSeqIds } from './batch-tasks.js';
import type { NightSpec } from './night.js';
import type { NightPlan } from './plan-file.js';
import type { VerdictIds } from './route/route-task.js';

/** The ids the route task's verdicts name (`work`: the night's band files). */
export function verdictIds(spec: NightSpec, plan: NightPlan, work: string): VerdictIds {
  const tonight = nightSeqIds(work, plan);
  const hist = new HistoryNames(historyDir(spec.stateDir), plan.generation);
  return {
    tonight: (seq) => tonight.idOf(seq),
    history: (ref) => hist.idOf(ref),
    close() {
      tonight.close();
      hist.close();
    },
  };
}

/** The ids of the records flagged in `accepted`, in seq order (a history set's ids). */
export function* acceptedIdsOf(ids: SeqIds, accepted: Uint8Array): Generator<string> {
  for (let s = 0; s < accepted.length; s++) if (accepted[s]) yield ids.idOf(s);
}
