/**
 * The night as tasks (issue 19): the contract every runner (ranks and local workers, src/scale/ranks.ts; the BullMQ
 * queue, src/scale/queue) codes against, and its implementation over a shared state folder.
 *
 * `openNight` plans the night (or joins the one already planned) and returns its tasks in phases:
 *   phase 0  one "map:<file>-<part>" task per part of each new input file: score it into its spool (map-task.ts)
 *   (dedup.engine "batch": "bands:<file>-<part>", "reduce:<g>", "cluster": the LSH band shuffle, batch-tasks.ts)
 *   last     "finish": cluster, route, publish, commit, reading the spools (finish.ts; the only task that takes the
 *            state lock; with the batch engine: route, write per part, then publish and commit: route/)
 * Task files live under <state>/tasks/g<generation>/ (store.ts): plan.json (written once, plan-file.ts),
 * done/<task> (a task's done marker: its result, or its failure after the last retry), published.json (the
 * night's result, once it is published and committed); claims/<task> belong to the runners (claims.ts). The spools
 * stay where the nightly job always kept them, <state>/work/<run-id>/.
 */
import { join, resolve } from 'node:path';
import { fingerprint, type Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { validateName } from '../fsx/names.js';
import { assertOutputFree, checkCleanFolders, cleanRoots, stagingDir } from '../stage/clean-paths.js';
import { removeContained } from '../fsx/contained.js';
import { planRun } from '../stage/batch/plan.js';
import { FilterCore } from '../stage/core.js';
import type { ScoringPool } from '../stage/pool.js';
import { StopWatch } from '../stage/stop.js';
import { createStateBackend, stateSettings, type StateBackend } from '../state/index.js';
import { finishNight, pendingOf, type PublishedNight } from './finish.js';
import { quarantinePart, scorePart, type MapPart } from './map-task.js';
import { checkJoin, configHash, derivedRunId, parsePlan, partsOfFiles, type NightPlan } from './plan-file.js';
import { FolderStore, type TaskStore } from './store.js';
import { Claims } from './claims.js';
import { BatchTasks, batchPhases, isBatchNight, isBatchTask, routeWorkDir, WRITE } from './batch-tasks.js';
import { publishAndCommit } from './route/publish-commit.js';
import type { WrittenFile } from './route/write-task.js';

/** A logger as the stage takes it (stderr only). */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** Everything a worker anywhere needs to take part in one night: JSON-serialisable (goes into BullMQ job data). */
export interface NightSpec {
  inDir: string;        // absolute
  outDir: string;       // absolute
  stateDir: string;     // absolute; the shared folder where tasks' inputs/outputs and markers live
  cfg: Config;          // the effective config (its fingerprint must match the planned night's: else exit 2)
  runId?: string;       // default: derived deterministically from the plan (so every rank agrees)
  partition?: string;
}

/** One planned night: its tasks in phases. Phase k's tasks start only after every task of phase k-1 is done.
 *  Tasks of one phase are independent; each is idempotent (a rerun of a finished or half-finished task writes the
 *  same files), so any worker may run any task, any number of times, and the published output does not depend on
 *  who ran what. */
export interface Night {
  readonly runId: string;
  readonly phases: ReadonlyArray<ReadonlyArray<string>>;   // task ids, e.g. [["map:000000-0000", ...], ["reduce:00", ...], ["cluster"], ["finish"]]
  isDone(taskId: string): boolean;          // its done marker exists
  run(taskId: string, signal?: AbortSignal): Promise<void>;  // runs it (no-op if done); throws on failure
  /** after a task failed its last retry: quarantine its input (map task: the input part's file, with the reason,
   *  into the night's quarantine) and mark the task done-with-failure so the night completes */
  giveUp(taskId: string, reason: string): Promise<void>;
  published(): boolean;                     // the night is published and committed
}

/** The id of the night's last task. */
export const FINISH = 'finish';

/** The night's tasks in phases, built here in one place: map, then (dedup.engine "batch") bands, reduce per band
 *  group and cluster (batch-tasks.ts), then finish. */
export function nightPhases(plan: NightPlan, cfg: Config): string[][] {
  const maps = plan.parts.flatMap((ps) => ps.map((p) => `map:${p.name.replace(/\.spool$/, '')}`));
  return [maps, ...(isBatchNight(cfg) ? batchPhases(plan, cfg) : []), [FINISH]];
}

/** Options of this implementation beyond the contract (the in-process runner scores on threads). */
export interface OpenOptions {
  /** score map tasks on these threads (null: in the calling thread) */
  pool?: ScoringPool | null;
  /** how long to wait for the state lock while another process plans (0: exit 5 at once, as a one-process run) */
  lockWaitMs?: number;
  /** test hook: called at the finish task's named points (crash tests) */
  onPhase?: (phase: string) => void;
}

/** The task files of the state folder. */
export const taskStoreOf = (stateDir: string): TaskStore => new FolderStore(join(stateDir, 'tasks'));

/** Several processes share one night through files, which only the file backend keeps: Redis state is refused. */
export function refuseSharedState(cfg: Config, what: string): void {
  if (stateSettings(cfg).backend === 'redis') {
    throw new SynthfilterError('E_USAGE', `clean: ${what} is not supported with state.backend "redis" (Redis serves many small concurrent writers, each a plain \`clean\` on its own --partition: docs/redis.md); use --state DIR`);
  }
}

/** Plan the night on the committed state (null: nothing new), with the run id derived from the plan unless named. */
async function planNight(spec: NightSpec, backend: StateBackend, cfgHash: string): Promise<NightPlan | null> {
  const registry = await backend.registryGet();
  const run = await planRun({ inDir: spec.inDir, registry, generation: backend.generation, fingerprint: fingerprint(spec.cfg), runId: spec.runId });
  if (run.files.length === 0) return null;
  const runId = spec.runId ?? derivedRunId(run, cfgHash);
  return { ...run, runId, configHash: cfgHash, parts: partsOfFiles(run, spec.cfg.input.format), lanes: backend.signatureLanes };
}

/** Run `f` holding the state lock, waiting up to `waitMs` while another process holds it (another planner). */
async function underLock<T>(backend: StateBackend, f: () => Promise<T>, waitMs: number): Promise<T> {
  const until = Date.now() + waitMs;
  for (;;) {
    try {
      await backend.lock();
      break;
    } catch (e) {
      if (!(e instanceof SynthfilterError) || e.code !== 'E_LOCKED' || Date.now() > until) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  try {
    return await f();
  } finally {
    await backend.unlock();
  }
}

/**
 * Plan the night holding the lock (so planners are serialised and no rank reads a half-cleared work folder): a
 * pending run without a plan file (an older release's interrupted run, or one committed before its cleanup
 * finished) leaves nothing behind first, as in clean.ts startRun; then the plan file and the pending record.
 * Returns the plan file's text (another process's plan when it planned first), or null: nothing new tonight.
 */
async function planUnderLock(spec: NightSpec, backend: StateBackend, store: TaskStore, key: string, cfgHash: string): Promise<{ text: string; planned: boolean } | null> {
  const text = store.read(key);
  if (text !== null) return { text, planned: false };
  const stale = await backend.readPending();
  // a pending run this night can take over (planned by an interrupted one-process run on the same state
  // generation and dedup config): resumed, as clean.ts startRun does, under its run id
  if (stale && stale.generation === backend.generation && stale.fingerprint === fingerprint(spec.cfg) && (spec.runId === undefined || spec.runId === stale.runId)) {
    validateName('the pending run id in the state', stale.runId, 'E_STATE');
    const plan: NightPlan = { ...stale, configHash: cfgHash, parts: partsOfFiles(stale, spec.cfg.input.format), lanes: backend.signatureLanes };
    const json = JSON.stringify(plan);
    if (!store.createExclusive(key, json)) return { text: store.read(key)!, planned: false };
    return { text: json, planned: false };
  }
  if (stale) {
    validateName('the pending run id in the state', stale.runId, 'E_STATE');
    await backend.clearPending(stale.runId);
    removeContained(stagingDir(spec.outDir, stale.runId), cleanRoots(spec));
  }
  const plan = await planNight(spec, backend, cfgHash);
  if (!plan) return null;
  // another run's output is never replaced (checked before the night leaves a trace, as clean.ts does)
  assertOutputFree(spec.outDir, plan.runId);
  const json = JSON.stringify(plan);
  if (!store.createExclusive(key, json)) return { text: store.read(key)!, planned: false };
  await backend.writePending(pendingOf(plan));
  return { text: json, planned: true };
}

/** Plan the night (or join the one already planned in the state folder): idempotent, safe to call from many
 *  processes at once (the first plan is written with an exclusive create; the others read it). Returns null when
 *  there is nothing new. A spec whose config fingerprint differs from the planned night's -> CliError exit 2
 *  (a SynthfilterError with code E_CONFIG). */
export async function openNight(spec: NightSpec, log: Log = () => {}, opts: OpenOptions = {}): Promise<TaskNight | null> {
  if (spec.runId !== undefined) validateName('--run-id', spec.runId);
  if (spec.partition !== undefined) validateName('--partition', spec.partition);
  refuseSharedState(spec.cfg, 'a night run as tasks');
  checkCleanFolders(spec);
  const cfgHash = configHash(spec.cfg);
  const backend = await createStateBackend({ cfg: spec.cfg, fingerprint: fingerprint(spec.cfg), partition: spec.partition ?? resolve(spec.inDir), stateDir: spec.stateDir, outDir: spec.outDir, log });
  try {
    await backend.open();
    const store = taskStoreOf(spec.stateDir);
    const dir = `g${backend.generation}`;
    const key = `${dir}/plan.json`;
    const planPath = join(spec.stateDir, 'tasks', dir, 'plan.json');
    let text = store.read(key);
    let planned = false;
    if (text === null) {
      const made = await underLock(backend, () => planUnderLock(spec, backend, store, key, cfgHash), opts.lockWaitMs ?? 0);
      if (made === null) return null;
      text = made.text;
      planned = made.planned;
    }
    const plan = parsePlan(text, planPath);
    checkJoin(plan, cfgHash, spec.runId, planPath);
    const night = new TaskNight(spec, store, dir, plan, log, opts);
    night.resumed = !planned && !night.published() && !night.claimed() && process.env.SYNTHFILTER_WORKER_CHILD === undefined;
    if (planned) log(`planned night ${plan.runId}: ${plan.files.length} new input files, ${night.phases[0]!.length} map tasks`, { run: plan.runId });
    else if (!night.published()) log(night.resumed ? `resuming interrupted run ${plan.runId}` : `joining night ${plan.runId}`, { run: plan.runId });
    return night;
  } finally {
    await backend.close();
  }
}

/** A map task's done marker: the spool's counts, or the failure that quarantined its part. */
interface MapDone {
  items: number;
  error: string | null;
  failed?: string;
}

/** The night as tasks over the task store (the contract's Night). */
export class TaskNight implements Night {
  readonly runId: string;
  readonly phases: ReadonlyArray<ReadonlyArray<string>>;
  /** this process found the night planned and nobody running it: it resumes an interrupted night */
  resumed = false;
  private core: FilterCore | null = null;
  private batch: BatchTasks | null = null;

  constructor(
    readonly spec: NightSpec,
    private readonly store: TaskStore,
    private readonly dir: string,
    readonly plan: NightPlan,
    private readonly log: Log,
    private readonly opts: OpenOptions = {},
  ) {
    this.runId = plan.runId;
    this.phases = nightPhases(plan, spec.cfg);
  }

  isDone(taskId: string): boolean {
    return taskId === FINISH ? this.published() : this.store.exists(`${this.dir}/done/${taskId}`);
  }

  published(): boolean {
    return this.store.exists(`${this.dir}/published.json`);
  }

  /** Claims on this night's tasks, made as `owner` (claims.ts). */
  claims(owner: string): Claims {
    return new Claims(this.store, this.dir, owner);
  }

  /** Is any of this night's tasks being run by a live process? */
  claimed(): boolean {
    return this.claims('-').anyLive();
  }

  /** The night's result as the finishing process recorded it (null until published). */
  result(): PublishedNight | null {
    const t = this.store.read(`${this.dir}/published.json`);
    return t === null ? null : (JSON.parse(t) as PublishedNight);
  }

  /** The failures that quarantined map tasks' parts (task id -> reason). */
  failures(): Map<string, string> {
    const out = new Map<string, string>();
    for (const t of this.phases[0]!) {
      const d = this.store.read(`${this.dir}/done/${t}`);
      const failed = d === null ? undefined : (JSON.parse(d) as MapDone).failed;
      if (failed !== undefined) out.set(t, failed);
    }
    return out;
  }

  async run(taskId: string, signal?: AbortSignal): Promise<void> {
    if (this.isDone(taskId)) return;
    const stop = this.stopFor(signal);
    if (isBatchTask(taskId)) {
      const r = await (this.batch ??= new BatchTasks(this.spec, this.plan, this.store, this.dir, this.log)).run(taskId, stop);
      this.store.write(`${this.dir}/done/${taskId}`, JSON.stringify(r));
      return;
    }
    if (taskId === FINISH) {
      const r = isBatchNight(this.spec.cfg) ? await this.publishBatch(stop) : await finishNight(this.spec, this.plan, stop, this.log, this.opts.onPhase);
      this.store.write(`${this.dir}/published.json`, JSON.stringify(r));
      this.dropOlderNights();
      return;
    }
    const part = this.partOf(taskId);
    const scorer = { pool: this.opts.pool ?? null, core: () => (this.core ??= new FilterCore(this.spec.cfg)) };
    const r = await scorePart(this.spec.cfg, part, this.plan.lanes, scorer, stop);
    this.store.write(`${this.dir}/done/${taskId}`, JSON.stringify({ items: r.items, error: r.error } satisfies MapDone));
  }

  /** The batch engine's finish: publish what the write tasks wrote, then commit (route/publish-commit.ts). */
  private async publishBatch(stop: StopWatch): Promise<PublishedNight> {
    const written = this.phases.flat().filter((t) => t.startsWith(WRITE)).flatMap((t) => {
      const d = this.store.read(`${this.dir}/done/${t}`);
      if (d === null) throw new SynthfilterError('E_STATE', `clean: the night ${this.runId}: task ${t} has no done marker`);
      return (JSON.parse(d) as { files: WrittenFile[] }).files;
    });
    const { spec, plan } = this;
    return await publishAndCommit({ spec, plan, nightDir: this.dir, routeDir: routeWorkDir(spec.stateDir, this.dir), written, stop, log: this.log, onPhase: this.opts.onPhase });
  }

  async giveUp(taskId: string, reason: string): Promise<void> {
    if (taskId === FINISH) throw new SynthfilterError('E_STATE', `clean: the night ${this.runId} could not be finished: ${reason}`);
    // the night's dedup needs every band task's output: nothing is published; a rerun retries the task
    if (isBatchTask(taskId)) throw new SynthfilterError('E_STATE', `clean: the night ${this.runId} could not be finished: task ${taskId} ${reason}; nothing was published (rerun to retry)`);
    const part = this.partOf(taskId);
    const r = await quarantinePart(part, reason);
    this.store.write(`${this.dir}/done/${taskId}`, JSON.stringify({ items: r.items, error: null, failed: reason } satisfies MapDone));
    this.log(`quarantined ${part.file.rel}${part.range ? ` bytes ${part.range.start}-${part.range.end}` : ''}: task ${taskId} failed: ${reason}`, { run: this.runId, task: taskId });
  }

  /** One StopWatch per signal (each adds a listener to the signal: one per task would pile them up). */
  private readonly stops = new WeakMap<AbortSignal, StopWatch>();
  private stopFor(signal: AbortSignal | undefined): StopWatch {
    if (!signal) return new StopWatch();
    let s = this.stops.get(signal);
    if (!s) this.stops.set(signal, (s = new StopWatch(signal)));
    return s;
  }

  /** The input part a map task scores. */
  private partOf(taskId: string): MapPart {
    const m = /^map:(\d{6})-(\d{4})$/.exec(taskId);
    const i = m ? Number(m[1]) : -1;
    const p = m ? this.plan.parts[i]?.[Number(m[2])] : undefined;
    if (!p) throw new SynthfilterError('E_USAGE', `clean: the night ${this.runId} has no task "${taskId}"`);
    return { file: this.plan.files[i]!, spool: join(this.spec.stateDir, 'work', this.runId, p.name), range: p.range };
  }

  /** Task files of earlier generations' nights (all published: the state moved past them). */
  private dropOlderNights(): void {
    const gen = Number(this.dir.slice(1));
    const olds = new Set(this.store.list('g').map((k) => k.split('/')[0]!).filter((d) => /^g\d+$/.test(d) && Number(d.slice(1)) < gen));
    for (const d of olds) this.store.remove(d);
  }
}
