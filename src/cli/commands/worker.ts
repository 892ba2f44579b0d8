/**
 * `synthfilter worker --queue redis://HOST:PORT [--concurrency K]`: run the jobs of the nights submitted with
 * `clean --queue` until SIGTERM/SIGINT (src/scale/queue/worker.ts, docs/queue.md). The first signal closes the
 * worker gracefully: no new job is taken and the running ones finish (exit 143/130); a second signal exits at once,
 * and the abandoned jobs stall and are resumed by another worker. Job progress goes to stderr.
 */
import { usageError } from '../../errors.js';
import { EXIT } from '../exit-codes.js';
import { parseFlags, type FlagName, type FlagValues } from '../flags.js';
import { createLogger } from '../log.js';
import type { CliIO } from '../main.js';

export const WORKER_FLAGS: readonly FlagName[] = ['queue', 'concurrency', 'lock-ms', 'stalled-ms'];

function positive(values: FlagValues, name: FlagName, min = 1): number | undefined {
  const v = values[name];
  if (typeof v !== 'string') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw usageError(`worker: --${name} must be an integer of at least ${min}, got "${v}"`);
  return n;
}

export async function worker(argv: string[], _io: CliIO): Promise<number> {
  const { values, positionals } = parseFlags(argv, 'worker', WORKER_FLAGS);
  if (positionals.length) throw usageError(`worker takes no arguments (got "${positionals[0]}")`);
  if (typeof values.queue !== 'string') throw usageError('worker: missing --queue redis://HOST:PORT');
  const log = createLogger({ quiet: values.quiet === true, json: values['json-logs'] ? true : undefined });
  const concurrency = positive(values, 'concurrency');
  const lockMs = positive(values, 'lock-ms', 100);
  const stalledMs = positive(values, 'stalled-ms', 100);
  const [{ startQueueWorker }, { openNight }, { ScoringPools }] = await Promise.all([
    import('../../scale/queue/worker.js'),
    import('../../scale/night.js'),
    import('../../scale/queue/scoring-pools.js'),
  ]);
  const pools = new ScoringPools(concurrency ?? 1);
  const running = await startQueueWorker({
    url: values.queue,
    concurrency,
    lockMs,
    stalledMs,
    open: (spec) => openNight(spec, (msg, fields) => log.info(msg, fields), { pool: pools.for(spec.cfg) }),
    log: (level, msg, fields) => log[level](msg, fields),
  }).catch(async (e: unknown) => {
    await pools.close();
    throw e;
  });
  log.info(`worker: taking jobs from ${values.queue.replace(/\/\/[^@/]*@/, '//***@')} (concurrency ${concurrency ?? 1})`);
  const sig = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (s: NodeJS.Signals) => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      // a second signal: leave now; the running jobs stall and another worker resumes them
      const again = () => process.exit(s === 'SIGINT' ? EXIT.sigint : EXIT.sigterm);
      process.once('SIGINT', again);
      process.once('SIGTERM', again);
      resolve(s);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  log.info(`worker: ${sig}: finishing the running jobs`);
  await running.close();
  await pools.close();
  log.info('worker: stopped');
  return sig === 'SIGINT' ? EXIT.sigint : EXIT.sigterm;
}
