/**
 * The nightly job's dedup step as one interface (`runNight`, src/stage/clean.ts): the state backend's index
 * (`dedup.engine "index"`, the default). Records are checked in input order against history and tonight
 * (cluster.ts), clusters keep their best member, the index keeps tonight's accepted records (reindexEffects); the
 * backend's commit persists it. The batch engine does not run this step: its dedup and routing are tasks of the
 * night (src/scale/batch-tasks.ts, src/scale/route/).
 */
import type { Config } from '../../config/index.js';
import type { StateBackend } from '../../state/index.js';
import type { JsonRecord, OriginLabel, OriginScore } from '../../types.js';
import type { BackendEffects } from '../effects.js';
import type { StopWatch } from '../stop.js';
import { dedupRun, settleClusters, type Clusters, type RecordSource } from './cluster.js';
import { reindexEffects, type RouteResult } from './route.js';
import { stateSettings } from '../../state/index.js';

export type LabelOf = (origin: OriginScore | null, record: JsonRecord) => OriginLabel;

export interface DedupStep {
  /** every record's duplicate (history, tonight's clusters with their kept members) and the synthetic reuses */
  clusters(source: RecordSource, labelOf: LabelOf, stop: StopWatch): Promise<Clusters>;
  /** after routing: the dedup state's upkeep for the records routing accepted */
  afterRoute(clusters: Clusters, routed: RouteResult, source: RecordSource, effects: BackendEffects, stop: StopWatch): Promise<void>;
  /** after publishing, before the state commit (a crash after it redoes the night: it must be idempotent) */
  beforeCommit(clusters: Clusters, routed: RouteResult): Promise<void>;
  /** after the state commit */
  afterCommit(): Promise<void>;
}

/** The index engine: check-and-insert against the state backend (today's path, unchanged). */
export function indexDedup(backend: StateBackend, cfg: Config): DedupStep {
  return {
    async clusters(source, labelOf, stop) {
      const shared = backend.kind === 'redis';
      const st = stateSettings(cfg);
      const clusters = await dedupRun({ source, backend, cfg, labelOf, batchSize: shared ? st.batch : 1024, inFlight: shared ? st.inFlight : 1, stop });
      await settleClusters(backend, cfg, clusters);
      return clusters;
    },
    async afterRoute(clusters, routed, source, effects, stop) {
      if (backend.dedup) for (const e of await reindexEffects(clusters, routed, source, stop)) effects.apply(e);
    },
    async beforeCommit() {},
    async afterCommit() {},
  };
}
