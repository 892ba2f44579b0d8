/**
 * A fixed pool of scoring worker threads for the nightly job. Each thread loads the scorers (and the detector
 * model) once and then scores file after file; p-limit bounds how many files are in flight to the pool size.
 */
import { Worker } from 'node:worker_threads';
import pLimit from 'p-limit';
import type { Config } from '../config/index.js';
import { SynthfilterError, type ErrorCode } from '../errors.js';
import type { ByteRange, SpoolOptions, SpoolResult } from './spool.js';

interface Job {
  file: string;
  spool: string;
  resolve: (r: SpoolResult) => void;
  reject: (e: Error) => void;
}

export class ScoringPool {
  private readonly idle: Worker[] = [];
  private readonly all: Worker[] = [];
  private readonly current = new Map<Worker, Job>();
  private readonly limit: ReturnType<typeof pLimit>;

  /** The threads start at once and load the scorers while the caller does other work (state load, planning);
   * spool options come with each job. */
  constructor(cfg: Config, size: number) {
    const here = new URL(import.meta.url);
    const ts = here.pathname.endsWith('.ts');
    const url = new URL(`./clean-worker.${ts ? 'ts' : 'js'}`, here);
    for (let i = 0; i < size; i++) {
      const w = new Worker(url, { workerData: { cfg }, execArgv: ts ? ['--import', 'tsx'] : [] });
      w.unref(); // never keeps the process alive on an error path
      w.on('message', (m: { ok: boolean; result?: SpoolResult; error?: { code: string; message: string } }) => {
        const job = this.current.get(w);
        this.current.delete(w);
        this.idle.push(w);
        if (!job) return;
        if (m.ok) job.resolve(m.result!);
        else job.reject(new SynthfilterError((m.error!.code as ErrorCode) ?? 'E_INPUT', m.error!.message));
      });
      w.on('error', (e) => {
        const job = this.current.get(w);
        this.current.delete(w);
        job?.reject(e);
      });
      this.all.push(w);
      this.idle.push(w);
    }
    this.limit = pLimit(size);
  }

  score(file: string, spool: string, range: ByteRange | null = null, opts: SpoolOptions = { lanes: 0 }): Promise<SpoolResult> {
    return this.limit(
      () =>
        new Promise<SpoolResult>((resolve, reject) => {
          const w = this.idle.pop();
          if (!w) return reject(new Error('scoring pool: no idle worker'));
          this.current.set(w, { file, spool, resolve, reject });
          w.postMessage({ file, spool, range, opts });
        }),
    );
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
