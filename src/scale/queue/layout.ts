/**
 * The job layout of a night on the queue (docs/queue.md): phase k is one BullMQ flow, a parent "barrier" job whose
 * children are phase k's task jobs. BullMQ runs the barrier only once every child has finished (completed, or failed
 * for good: `ignoreDependencyOnFailure`), so phases run in order; the barrier of phase k adds the flow of phase k+1,
 * and the last barrier checks that the night is published.
 *
 * Job ids are derived from the run id and the task id alone, so submitting the same night twice (or a barrier that
 * runs twice after a crash adding the next phase again) adds no job: BullMQ ignores a job whose id exists.
 */
import type { FlowJob, JobsOptions } from 'bullmq';
import type { NightSpec } from '../night.js';

/** The one queue every `synthfilter worker` listens on. */
export const QUEUE_NAME = 'synthfilter';

/** A task job: run `task` of the night `spec`. A barrier job: phase `phase` of the night is finished. */
export interface TaskJobData {
  spec: NightSpec & { runId: string };
  phase: number;
  task: string;
}
export interface BarrierJobData {
  spec: NightSpec & { runId: string };
  phase: number;
}

export const TASK_JOB = 'task';
export const BARRIER_JOB = 'barrier';

/** Retries: 3 attempts, 1 s then 2 s apart. */
export const ATTEMPTS = 3;
export const BACKOFF_MS = 1000;

/** Finished jobs are kept a week (a resubmission within it adds nothing), then removed by BullMQ. */
const KEEP = { age: 7 * 24 * 3600 };

/** BullMQ refuses ':' in custom job ids (its key separator): every part is URI-encoded, which keeps ids distinct. */
const idPart = (s: string) => encodeURIComponent(s);
export const taskJobId = (runId: string, task: string) => `${idPart(runId)}|task|${idPart(task)}`;
export const barrierJobId = (runId: string, phase: number) => `${idPart(runId)}|phase|${phase}`;

const common: JobsOptions = {
  attempts: ATTEMPTS,
  backoff: { type: 'exponential', delay: BACKOFF_MS },
  removeOnComplete: KEEP,
  removeOnFail: KEEP,
};

/** The flow of phase `phase`: its barrier with one child per task. */
export function phaseFlow(spec: NightSpec & { runId: string }, phases: ReadonlyArray<ReadonlyArray<string>>, phase: number): FlowJob {
  const tasks = phases[phase];
  if (!tasks) throw new RangeError(`phase ${phase} of ${phases.length}`);
  return {
    name: BARRIER_JOB,
    queueName: QUEUE_NAME,
    data: { spec, phase } satisfies BarrierJobData,
    opts: { ...common, jobId: barrierJobId(spec.runId, phase) },
    children: tasks.map((task) => ({
      name: TASK_JOB,
      queueName: QUEUE_NAME,
      data: { spec, phase, task } satisfies TaskJobData,
      // a task that failed for good (retries spent, or stalled too often) does not block its barrier, which gives
      // the task up (quarantine) if the task's own last attempt could not
      opts: { ...common, jobId: taskJobId(spec.runId, task), ignoreDependencyOnFailure: true },
    })),
  };
}
