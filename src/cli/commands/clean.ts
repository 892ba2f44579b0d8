/** `synthfilter clean --in DIR --out DIR --state DIR`: the nightly job over a directory (see README). */
import { cpus } from 'node:os';
import { shareSummary } from '../../stage/share.js';
import { usageError } from '../../errors.js';
import { validateName } from '../../fsx/names.js';
import { buildConfig } from '../build-config.js';
import { EXIT } from '../exit-codes.js';
import { parseFlags, type FlagName, type FlagValues } from '../flags.js';
import { createLogger } from '../log.js';
import { checkDirArg, checkOutputDir } from '../path-args.js';
import type { CliIO } from '../main.js';
import { stopOnSignals } from '../stop-signals.js';
import { parseMemoryFlag } from '../../scale/memory.js';

export const CLEAN_FLAGS: readonly FlagName[] = ['in', 'out', 'state', 'workers', 'memory', 'world-size', 'rank', 'run-id', 'partition', 'annotate', 'config', 'set', 'text-field', 'id-field', 'format', 'queue', 'no-wait'];

/** The path flags, checked before anything is opened; with a shared backend (Redis) --state is optional. */
function checkPaths(values: FlagValues, shared: boolean): void {
  const required: FlagName[] = shared ? ['in', 'out'] : ['in', 'out', 'state'];
  const need = required.filter((k) => typeof values[k] !== 'string');
  if (need.length) throw usageError(`clean: missing ${need.map((k) => `--${k} DIR`).join(', ')}`);
  checkDirArg('--in', values.in as string);
  checkOutputDir('--out', values.out as string);
  if (typeof values.state === 'string') checkDirArg('--state', values.state);
}

function parseWorkers(v: FlagValues['workers']): number | undefined {
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw usageError(`clean: --workers must be a positive integer, got "${v}"`);
  return n;
}

/** --world-size N and --rank R (or "env"), both or neither. */
function parseRanks(values: FlagValues): { worldSize: number; rank: number } | null {
  const ws = values['world-size'];
  const rk = values.rank;
  if (ws === undefined && rk === undefined) return null;
  if (typeof ws !== 'string' || typeof rk !== 'string') throw usageError('clean: --world-size N and --rank R go together');
  const worldSize = Number(ws);
  if (!Number.isInteger(worldSize) || worldSize < 1) throw usageError(`clean: --world-size must be a positive integer, got "${ws}"`);
  const rank = rk === 'env' ? rankFromEnv() : Number(rk);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw usageError(`clean: --rank must be an integer from 0 to ${worldSize - 1} (--world-size ${worldSize}), got "${rk}"`);
  return { worldSize, rank };
}

/** --rank env: the job array's index (a Slurm array's index counts from its first, SLURM_ARRAY_TASK_MIN). */
function rankFromEnv(): number {
  const env = process.env;
  if (env.SLURM_ARRAY_TASK_ID !== undefined) return Number(env.SLURM_ARRAY_TASK_ID) - Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
  if (env.JOB_COMPLETION_INDEX !== undefined) return Number(env.JOB_COMPLETION_INDEX);
  throw usageError('clean: --rank env needs SLURM_ARRAY_TASK_ID (Slurm job array) or JOB_COMPLETION_INDEX (Kubernetes Indexed Job) in the environment');
}

