/**
 * `synthfilter clean --queue redis://HOST:PORT`: plan the night (or join the one already planned), submit its first
 * phase's flow to the queue, and wait until workers have published it. The jobs carry the NightSpec, so any
 * `synthfilter worker` on a machine that sees the same --in/--out/--state paths can run them.
 *
 * Resubmitting the same night (a rerun after this process was stopped) adds no job (deterministic job ids) and
 * waits for the same night. The wait ends when the night is published (success), when a barrier job failed for
 * good (its reason, with the error code a worker recorded, becomes this process's error), or on SIGTERM/SIGINT
 * (the jobs stay queued; the workers finish the night).
 */
import { SynthfilterError, type ErrorCode, ERROR_CODES } from '../../errors.js';
import type { NightSpec } from '../night.js';
import { QueueConnections } from './connect.js';
import { QUEUE_NAME, barrierJobId, phaseFlow } from './layout.js';
import type { OpenNight } from './nights.js';
import type { Log } from './worker.js';

export interface SubmitOptions {
  url: string;
  spec: NightSpec;
  open: OpenNight;
  log: Log;
  /** false: return once the night is submitted */
  wait?: boolean;
  signal?: AbortSignal;
  /** how often the state folder and the queue are polled while waiting */
  pollMs?: number;
}

export interface SubmitResult {
  runId: string;
  tasks: number;
  published: boolean;
}

/** A worker's failure reason back into an error: `E_STATE: ...` keeps its code (and so its exit code). */
function errorFromReason(where: string, reason: string): Error {
  const m = /^(E_[A-Z]+): ([\s\S]*)$/.exec(reason);
  if (m && (ERROR_CODES as readonly string[]).includes(m[1]!)) return new SynthfilterError(m[1] as ErrorCode, `${where}: ${m[2]}`);
  return new SynthfilterError('E_STATE', `${where}: ${reason}`);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    signal?.addEventListener('abort', () => (clearTimeout(t), r()), { once: true });
  });

/** Submit the night; with `wait` (the default), wait until it is published. null: nothing new to clean. */
export async function submitNight(o: SubmitOptions): Promise<SubmitResult | null> {
  const { bullmq, conns } = await QueueConnections.open(o.url);
  try {
    const night = await o.open(o.spec);
    if (!night) return null;
    const spec = { ...o.spec, runId: night.runId };
    const tasks = night.phases.flat();
    const flows = new bullmq.FlowProducer({ connection: (await conns.client()) as never });
    try {
      await flows.add(phaseFlow(spec, night.phases, 0));
    } finally {
      await flows.close();
    }
    o.log('info', `queue: night ${night.runId} submitted: ${tasks.length} tasks in ${night.phases.length} phases`, { runId: night.runId });
    if (o.wait === false) return { runId: night.runId, tasks: tasks.length, published: night.published() };

    const queue = new bullmq.Queue(QUEUE_NAME, { connection: (await conns.client()) as never });
    try {
      let said = '';
      let saidAt = 0;
      while (!night.published()) {
        if (o.signal?.aborted) return { runId: night.runId, tasks: tasks.length, published: false };
        for (let k = 0; k < night.phases.length; k++) {
          const id = barrierJobId(night.runId, k);
          if ((await queue.getJobState(id)) !== 'failed') continue;
          const job = await queue.getJob(id);
          throw errorFromReason(`night ${night.runId}, phase ${k + 1} of ${night.phases.length}`, job?.failedReason ?? 'failed');
        }
        const done = tasks.filter((t) => night.isDone(t)).length;
        const phase = night.phases.findIndex((p) => p.some((t) => !night.isDone(t)));
        const line = `queue: night ${night.runId}: ${done}/${tasks.length} tasks done${phase >= 0 ? `, phase ${phase + 1} of ${night.phases.length}` : ''}`;
        if (line !== said || Date.now() - saidAt > 30_000) {
          o.log('info', line, { runId: night.runId, done, tasks: tasks.length });
          said = line;
          saidAt = Date.now();
        }
        await sleep(o.pollMs ?? 500, o.signal);
      }
      return { runId: night.runId, tasks: tasks.length, published: true };
    } finally {
      await queue.close();
    }
  } finally {
    await conns.close();
  }
}
