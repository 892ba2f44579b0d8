/**
 * One rank of a night (`clean --world-size N --rank R`; `clean --workers N` runs N of them as child processes,
 * local-workers.ts; plain `clean` runs one in-process). A rank walks the night's phases in order; in each it claims
 * tasks (claims.ts), its own first (task k with k % N == R), then any other that is unclaimed or whose claim
 * expired, and runs them, renewing its claim while a task runs. A phase ends when every task's done marker exists
 * (the barrier); the rank ends when the night is published, whoever published it.
 *
 * A task that fails is retried (3 attempts, with backoff); after the last, `giveUp` quarantines its input and the
 * night goes on. Failures no retry can mend (a full disk, a bad config or state, a stop) end the rank at once.
 */
import { SynthfilterError } from '../errors.js';
import { RunStopped, StopWatch } from '../stage/stop.js';
import type { PublishedNight } from './finish.js';
import type { Log, TaskNight } from './night.js';
import { leaseMs } from './claims.js';

export interface RankOptions {
  rank: number;
  worldSize: number;
  /** tasks this process runs at once (in-process: one per scoring thread) */
  concurrency: number;
  signal?: AbortSignal;
  log: Log;
  /** attempts per task before giving up (default 3) */
  attempts?: number;
  /** the first retry's delay; doubled for each further one (default 500 ms) */
  backoffMs?: number;
  /** how often a waiting rank looks at the task files (default 100 ms) */
  pollMs?: number;
}

const FATAL_CODES = new Set(['E_USAGE', 'E_CONFIG', 'E_OUTPUT', 'E_STATE', 'E_BACKEND', 'E_LOCKED']);
const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS']);

/** Errors a retry cannot mend: the rank stops with them (the CLI maps them to their exit codes). */
export function isFatal(e: unknown): boolean {
  if (e instanceof RunStopped) return true;
  if (e instanceof SynthfilterError) return FATAL_CODES.has(e.code);
  return DISK_FULL.has((e as NodeJS.ErrnoException)?.code ?? '');
}

function sleep(ms: number, stop: StopWatch): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return stop.race(new Promise<void>((r) => (timer = setTimeout(r, ms)))).finally(() => clearTimeout(timer));
}

/** The order in which rank R of N tries a phase's tasks: its own (k % N == R), then the others from its place on. */
export function preference(tasks: readonly string[], rank: number, worldSize: number): string[] {
  const own = tasks.filter((_, k) => k % worldSize === rank);
  const others = tasks.filter((_, k) => k % worldSize !== rank);
  const at = others.findIndex((_, j) => j >= Math.floor((others.length * rank) / worldSize));
  return [...own, ...others.slice(Math.max(0, at)), ...others.slice(0, Math.max(0, at))];
}

/** Run this rank's share of the night until it is published; throws RunStopped on a stop, or a fatal error. */
export async function runRank(night: TaskNight, o: RankOptions): Promise<PublishedNight> {
  const stop = new StopWatch(o.signal);
  const owner = `rank ${o.rank}/${o.worldSize}`;
  const claims = night.claims(owner);
  const attempts = o.attempts ?? 3;
  const backoff = o.backoffMs ?? 500;
  const poll = o.pollMs ?? 100;
  const lease = leaseMs();
  let fatal = false; // a fatal error in one slot: the others take no new task

  const runClaimed = async (task: string) => {
    const beat = setInterval(() => {
      try {
        claims.renew(task);
      } catch {
        /* the next beat tries again; an expired claim only lets another process redo the task */
      }
    }, Math.max(50, Math.floor(lease / 3)));
    beat.unref();
    try {
      let reason = '';
      for (let a = 1; a <= attempts; a++) {
        try {
          await night.run(task, o.signal);
          return;
        } catch (e) {
          if (isFatal(e)) throw e;
          reason = (e as Error)?.message ?? String(e);
          o.log(`task ${task} failed (attempt ${a} of ${attempts}): ${reason}`, { run: night.runId, task, attempt: a });
          if (a < attempts) await sleep(backoff * 2 ** (a - 1), stop);
        }
      }
      await night.giveUp(task, `failed ${attempts} times: ${reason}`);
    } finally {
      clearInterval(beat);
    }
  };

  // one slot: claim a task of the phase and run it, until every task of the phase is done
  const slot = async (tasks: readonly string[]) => {
    const order = preference(tasks, o.rank, o.worldSize);
    // a done task stays done: tasks before `head`, and those marked in `seen`, are not looked at again, so a phase of
    // P tasks costs O(P) done-marker looks in all (looking at every task for every claim was O(P^2))
    let head = 0;
    const seen = new Uint8Array(order.length);
    for (;;) {
      stop.check();
      if (fatal || night.published()) return;
      let task: string | undefined;
      for (let i = head; i < order.length && task === undefined; i++) {
        if (seen[i] === 1) continue;
        const t = order[i]!;
        if (night.isDone(t)) seen[i] = 1;
        else if (claims.tryClaim(t)) task = t;
      }
      while (head < order.length && seen[head] === 1) head++;
      if (head === order.length) return;
      if (task === undefined) {
        await sleep(poll, stop);
        continue;
      }
      try {
        await runClaimed(task);
      } catch (e) {
        fatal = true;
        throw e;
      } finally {
        claims.release(task);
      }
    }
  };

  for (const tasks of night.phases) {
    if (night.published()) break;
    const k = Math.max(1, Math.min(o.concurrency, tasks.length));
    const slots = Array.from({ length: k }, () => slot(tasks));
    // a fatal error in one slot stops this rank once the other slots' current tasks end
    const settled = await Promise.allSettled(slots);
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
  }
  const r = night.result();
  if (!r) throw new SynthfilterError('E_STATE', `clean: the night ${night.runId} ended without its published marker`);
  return r;
}