export async function clean(argv: string[], _io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, 'clean', CLEAN_FLAGS);
  if (positionals.length) throw usageError(`clean reads the files under --in DIR and takes no FILE arguments (got "${positionals[0]}")`);
  const quiet = values.quiet === true;
  const log = createLogger({ quiet, json: values['json-logs'] ? true : undefined });
  // a bad size is exit 2 naming the flag (before the config would name dedup.memory)
  if (typeof values.memory === 'string') parseMemoryFlag(values.memory);
  const cfg = buildConfig(values);
  checkPaths(values, (cfg.state as { backend?: string }).backend === 'redis');
  // --run-id and --partition name folders: plain names, never paths (exit 2 before anything is opened)
  if (typeof values['run-id'] === 'string') validateName('--run-id', values['run-id']);
  if (typeof values.partition === 'string') validateName('--partition', values.partition);
  if (typeof values.queue === 'string') return (await import('./clean-queue.js')).cleanOnQueue(values, cfg, log);
  if (values['no-wait']) throw usageError('clean: --no-wait applies only with --queue');
  const workers = parseWorkers(values.workers);
  const ranks = parseRanks(values);
  if (ranks && workers !== undefined) throw usageError('clean: --workers N runs local worker processes, --world-size/--rank one process of a job array: give one of them');
  const redis = (cfg.state as { backend?: string }).backend === 'redis';
  if (redis && (ranks || (workers ?? 1) > 1)) {
    throw usageError(`clean: ${ranks ? '--world-size/--rank' : '--workers N'} is not supported with state.backend "redis": Redis serves many small concurrent writers, each a plain \`clean\` on its own --partition (docs/redis.md); use --state DIR to run a night as tasks (docs/scale.md)`);
  }
  const { runClean } = await import('../../stage/clean.js');
  const { cleanAsTasks } = await import('../../scale/clean-tasks.js');
  const { runLocalWorkers, dieWithParent, CHILD_ENV } = await import('../../scale/local-workers.js');
  dieWithParent();
  // a worker of `clean --workers N` leaves the summary to its parent
  const child = ranks !== null && process.env[CHILD_ENV] !== undefined;
  const t0 = Date.now();
  // seconds since process start at the end of each phase: in the summary's fields (JSON logs), for "where did the time go"
  const phases: Record<string, number> = { start: +(performance.now() / 1000).toFixed(3) };
  // signals (docs/security.md "Signals"): the first SIGTERM/SIGINT stops the run cleanly (exit 143/130); a second
  // one exits at once (the lock is then stale and taken over by the next run on this host)
  const { stopper, release } = stopOnSignals();
  try {
    const onPhase = (p: string) => {
      if (!p.startsWith('scored:')) phases[p] = +(performance.now() / 1000).toFixed(3);
    };
    const logFn = (msg: string, fields?: Record<string, unknown>) => log.info(msg, fields);
    // paths as given (quarantine records name input files as given, as they always did)
    const spec = { inDir: values.in as string, outDir: values.out as string, stateDir: (values.state as string | undefined) ?? '.', cfg, runId: values['run-id'] as string | undefined, partition: values.partition as string | undefined };
    // a night as tasks (docs/scale.md) needs a state folder; Redis state runs the night in one process as before
    const r = redis
      ? await runClean({ onPhase, inDir: values.in as string, outDir: values.out as string, stateDir: values.state as string | undefined, partition: spec.partition, cfg, workers, runId: spec.runId, log: logFn, signal: stopper.signal })
      : (workers ?? 1) > 1 && values.workers !== undefined
        ? await runLocalWorkers({ spec, workers: workers!, argv, signal: stopper.signal, log: logFn })
        : await cleanAsTasks({ spec, rank: ranks?.rank ?? 0, worldSize: ranks?.worldSize ?? 1, threads: ranks ? 1 : (workers ?? cpus().length), signal: stopper.signal, log: logFn, onPhase });
    if (r.workerExit !== undefined) return r.workerExit;
    if (r.stoppedBy) return r.stoppedBy === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    if (!r.summary) {
      if (!child) log.info(r.runId ? `clean: night ${r.runId} was published; its summary is in the run history` : 'clean: no new or changed input files; nothing to do');
      return EXIT.ok;
    }
    const s = r.summary;
    if (child) return r.errors.length ? EXIT.input : EXIT.ok;
    log.info(
      `clean ${r.runId}${r.resumed ? ' (resumed)' : ''}: files=${r.files} input=${s.inputs} accept=${s.accept} reject=${s.reject} quarantine=${s.quarantine} ` +
        `synthetic_share=${(s.synthetic_share * 100).toFixed(1)}% ${shareSummary(s.synthetic_share_estimate)}${s.synthetic_share_estimate ? ' ' : ''}tail_retention=${s.tail_retention === null ? 'n/a' : (s.tail_retention * 100).toFixed(1) + '%'} ` +
        `in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${r.outDir}`,
      { phases },
    );
    for (const w of r.warnings) log.warn(`${w.code}: ${w.message}`);
    for (const e of r.errors) log.error(e);
    return r.errors.length ? EXIT.input : EXIT.ok;
  } finally {
    release();
  }
}
