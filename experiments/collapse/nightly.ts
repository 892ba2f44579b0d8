/**
 * The synthfilter conditions' curation, run the way users run the stage: each generation's new files (the fresh
 * human batch and the previous generation's samples, plus generation 0's human texts on the first night) are
 * added to one growing input folder, and one night of `synthfilter clean` (the library call `runClean`) runs over
 * it with persistent file state. Clean skips the files earlier nights processed, deduplicates against everything
 * kept before (its index), records synthetic reuse in its ledger, holds the synthetic cap in every shard and
 * protects tail records. The model then trains on everything kept so far: the union of every night's shards.
 *
 * Records carry `meta.source` ("human" | "model-gen-<t>") only when provenance is declared; otherwise the origin
 * comes from whatever detector `origin.model` names. Annotations are on, so the experiment reads back each record's
 * decision and origin label, and the detector's p_ai for its AUROC.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig, type Config, type JsonRecord } from '../../src/index.js';
import { runClean } from '../../src/stage/clean.js';
import { detokenize, type Vocab } from './tokenize.js';
import { auroc } from './metrics.js';
import type { Doc } from './data.js';
import { round } from './generation.js';

export interface NightFile {
  /** file name inside the night's folder (files are read in name order) */
  name: string;
  docs: readonly Doc[];
}

type Label = 'human' | 'synthetic' | 'unknown';

export interface NightStats {
  night: number;
  /** input files clean processed this night (earlier nights' files are skipped by its registry) */
  files: number;
  in: number;
  accepted: number;
  accepted_synthetic: number;
  /** origin labels synthfilter gave to the truly synthetic and the truly human records */
  labels_of_synthetic: Record<Label, number>;
  labels_of_human: Record<Label, number>;
  reasons: Record<string, number>;
  /** detector runs only: AUROC of p_ai, synthetic vs human records of the night, over the records it judged */
  detector_auroc?: number | null;
  /** detector runs only: share of the night's records the detector judged (p_ai not null) */
  detector_judged?: number;
}

export interface NightlyOptions {
  /** this condition's work folder: in/ (the growing input folder), out/ (one run directory a night), state/ */
  dir: string;
  /** synthfilter config overrides (deep-merged over its defaults by resolveConfig) */
  overrides: Record<string, unknown>;
  /** write meta.source into every record (the config must then declare it) */
  declareProvenance: boolean;
  vocab: Vocab;
}

const emptyLabels = (): Record<Label, number> => ({ human: 0, synthetic: 0, unknown: 0 });

interface Annotated {
  id: string;
  synthfilter?: { decision?: string; origin?: { label?: Label; p_ai?: number | null } };
}

function readJsonlFile(path: string): Annotated[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Annotated);
}

export class NightlyClean {
  /** everything clean kept so far, night after night */
  readonly kept: Doc[] = [];
  readonly cfg: Config;
  private readonly inDir: string;
  private readonly outDir: string;
  private readonly stateDir: string;

  constructor(private readonly o: NightlyOptions) {
    this.cfg = resolveConfig({ ...o.overrides, output: { ...((o.overrides['output'] as object) ?? {}), annotate: true, compress: 'none' } });
    this.inDir = join(o.dir, 'in');
    this.outDir = join(o.dir, 'out');
    this.stateDir = join(o.dir, 'state');
    mkdirSync(this.inDir, { recursive: true });
  }

  private record(d: Doc): JsonRecord {
    const rec: JsonRecord = { id: d.id, text: detokenize(this.o.vocab.decode(d.ids)) };
    if (this.o.declareProvenance) rec['meta'] = { source: d.source };
    return rec;
  }

  /** Add the night's files to the input folder and run one night of clean over the folder. */
  async night(n: number, files: readonly NightFile[]): Promise<NightStats> {
    const tag = `night-${String(n).padStart(2, '0')}`;
    const byId = new Map<string, Doc>();
    const folder = join(this.inDir, tag);
    mkdirSync(folder, { recursive: true });
    for (const f of files) {
      for (const d of f.docs) byId.set(d.id, d);
      writeFileSync(join(folder, f.name), f.docs.map((d) => JSON.stringify(this.record(d))).join('\n') + '\n');
    }
    const r = await runClean({ inDir: this.inDir, outDir: this.outDir, stateDir: this.stateDir, cfg: this.cfg, workers: 1, runId: tag });
    const st: NightStats = {
      night: n,
      files: r.files,
      in: r.summary?.inputs ?? 0,
      accepted: 0,
      accepted_synthetic: 0,
      labels_of_synthetic: emptyLabels(),
      labels_of_human: emptyLabels(),
      reasons: r.summary?.reasons ?? {},
    };
    if (!r.outDir) return st;
    const report = JSON.parse(readFileSync(join(r.outDir, 'report.json'), 'utf8')) as { shards: Array<{ file: string }>; rejects: Array<{ file: string }> };
    const pSyn: number[] = [];
    const pHum: number[] = [];
    const seen = (rows: Annotated[], accepted: boolean) => {
      for (const row of rows) {
        const d = byId.get(row.id);
        if (!d) throw new Error(`${tag}: clean emitted a record the night did not add: ${row.id}`);
        const a = row.synthfilter ?? {};
        const label = a.origin?.label ?? 'unknown';
        (d.synthetic ? st.labels_of_synthetic : st.labels_of_human)[label]++;
        const p = a.origin?.p_ai;
        if (typeof p === 'number') (d.synthetic ? pSyn : pHum).push(p);
        if (accepted) {
          this.kept.push(d);
          st.accepted++;
          if (d.synthetic) st.accepted_synthetic++;
        }
      }
    };
    for (const s of report.shards) seen(readJsonlFile(join(r.outDir, s.file)), true);
    for (const s of report.rejects) seen(readJsonlFile(join(r.outDir, s.file)), false);
    if (!this.o.declareProvenance) {
      st.detector_auroc = pSyn.length && pHum.length ? round(auroc([...pSyn, ...pHum], [...pSyn.map(() => 1), ...pHum.map(() => 0)])) : null;
      st.detector_judged = st.in ? round((pSyn.length + pHum.length) / st.in) : 0;
    }
    return st;
  }
}
