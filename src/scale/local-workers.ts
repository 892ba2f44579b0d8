/**
 * `clean --workers N`: the night's tasks run by N local child processes, each one rank of N (the same code as
 * `--world-size N --rank R` on a cluster, ranks.ts). This process plans the night first (so the children join it
 * instead of racing to plan), waits for them, and reports the published night. A signal is passed on to the
 * children (each stops cleanly); a child that fails stops the others, and its exit code is this process's. A
 * child whose parent dies (kill -9) exits at once: its task is redone by the rerun.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { CleanResult } from '../stage/clean.js';
import { RunStopped, type StopSignal } from '../stage/stop.js';
import { cleanResultOf, NOTHING_NEW, stoppedResult } from './clean-tasks.js';
import { openNight, type Log, type NightSpec } from './night.js';

/** Set in a child's environment: it reports to its parent (no summary of its own) and dies with it. */
export const CHILD_ENV = 'SYNTHFILTER_WORKER_CHILD';

export interface LocalWorkersOptions {
  spec: NightSpec;
  workers: number;
  /** the `clean` arguments as given (--workers is dropped, --world-size and --rank added per child) */
  argv: string[];
  signal?: AbortSignal;
  log: Log;
}

/** `argv` without --workers (and its value). */
export function withoutWorkers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      out.push(...argv.slice(i));
      break;
    }
    if (a === '--workers') i++;
    else if (!a.startsWith('--workers=')) out.push(a);
  }
  return out;
}

/** In a child: exit when the parent is gone (its IPC channel closes). */
export function dieWithParent(): void {
  if (process.env[CHILD_ENV] && typeof process.send === 'function') {
    process.on('disconnect', () => process.exit(1));
    process.channel?.unref(); // the channel alone must not keep this process alive
  }
}

export async function runLocalWorkers(o: LocalWorkersOptions): Promise<CleanResult> {
  const night = await openNight(o.spec, o.log);
  if (!night) {
    o.log('nothing new to process', { inputs: o.spec.inDir });
    return NOTHING_NEW;
  }
  const args = withoutWorkers(o.argv);
  const children: ChildProcess[] = [];
  const exits: Array<Promise<{ rank: number; code: number | null; signal: NodeJS.Signals | null }>> = [];
  for (let r = 0; r < o.workers; r++) {
    const c = spawn(process.execPath, [...process.execArgv, process.argv[1]!, 'clean', ...args, '--world-size', String(o.workers), '--rank', String(r)], {
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
      env: { ...process.env, [CHILD_ENV]: String(process.pid) },
    });
    children.push(c);
    exits.push(new Promise((resolve) => c.on('close', (code, signal) => resolve({ rank: r, code, signal }))));
  }
  let stoppedBy: StopSignal | null = null;
  const onStop = () => {
    stoppedBy = o.signal!.reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM';
    for (const c of children) if (c.exitCode === null) c.kill(stoppedBy);
  };
  o.signal?.addEventListener('abort', onStop, { once: true });
  let failure: { rank: number; code: number } | null = null;
  try {
    // the first child to fail stops the others
    await Promise.all(
      exits.map((p) =>
        p.then((x) => {
          if (x.code !== 0 && failure === null && stoppedBy === null) {
            failure = { rank: x.rank, code: x.code ?? 1 };
            for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
          }
        }),
      ),
    );
  } finally {
    o.signal?.removeEventListener('abort', onStop);
  }
  if (stoppedBy) return stoppedResult(night, new RunStopped(stoppedBy), o.log);
  const published = night.result();
  if (published) return cleanResultOf(o.spec, published, night.resumed);
  const f = failure as { rank: number; code: number } | null;
  o.log(`worker ${f?.rank ?? '?'} of ${o.workers} exited with code ${f?.code ?? '?'} (its message is above): run ${night.runId} was not published; rerun to resume it`, { run: night.runId });
  return { ...NOTHING_NEW, runId: night.runId, files: night.plan.files.length, workerExit: f?.code ?? 1 };
}
