/**
 * `synthfilter worker`: a BullMQ worker that runs the tasks of any night submitted to the queue (layout.ts). Any
 * number of workers may run at once, join late or leave: a task job runs `night.run(task)` (idempotent); a
 * barrier job gives up the tasks of its phase that failed for good and adds the next phase's flow.
 *
 * Failures: a task job is tried ATTEMPTS times with exponential backoff; when its last attempt throws, the worker
 * calls `night.giveUp(task, reason)` (the task's input is quarantined with the reason) and the job completes, so the
 * night goes on. A job whose worker died (kill -9) is "stalled": its lock expires after `lockMs` and another worker
 * picks it up at its next stall check (every `stalledMs`); a job that stalls more than MAX_STALLED times fails, and
 * its barrier gives the task up.
 */
import { SynthfilterError } from '../../errors.js';
import type { Night } from '../night.js';
import { QueueConnections } from './connect.js';
import { ATTEMPTS, BARRIER_JOB, QUEUE_NAME, TASK_JOB, phaseFlow, taskJobId, type BarrierJobData, type TaskJobData } from './layout.js';
import { OpenNights, type OpenNight } from './nights.js';
import type { Job } from 'bullmq';

export type Log = (level: 'info' | 'warn' | 'error', msg: string, fields?: Record<string, unknown>) => void;

export interface QueueWorkerOptions {
  url: string;
  /** jobs run at once in this process (default 1) */
  concurrency?: number;
  /** how long a job's lock lasts without renewal: a killed worker's job is free again after it (BullMQ: lockDuration) */
  lockMs?: number;
  /** how often this worker looks for stalled jobs (BullMQ: stalledInterval) */
  stalledMs?: number;
  open: OpenNight;
  log: Log;
}

/** BullMQ's defaults: a killed worker's job is taken over within about a minute. */
export const DEFAULT_LOCK_MS = 30_000;
export const DEFAULT_STALLED_MS = 30_000;
/** A job may stall (its worker killed) this many times and still be retried; one more and it fails. */
export const MAX_STALLED = 2;

/** An error as a job's failure reason: a SynthfilterError keeps its code in front (`E_STATE: ...`). */
function reasonOf(e: unknown): string {
  if (e instanceof SynthfilterError) return `${e.code}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export interface RunningWorker {
  /** stop taking jobs and wait for the running ones (`force`: abandon them; they stall and another worker resumes them) */
  close(force?: boolean): Promise<void>;
}

export async function startQueueWorker(o: QueueWorkerOptions): Promise<RunningWorker> {
  const { bullmq, conns } = await QueueConnections.open(o.url);
  const nights = new OpenNights(o.open);
  const flows = new bullmq.FlowProducer({ connection: (await conns.client()) as never });

  /** a configuration error will not go away on retry: fail the job at once */
  const fail = (e: unknown): never => {
    const msg = reasonOf(e);
    if (e instanceof SynthfilterError && (e.code === 'E_CONFIG' || e.code === 'E_USAGE')) throw new bullmq.UnrecoverableError(msg);
    throw new Error(msg);
  };

  async function runTask(job: Job<TaskJobData>, signal?: AbortSignal): Promise<unknown> {
    const { spec, task } = job.data;
    const night = await nights.get(spec).catch(fail);
    if (!night) return { task, skipped: 'the night has nothing to do (already published)' };
    if (night.isDone(task)) return { task, ran: false };
    const t0 = Date.now();
    try {
      await night.run(task, signal);
    } catch (e) {
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (!last || signal?.aborted) fail(e);
      const reason = `failed ${job.opts.attempts ?? 1} times, last: ${reasonOf(e)}`;
      o.log('warn', `worker: giving up task ${task} of ${spec.runId}: ${reason}`, { runId: spec.runId, task });
      await night.giveUp(task, reason);
      return { task, gaveUp: reason };
    }
    o.log('info', `worker: task ${task} of ${spec.runId} done in ${((Date.now() - t0) / 1000).toFixed(1)}s`, { runId: spec.runId, task });
    return { task, ran: true };
  }

  /** Phase `phase` is over: give up its tasks that failed for good, then add the next phase (or check the end). */
  async function closePhase(job: Job<BarrierJobData>): Promise<unknown> {
    const { spec, phase } = job.data;
    const night: Night | null = await nights.get(spec).catch(fail);
    if (!night) return { phase, published: true };
    const failures = await job.getIgnoredChildrenFailures();
    for (const task of night.phases[phase] ?? []) {
      if (night.isDone(task)) continue;
      const id = taskJobId(spec.runId, task);
      const why = Object.entries(failures).find(([k]) => k.endsWith(`:${id}`))?.[1] ?? 'its job ended without finishing it';
      o.log('warn', `worker: giving up task ${task} of ${spec.runId}: ${why}`, { runId: spec.runId, task });
      await night.giveUp(task, `failed in the queue: ${why}`);
    }
    if (phase + 1 < night.phases.length) {
      await flows.add(phaseFlow(spec, night.phases, phase + 1));
      return { phase, next: phase + 1 };
    }
    if (!night.published()) fail(new SynthfilterError('E_STATE', `night ${spec.runId}: its last phase is over but it is not published`));
    o.log('info', `worker: night ${spec.runId} published`, { runId: spec.runId });
    return { phase, published: true };
  }

  const worker = new bullmq.Worker(
    QUEUE_NAME,
    async (job: Job, _token?: string, signal?: AbortSignal) => {
      if (job.name === TASK_JOB) return runTask(job as Job<TaskJobData>, signal);
      if (job.name === BARRIER_JOB) return closePhase(job as Job<BarrierJobData>);
      throw new bullmq.UnrecoverableError(`unknown job "${job.name}" (a newer synthfilter's job?)`);
    },
    {
      connection: (await conns.client()) as never,
      concurrency: o.concurrency ?? 1,
      lockDuration: o.lockMs ?? DEFAULT_LOCK_MS,
      stalledInterval: o.stalledMs ?? DEFAULT_STALLED_MS,
      maxStalledCount: MAX_STALLED,
    },
  );
  worker.on('failed', (job, err) => {
    if (!job) return;
    const retry = job.attemptsMade < (job.opts.attempts ?? 1) && err.name !== 'UnrecoverableError';
    o.log(retry ? 'warn' : 'error', `worker: job ${job.id} failed (attempt ${job.attemptsMade} of ${job.opts.attempts ?? ATTEMPTS})${retry ? ', will retry' : ''}: ${err.message}`);
  });
  worker.on('error', (err) => o.log('warn', `worker: ${err.message}`));
  worker.on('stalled', (jobId) => o.log('warn', `worker: job ${jobId} stalled (its worker stopped renewing the lock): running it again`));
  await worker.waitUntilReady();
  return {
    async close(force = false) {
      await worker.close(force);
      await flows.close();
      await conns.close();
    },
  };
}
