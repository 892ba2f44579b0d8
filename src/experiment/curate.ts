/**
 * The synthfilter condition's curation step: the training candidates of one generation go through synthfilter
 * (`filterRecords`) and only accepted records are trained on.
 *
 * Origin signal:
 * - "declared": records carry meta.source = "human" | "model-gen-<t>" and the config declares it
 *   (origin.declared = { field: "meta.source", synthetic: [...], human: ["human"] }).
 * - "detector": no provenance field; labels come from the shipped detector alone.
 *
 * While the origin scorer is not wired into the pipeline (the config rejects origin.declared, or no record comes
 * back labelled "synthetic"), the declared mode falls back to the same core with the built scorers plus a router
 * label function that reads meta.source: exact dedup and the synthetic cap still act, on the declared labels.
 * `Curator.path` names what was used, and the experiment writes it to collapse.json and the html.
 */
import { FilterCore, filterRecords, resolveConfig, type Config, type DeepPartial, type JsonRecord, type OriginLabel, type Outcome } from '../index.js';
import { buildScorers } from '../score/build.js';

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
  /** "filterRecords" or "filterRecords-core+declared-label-shim" */
  path: string;
  notes: string[];
  /** the config overrides given to synthfilter (over its defaults) */
  overrides: DeepPartial<Config> & Record<string, unknown>;
  curate(records: JsonRecord[], isSynthetic: (r: JsonRecord) => boolean): Promise<{ accepted: JsonRecord[]; stats: CurateStats }>;
}

export const HUMAN_SOURCE = 'human';
export const modelSource = (gen: number) => `model-gen-${gen}`;

const emptyLabels = (): Record<OriginLabel, number> => ({ human: 0, synthetic: 0, unknown: 0 });

function tryResolve(o: unknown): { cfg: Config | null; error: string | null } {
  try {
    return { cfg: resolveConfig(o), error: null };
  } catch (e) {
    return { cfg: null, error: (e as Error).message.replace(/\s+/g, ' ').trim() };
  }
}

function declaredLabel(record: JsonRecord, synthetic: Set<string>, human: Set<string>): OriginLabel {
  const meta = record['meta'];
  const v = meta && typeof meta === 'object' ? (meta as Record<string, unknown>)['source'] : undefined;
  if (typeof v !== 'string') return 'unknown';
  return synthetic.has(v) ? 'synthetic' : human.has(v) ? 'human' : 'unknown';
}

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
  let overrides: Record<string, unknown> = {
    dedup: { enabled: true },
    diversity: { enabled: true },
    origin: signal === 'declared' ? { enabled: true, declared } : { enabled: true },
    ...extra,
  };
  let r = tryResolve(overrides);
  if (!r.cfg && signal === 'declared') {
    notes.push(`config rejected origin.declared (${r.error}); using the router label shim on meta.source`);
    overrides = { ...overrides, origin: { enabled: true } };
    r = tryResolve(overrides);
  }
  if (!r.cfg) {
    notes.push(`config rejected diversity/origin enabled (${r.error}); using synthfilter defaults for them`);
    const { diversity: _d, origin: _o, ...rest } = overrides;
    overrides = rest;
    r = tryResolve(overrides);
  }
  if (!r.cfg) throw new Error(`synthfilter config: ${r.error}`);
  let cfg: Config = r.cfg;
  const synthSet = new Set(syntheticValues);
  const humanSet = new Set([HUMAN_SOURCE]);
  const hasDeclaredKey = signal === 'declared' && !!(cfg.origin as Record<string, unknown>)['declared'];

  const run = async (records: JsonRecord[]): Promise<Outcome[]> => collect(filterRecords(records, cfg, { inputOrder: true }));
  const runShim = async (records: JsonRecord[]): Promise<Outcome[]> => {
    const built = buildScorers(cfg);
    const core = new FilterCore(cfg, {
      inputOrder: true,
      scorers: { ...built, labelOf: (_o, rec) => declaredLabel(rec, synthSet, humanSet) },
    });
    const out: Outcome[] = [];
    let line = 0;
    for (const rec of records) core.processItem({ kind: 'record', record: rec, pos: { file: '<experiment>', line: ++line }, bytes: 0 }, out);
    out.push(...(await core.end()));
    return out;
  };

  let path = 'filterRecords';
  let exec = run;
  if (signal === 'declared') {
    // probe: does the pipeline itself label a declared model record "synthetic"?
    let probe: Outcome[] = [];
    try {
      probe = await run([
        { id: 'probe-h', text: 'a probe record written by a person', meta: { source: HUMAN_SOURCE } },
        { id: 'probe-s', text: 'a probe record written by the model', meta: { source: modelSource(0) } },
      ]);
    } catch (e) {
      // e.g. an origin scorer that cannot load its model: keep the rest of the pipeline, label by declaration
      notes.push(`the pipeline failed with origin enabled (${(e as Error).message}); origin scoring off, using the router label shim on meta.source`);
      overrides = { ...overrides, origin: { enabled: false } };
      cfg = resolveConfig(overrides);
    }
    const s = probe.find((o) => o.id === 'probe-s');
    if (!hasDeclaredKey || s?.annotation.origin.label !== 'synthetic') {
      if (hasDeclaredKey) notes.push('origin scorer not wired: declared labels were not applied by the pipeline; using the router label shim on meta.source');
      path = 'filterRecords-core+declared-label-shim';
      exec = runShim;
    }
  } else if (!buildScorers(cfg).origin) {
    notes.push('origin detector not wired into the pipeline: every record is labelled "unknown" and counted as human (route.unknownCountsAs), so the synthetic cap cannot act');
  }

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
