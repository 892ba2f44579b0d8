/**
 * The batch dedup engine's tasks (`dedup.engine: "batch"`, issue 19): the LSH band shuffle of src/scale/bands run
 * as tasks of the night, between the map tasks (scoring, map-task.ts) and the finish (route, publish, commit):
 *   bands:<file>-<part>  one per part: the part's records (read back from its spool) -> band runs per band group,
 *                        exact run, signature rows (mapPart), a rank file (what keep-best ranks by) and an id file
 *                        (`<part>.ids`: each record's id by seq, empty for a quarantined one; the finish's commit
 *                        names the history's records from it, nightSeqIds). A phase of
 *                        its own because refs are seqs (input order over the night): a part's first seq is known
 *                        once every map task counted its records
 *   reduce:<g>           one per band group: tonight's band runs and the history's -> verified pairs (reduceGroup)
 *   cluster              one: every pair file, the exact runs and the ranks -> one verdict row per record
 *                        (clusterNight); synthetic records the ledger saw emitted maxSyntheticReuse times take no part
 *                        (tonight's synthetic hashes sorted, merge-joined against the ledger sets, ledger-runs.ts)
 * Files go to the night's task folder, <state>/tasks/g<generation>/bands/ (removed once the night commits); the
 * history (earlier nights' kept records) is <state>/bands/ (history.ts), written only by the finish. Every output
 * is written under a temporary name and renamed, so a task run twice writes the same bytes.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { buildScorers, dedupConfigOf } from '../score/build.js';
import type { Scorers } from '../score/registry.js';
import { resolveBandsRows } from '../score/dedup/scorer.js';
import { FilterCore } from '../stage/core.js';
import { readSpool } from '../stage/spool.js';
import type { StopWatch } from '../stage/stop.js';
import type { OriginLabel } from '../types.js';
import { clusterNight } from './bands/cluster.js';
import { ExternalSorter } from './bands/external-sort.js';
import { historyInputs, nightSetFiles, stageNightFile, stagedSetDir } from './bands/history.js';
import { KeptIds } from './bands/kept-ids.js';
import { joinSyntheticReuse, ledgerDir, ledgerSets, SYNTHETIC_WIDTH } from './bands/ledger-runs.js';
import { IdFileReader, IdFileWriter, SeqIds } from './bands/id-file.js';
import { mapPart, partFiles, type MapRecord } from './bands/map.js';
import { bandParamsOf, EXACT_WIDTH, type BandParams } from './bands/params.js';
import { narrowRuns } from './bands/narrow-runs.js';
import { reduceGroup } from './bands/reduce.js';
import { RowReader, RowWriter } from './bands/rows.js';
import { engineOf, memoryBytesOf } from './memory.js';
import type { Log, NightSpec } from './night.js';
import type { NightPlan } from './plan-file.js';
import type { TaskStore } from './store.js';
import { stagingDir } from '../stage/clean-paths.js';
import { readAccepted, readSummary, routeDir, type RouteSummary } from './route/route-outputs.js';
import { routeTask } from './route/route-task.js';
import { writeTask } from './route/write-task.js';
import { acceptedIdsOf, verdictIds } from './verdict-ids.js';

export const BANDS = 'bands:';
export const REDUCE = 'reduce:';
export const CLUSTER = 'cluster';
export const ROUTE = 'route';
export const WRITE = 'write:';
export const HISTORY_FILE = 'history:';
/** band groups (reduce tasks) at most */
const MAX_GROUPS = 4;

/** rank row: [seq, flags (1 scored, 2 clean, 4 synthetic), label rank (human 2, unknown 1, synthetic 0), byte
 * length, exact hash hi, lo] */
const RANK_WIDTH = 6;
const LABEL_RANK: Record<OriginLabel, number> = { human: 2, unknown: 1, synthetic: 0 };

/** Does this config run the night's dedup as band tasks? (dedup off: nothing to shuffle, the night is map + finish) */
export const isBatchNight = (cfg: Config): boolean => engineOf(cfg) === 'batch' && cfg.dedup.enabled;

export const isBatchTask = (task: string): boolean => task.startsWith(BANDS) || task.startsWith(REDUCE) || task === CLUSTER || task === ROUTE || task.startsWith(WRITE) || task.startsWith(HISTORY_FILE);

