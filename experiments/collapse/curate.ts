/**
 * The synthfilter condition's curation step: the training candidates of one generation go through synthfilter
 * (`filterRecords`) and only accepted records are trained on.
 *
 * Origin signal:
 * - "declared": records carry meta.source = "human" | "model-gen-<t>" and the config declares it
 *   (origin.declared = { field: "meta.source", synthetic: [...], human: ["human"] }).
 * - "detector": no provenance field; labels come from the shipped detector alone.
 *
 * `Curator.path` names what was used; the experiment writes it to collapse.json and the html.
 */
import { filterRecords, resolveConfig, type Config, type DeepPartial, type JsonRecord, type OriginLabel, type Outcome } from '../../src/index.js';

export type OriginSignal = 'declared' | 'detector';

export interface CurateStats {
  in: number;
  accepted: number;
  acceptedSynthetic: number;
  /** origin labels synthfilter gave to the truly synthetic and the truly human records */
  labelsOfSynthetic: Record<OriginLabel, number>;
  labelsOfHuman: Record<OriginLabel, number>;
  reasons: Record<string, number>;
}

export interface Curator {
  signal: OriginSignal;
  /** how records went through synthfilter (always the public `filterRecords`) */
  path: string;
  notes: string[];
  /** the config overrides given to synthfilter (over its defaults) */
  overrides: DeepPartial<Config> & Record<string, unknown>;
  curate(records: JsonRecord[], isSynthetic: (r: JsonRecord) => boolean): Promise<{ accepted: JsonRecord[]; stats: CurateStats }>;
}

export const HUMAN_SOURCE = 'human';
export const modelSource = (gen: number) => `model-gen-${gen}`;

const emptyLabels = (): Record<OriginLabel, number> => ({ human: 0, synthetic: 0, unknown: 0 });

async function collect(iter: AsyncIterable<Outcome>): Promise<Outcome[]> {
  const out: Outcome[] = [];
  for await (const o of iter) out.push(o);
  return out;
}

/**
 * Builds the curator. `maxGen` bounds the declared synthetic values (model-gen-0 .. model-gen-maxGen).
 * `extra` deep-merges over the experiment's overrides (tests use it to shrink route.minDocs etc.).
 */
export async function makeCurator(signal: OriginSignal, maxGen: number, extra: Record<string, unknown> = {}): Promise<Curator> {
  const notes: string[] = [];
  const syntheticValues = Array.from({ length: maxGen + 1 }, (_, g) => modelSource(g));
  const declared = { field: 'meta.source', synthetic: syntheticValues, human: [HUMAN_SOURCE] };
  // synthfilter defaults, with every scorer switched on (dedup is on by default)
  const overrides: Record<string, unknown> = {
    dedup: { enabled: true },
    diversity: { enabled: true },
    origin: signal === 'declared' ? { enabled: true, declared } : { enabled: true },
    ...extra,
  };
  const cfg: Config = resolveConfig(overrides);
  const path = 'filterRecords';
  const exec = async (records: JsonRecord[]): Promise<Outcome[]> => collect(filterRecords(records, cfg, { inputOrder: true }));
  if (signal === 'detector') notes.push('origin from the shipped detector only (no provenance field): records it cannot judge or leaves between the thresholds are "unknown" and count as human (route.unknownCountsAs)');
  else notes.push('origin from declared provenance: meta.source = "human" | "model-gen-<t>", mapped by origin.declared');

  return {
    signal,
    path,
    notes,
    overrides: overrides as Curator['overrides'],
    async curate(records, isSynthetic) {
      const outs = await exec(records);
      const stats: CurateStats = {
        in: records.length,
        accepted: 0,
        acceptedSynthetic: 0,
        labelsOfSynthetic: emptyLabels(),
        labelsOfHuman: emptyLabels(),
        reasons: {},
      };
      const accepted: JsonRecord[] = [];
      for (const o of outs) {
        const rec = o.record;
        if (!rec) continue;
        const syn = isSynthetic(rec);
        (syn ? stats.labelsOfSynthetic : stats.labelsOfHuman)[o.annotation.origin.label]++;
        for (const reason of o.annotation.reasons) stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1;
        if (o.annotation.decision === 'accept') {
          accepted.push(rec);
          stats.accepted++;
          if (syn) stats.acceptedSynthetic++;
        }
      }
      return { accepted, stats };
    },
  };
}
