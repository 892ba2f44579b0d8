/**
 * A clean stop of a long run on SIGTERM/SIGINT. The caller aborts an AbortSignal with the signal's name as the
 * reason; the run checks `check()` between records and waits on slow work through `race()`, so it notices the stop
 * within one record (or one read batch) and unwinds with RunStopped.
 */
export type StopSignal = 'SIGTERM' | 'SIGINT';

export class RunStopped extends Error {
  constructor(readonly signal: StopSignal) {
    super(`stopped by ${signal}`);
    this.name = 'RunStopped';
  }
}

const signalOf = (reason: unknown): StopSignal => (reason === 'SIGINT' ? 'SIGINT' : 'SIGTERM');

export class StopWatch {
  /** rejects with RunStopped when the stop is requested (never resolves) */
  private readonly stopped: Promise<never>;

  constructor(private readonly signal?: AbortSignal) {
    this.stopped = new Promise<never>((_, reject) => {
      if (!signal) return;
      const fire = () => reject(new RunStopped(signalOf(signal.reason)));
      if (signal.aborted) fire();
      else signal.addEventListener('abort', fire, { once: true });
    });
    this.stopped.catch(() => {}); // observed through race()
  }

  get requested(): boolean {
    return this.signal?.aborted === true;
  }

  /** Throw RunStopped when the stop was requested. */
  check(): void {
    if (this.signal?.aborted) throw new RunStopped(signalOf(this.signal.reason));
  }

  /** `p`, unless the stop comes first (then RunStopped). */
  race<T>(p: Promise<T>): Promise<T> {
    if (!this.signal) return p;
    this.check();
    return Promise.race([p, this.stopped]);
  }
}