export function bandParams(cfg: Config): BandParams {
  const dc = dedupConfigOf(cfg);
  return bandParamsOf(dc, Math.max(1, Math.min(MAX_GROUPS, resolveBandsRows(dc).bands)));
}

/** The night's parts in input order, by spool name without ".spool" ("000000-0000"). */
export const partNames = (plan: NightPlan): Array<{ file: number; name: string }> => plan.parts.flatMap((ps, file) => ps.map((p) => ({ file, name: p.name.replace(/\.spool$/, '') })));

/** The batch engine's phases between the map tasks and the finish. */
export function batchPhases(plan: NightPlan, cfg: Config): string[][] {
  const groups = bandParams(cfg).groups;
  const parts = partNames(plan);
  const historyFiles = nightSetFiles(bandParams(cfg)).map((f) => `${HISTORY_FILE}${f}`);
  return [parts.map((p) => `${BANDS}${p.name}`), Array.from({ length: groups }, (_, g) => `${REDUCE}${g}`), [CLUSTER], [ROUTE], [...parts.map((p) => `${WRITE}${p.name}`), ...historyFiles]];
}

/** A part of the night with its first seq and record count. */
export interface PartSeqs {
  file: number;
  name: string;
  base: number;
  count: number;
}

/** Every part's first seq and record count (0 after a part of its file that hit a read error: the file's records
 * end there, as the finish reads them), from the map tasks' done markers. */
