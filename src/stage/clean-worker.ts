/** Worker thread of the nightly job's scoring phase: one input file -> one spool. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSpool } from './spool.js';
import { SynthfilterError } from '../errors.js';

const { cfg, file, spool } = workerData as { cfg: Parameters<typeof writeSpool>[0]; file: string; spool: string };
writeSpool(cfg, file, spool).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (e: Error) => parentPort!.postMessage({ ok: false, error: { code: e instanceof SynthfilterError ? e.code : 'E_INTERNAL', message: e.message } }),
);
