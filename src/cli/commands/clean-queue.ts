/**
 * `synthfilter clean --queue redis://HOST:PORT`: the night as BullMQ jobs (src/scale/queue, docs/queue.md). This
 * process plans the night, submits it and waits until `synthfilter worker` processes have published it; its exit
 * code is a plain clean's (0 when published). Progress goes to stderr.
 */
import { resolve } from 'node:path';
import { usageError } from '../../errors.js';
import type { Config } from '../../config/index.js';
import { EXIT } from '../exit-codes.js';
import type { FlagValues } from '../flags.js';
import type { Logger } from '../log.js';
import { stopOnSignals } from '../stop-signals.js';

export async function cleanOnQueue(values: FlagValues, cfg: Config, log: Logger): Promise<number> {
  if (typeof values.state !== 'string') throw usageError('clean --queue: missing --state DIR (the shared folder every worker reads and writes)');
  if (values['world-size'] !== undefined || values.rank !== undefined) throw usageError('clean --queue: --world-size/--rank do not apply (the queue hands tasks to `synthfilter worker` processes)');
  if (values.workers !== undefined) throw usageError('clean --queue: --workers does not apply (start `synthfilter worker --concurrency K` processes instead)');
  if ((cfg.state as { backend?: string }).backend === 'redis') throw usageError('clean --queue: the queue runs the file-state night; state.backend "redis" does not apply');
  const [{ submitNight }, { openNight }] = await Promise.all([import('../../scale/queue/submit.js'), import('../../scale/night.js')]);
  const { stopper, release } = stopOnSignals();
  const t0 = Date.now();
  try {
    const r = await submitNight({
      url: values.queue as string,
      spec: {
        inDir: resolve(values.in as string),
        outDir: resolve(values.out as string),
        stateDir: resolve(values.state),
        cfg,
        ...(typeof values['run-id'] === 'string' ? { runId: values['run-id'] } : {}),
        ...(typeof values.partition === 'string' ? { partition: values.partition } : {}),
      },
      open: (spec) => openNight(spec, (msg, fields) => log.info(msg, fields)),
      log: (level, msg, fields) => log[level](msg, fields),
      wait: values['no-wait'] !== true,
      signal: stopper.signal,
    });
    if (!r) {
      log.info('clean: no new or changed input files; nothing to do');
      return EXIT.ok;
    }
    if (stopper.signal.aborted) {
      log.info(`clean: stopped waiting; night ${r.runId} stays queued and the workers finish it`);
      return stopper.signal.reason === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
    }
    if (!r.published) log.info(`clean: night ${r.runId} submitted (${r.tasks} tasks); not waiting (--no-wait)`);
    else log.info(`clean ${r.runId}: published by the queue's workers in ${((Date.now() - t0) / 1000).toFixed(1)}s -> ${resolve(values.out as string, r.runId)}`);
    return EXIT.ok;
  } finally {
    release();
  }
}