export function partSeqs(plan: NightPlan, store: TaskStore, dir: string): PartSeqs[] {
  let base = 0;
  let cutFile = -1;
  return partNames(plan).map((p) => {
    const d = store.read(`${dir}/done/map:${p.name}`);
    if (d === null) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId}: map task ${p.name} has no done marker`);
    const m = JSON.parse(d) as { items: number; error: string | null };
    const count = p.file === cutFile ? 0 : m.items;
    const out = { file: p.file, name: p.name, base, count };
    base += count;
    if (m.error && p.file !== cutFile) cutFile = p.file;
    return out;
  });
}

/** Where a night's band files live, and the history. */
export const bandsWorkDir = (stateDir: string, nightDir: string): string => join(stateDir, 'tasks', nightDir, 'bands');
export const historyDir = (stateDir: string): string => join(stateDir, 'bands');
/** The route task's outputs (route-outputs.ts). */
export const routeWorkDir = (stateDir: string, nightDir: string): string => routeDir(join(stateDir, 'tasks', nightDir));
/** A part's id file (written by its bands task). */
export const idFilePath = (work: string, part: string): string => join(work, `${part}.ids`);

/**
 * The night's record ids by seq, from the parts' id files (the bands tasks' output in `work`). A part's first seq
 * is the count of the parts before it (seqs run on over the parts in input order; a part cut by a read error holds
 * none), checked against the first seq of its rank file.
 */
export function nightSeqIds(work: string, plan: NightPlan): SeqIds {
  let first = 0;
  const files = partNames(plan).map((p) => {
    const path = idFilePath(work, p.name);
    const r = new IdFileReader(path);
    const count = r.count;
    r.close();
    if (count > 0) {
      const rank = new RowReader(join(work, `${p.name}.rank`), RANK_WIDTH);
      const seq = rank.next() ? rank.row[0] : undefined;
      rank.close();
      if (seq !== first) throw new SynthfilterError('E_STATE', `clean: the night ${plan.runId}: part ${p.name} has ids from seq ${first}, its rank file from seq ${seq ?? 'none'}`);
    }
    const f = { path, first };
    first += count;
    return f;
  });
  return new SeqIds(files);
}

/**
 * Test hook (inert unless set): SYNTHFILTER_TEST_FAIL_TASK=<task id> ("reduce:1", "cluster", "bands:000000-0000")
 * makes that batch task throw, to test that a night whose dedup cannot finish publishes nothing.
 */
function failForTest(task: string): void {
  if (process.env.SYNTHFILTER_TEST_FAIL_TASK === task) throw new Error(`test hook SYNTHFILTER_TEST_FAIL_TASK: task ${task} fails`);
}

/** The batch tasks of one night. `run` returns the task's done marker (JSON). */
/** What reads a part's spool back: a core without scorers of its own (the spool holds their results) and the origin
 * labeller that turns a stored origin score into a label. Both depend on the config only. */
function spoolReaderOf(cfg: Config): { core: FilterCore; labelOf: NonNullable<Scorers['labelOf']> } {
  const scorers = buildScorers(cfg, { scoring: false });
  return { core: new FilterCore(cfg, { scorers: { ...scorers, dedup: null } }), labelOf: scorers.labelOf ?? (() => 'unknown' as OriginLabel) };
}

export class BatchTasks {
  private readonly params: BandParams;
  private readonly memoryBytes: number;
  readonly work: string;
  private partCache: { list: PartSeqs[]; byName: Map<string, PartSeqs> } | null = null;
  private routeSummary: RouteSummary | null = null;
  /** the core and origin labeller that read a part's spool, built once per process (about 40 ms each) */
  private spoolReader: { core: FilterCore; labelOf: NonNullable<Scorers['labelOf']> } | null = null;

  constructor(
    private readonly spec: NightSpec,
    private readonly plan: NightPlan,
    private readonly store: TaskStore,
    private readonly dir: string,
    private readonly log: Log,
  ) {
    this.params = bandParams(spec.cfg);
    this.memoryBytes = memoryBytesOf(spec.cfg);
    this.work = bandsWorkDir(spec.stateDir, dir);
  }

  async run(task: string, stop: StopWatch): Promise<Record<string, unknown>> {
    failForTest(task);
    stop.check();
    if (task.startsWith(BANDS)) return await this.bands(task.slice(BANDS.length), stop);
    if (task.startsWith(REDUCE)) return this.reduce(Number(task.slice(REDUCE.length)));
    if (task === CLUSTER) return await this.cluster();
    if (task === ROUTE) return await this.route(stop);
    if (task.startsWith(WRITE)) return await this.write(task.slice(WRITE.length), stop);
    if (task.startsWith(HISTORY_FILE)) return this.historyFile(task.slice(HISTORY_FILE.length));
    throw new SynthfilterError('E_USAGE', `clean: the night ${this.plan.runId} has no task "${task}"`);
  }

  /** The parts' seqs, read once per process: the map tasks' done markers no longer change once all are written
   * (reading them for every task made a night's bands and write phases quadratic in its parts). */
  private parts(): { list: PartSeqs[]; byName: Map<string, PartSeqs> } {
    if (!this.partCache) {
      const list = partSeqs(this.plan, this.store, this.dir);
      this.partCache = { list, byName: new Map(list.map((p) => [p.name, p])) };
    }
    return this.partCache;
  }

  private seqOf(name: string): { base: number; count: number } {
    const p = this.parts().byName.get(name);
    if (!p) throw new SynthfilterError('E_USAGE', `clean: the night ${this.plan.runId} has no part "${name}"`);
    return p;
  }

  private async bands(name: string, stop: StopWatch): Promise<Record<string, unknown>> {
    const { base, count } = this.seqOf(name);
    const { core, labelOf } = (this.spoolReader ??= spoolReaderOf(this.spec.cfg));
    const spool = join(this.spec.stateDir, 'work', this.plan.runId, `${name}.spool`);
    const rankPath = join(this.work, `${name}.rank`);
    let rank: RowWriter | null = null;
    mkdirSync(this.work, { recursive: true });
    const ids = new IdFileWriter(idFilePath(this.work, name));
    let n = 0;
    const row = new Uint32Array(RANK_WIDTH);
    async function* records(): AsyncGenerator<MapRecord> {
      rank = new RowWriter(`${rankPath}.tmp`, RANK_WIDTH);
      if (count === 0) return;
      for await (const p of readSpool(spool, core)) {
        stop.check();
        row.fill(0);
        row[0] = base + n++;
        if (p.kind === 's') {
          const label = labelOf(p.origin, p.record);
          row[1] = 1 | (p.ruleFailures.length === 0 ? 2 : 0) | (label === 'synthetic' ? 4 : 0);
          row[2] = LABEL_RANK[label];
          row[3] = p.features.byteLength;
          row[4] = p.features.exactHash[0]!;
          row[5] = p.features.exactHash[1]!;
        }
        rank.write(row);
        ids.add(p.kind === 's' ? p.id : '');
        if (p.kind === 's') yield { ref: row[0]!, exactHash: p.features.exactHash, shingles: p.features.shingles, signature: p.features.signature };
      }
    }
    let files: Awaited<ReturnType<typeof mapPart>>;
    try {
      files = await mapPart(records(), { params: this.params, dir: this.work, name, memoryBytes: this.memoryBytes });
      (rank as RowWriter | null)?.close();
      if (n !== count) throw new SynthfilterError('E_STATE', `clean: the spool of part ${name} holds ${n} records, its map task counted ${count}`);
    } catch (e) {
      ids.abandon();
      throw e;
    }
    ids.close();
    renameSync(`${rankPath}.tmp`, rankPath);
    return { records: n, base, spills: files.spills };
  }

  /** Band runs and signature files of tonight's parts, in input order. */
  private partFiles() {
    return partNames(this.plan).map((p) => partFiles(this.work, p.name, this.params.groups));
  }

  /** The history as this night first saw it (sets a crashed attempt of this night committed are not read). */
  private history() {
    return historyInputs(historyDir(this.spec.stateDir), this.params.groups, this.plan.generation);
  }

  private reduce(g: number): Record<string, unknown> {
    if (!Number.isInteger(g) || g < 0 || g >= this.params.groups) throw new SynthfilterError('E_USAGE', `clean: the night ${this.plan.runId} has no task "${REDUCE}${g}"`);
    const parts = this.partFiles();
    const hist = this.history();
    const tmpDir = join(this.work, `reduce-${g}.tmp`);
    rmSync(tmpDir, { recursive: true, force: true });
    const r = reduceGroup({
      params: this.params,
      runs: [...parts.map((f) => f.bandRuns[g]!), ...hist.bandRuns[g]!],
      sigs: [...parts.map((f) => f.sig), ...hist.sigs],
      out: join(this.work, `pairs-${g}.run`),
      memoryBytes: this.memoryBytes,
      tmpDir,
    });
    rmSync(tmpDir, { recursive: true, force: true });
    return { ...r };
  }

  private async cluster(): Promise<Record<string, unknown>> {
    const ranks = partNames(this.plan).map((p) => join(this.work, `${p.name}.rank`));
    let count = 0;
    for (const f of ranks) {
      if (!existsSync(f)) throw new SynthfilterError('E_STATE', `clean: the night ${this.plan.runId}: ${f} is missing`);
      const r = new RowReader(f, RANK_WIDTH);
      while (r.next()) count++;
      r.close();
    }
    const node = new Uint8Array(count);
    const clean = new Uint8Array(count);
    const labelRank = new Uint8Array(count);
    const length = new Float64Array(count);
    const synthetic = this.syntheticSorter();
    const syn = new Uint32Array(SYNTHETIC_WIDTH);
    for (const f of ranks) {
      const r = new RowReader(f, RANK_WIDTH);
      while (r.next()) {
        const [s, flags, lr, len, hi, lo] = r.row as unknown as number[];
        node[s!] = flags! & 1;
        clean[s!] = (flags! & 2) >> 1;
        labelRank[s!] = lr!;
        length[s!] = len!;
        if (flags! & 4) {
          syn[0] = hi!;
          syn[1] = lo!;
          syn[2] = s!;
          synthetic.push(syn);
        }
      }
      r.close();
    }
    const reused = this.syntheticReuse(synthetic, (seq) => (node[seq] = 0));
    const pairs = Array.from({ length: this.params.groups }, (_, g) => join(this.work, `pairs-${g}.run`));
    // one exact run per part: past MERGE_FAN_IN parts, merge them down first (clusterNight reads them twice at once)
    const narrowed = join(this.work, 'cluster-narrowed.tmp');
    rmSync(narrowed, { recursive: true, force: true });
    const exact = narrowRuns([...this.partFiles().map((f) => f.exact), ...this.history().exact], EXACT_WIDTH, EXACT_WIDTH, narrowed);
    const keep = (this.spec.cfg.dedup as { keep?: string }).keep ?? 'human-first';
    const r = clusterNight({ count, node, clean, labelRank, length, keep, pairs, exact, out: join(this.work, 'verdicts'), memoryBytes: this.memoryBytes });
    rmSync(narrowed, { recursive: true, force: true });
    this.log(`cluster task: ${count} records, ${r.kept} kept, ${r.exact + r.near} duplicates of tonight, ${r.history} of earlier nights, ${reused} synthetic reuses (memory budget ${this.memoryBytes} bytes)`, { run: this.plan.runId, task: CLUSTER, memoryBytes: this.memoryBytes });
    return { records: count, reused, exactRuns: exact.length, ...r };
  }

  private async route(stop: StopWatch): Promise<Record<string, unknown>> {
    const out = routeWorkDir(this.spec.stateDir, this.dir);
    rmSync(out, { recursive: true, force: true });
    const ids = verdictIds(this.spec, this.plan, this.work);
    try {
      const r = await routeTask({ spec: this.spec, plan: this.plan, verdicts: join(this.work, 'verdicts'), out, ids, stop, log: this.log });
      this.log(`route task: ${r.records} records into ${r.dests.length} output files`, { run: this.plan.runId, task: ROUTE });
      return { records: r.records, files: r.dests.length };
    } finally {
      ids.close();
    }
  }

  /** The output files whose first record is in part `name` (each file is written by one task). */
  private async write(name: string, stop: StopWatch): Promise<Record<string, unknown>> {
    const { list: parts, byName } = this.parts();
    const part = byName.get(name);
    if (!part) throw new SynthfilterError('E_USAGE', `clean: the night ${this.plan.runId} has no task "${WRITE}${name}"`);
    const dir = routeWorkDir(this.spec.stateDir, this.dir);
    // the route task's summary, read once per process like the parts (it lists every output file of the night)
    this.routeSummary ??= readSummary(dir);
    const dests = this.routeSummary.dests.filter((d) => d.minSeq >= part.base && d.minSeq < part.base + part.count);
    const files = await writeTask({ cfg: this.spec.cfg, dests, parts, spoolDir: join(this.spec.stateDir, 'work', this.plan.runId), routeDir: dir, staging: stagingDir(this.spec.outDir, this.plan.runId), stop });
    return { files };
  }

  /** One file of the night's history set (the accepted records' band runs of one group, exact run, signature
   * rows, ids), staged for the finish to place (history.ts stageNightFile, placeStagedSet). */
  private historyFile(file: string): Record<string, unknown> {
    if (!nightSetFiles(this.params).includes(file)) throw new SynthfilterError('E_USAGE', `clean: the night ${this.plan.runId} has no task "${HISTORY_FILE}${file}"`);
    const hist = historyDir(this.spec.stateDir);
    const route = routeWorkDir(this.spec.stateDir, this.dir);
    const accepted = readAccepted(route, readSummary(route).records);
    const kept = KeptIds.fromFlags(accepted);
    const first = historyInputs(hist, this.params.groups, this.plan.generation).nextId;
    const ids = file === 'ids' ? nightSeqIds(this.work, this.plan) : null;
    try {
      stageNightFile(stagedSetDir(hist, this.plan.generation), this.params, this.partFiles(), kept, first, file, ids ? acceptedIdsOf(ids, accepted) : undefined);
    } finally {
      ids?.close();
    }
    return { file, first, kept: kept.size };
  }

  /** Tonight's synthetic records, to be sorted by hash (rows [hash hi, hash lo, seq]) under the memory budget. */
  private syntheticSorter(): ExternalSorter {
    const tmpDir = join(this.work, 'synthetic.tmp');
    rmSync(tmpDir, { recursive: true, force: true });
    return new ExternalSorter({ width: SYNTHETIC_WIDTH, keyWords: SYNTHETIC_WIDTH, memoryBytes: this.memoryBytes, tmpDir });
  }

  /** Synthetic records the provenance ledger (committed nights' ledger sets, as the night first saw them; only the
   * finish writes them) saw emitted `route.maxSyntheticReuse` times: `onReuse(seq)` for each. Returns how many. */
  private syntheticReuse(synthetic: ExternalSorter, onReuse: (seq: number) => void): number {
    const maxReuse = (this.spec.cfg.route as { maxSyntheticReuse?: number }).maxSyntheticReuse ?? 1;
    const sorted = join(this.work, 'synthetic.run');
    const rows = synthetic.finish(sorted);
    rmSync(join(this.work, 'synthetic.tmp'), { recursive: true, force: true });
    const sets = ledgerSets(ledgerDir(this.spec.stateDir), this.plan.generation);
    const n = rows === 0 || sets.length === 0 ? 0 : joinSyntheticReuse({ sets, synthetic: sorted, maxReuse, onReuse });
    rmSync(sorted, { force: true });
    return n;

  }
}
