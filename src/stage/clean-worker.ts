/** Worker thread of the nightly job's scoring phase: receives {file, spool} messages, answers with the result. */
import { parentPort, workerData } from 'node:worker_threads';
import { writeSpool, type ByteRange, type SpoolOptions } from './spool.js';
import { FilterCore } from './core.js';
import { SynthfilterError } from '../errors.js';

const { cfg } = workerData as { cfg: Parameters<typeof writeSpool>[0] };
const core = new FilterCore(cfg); // scorers and the detector model load once per thread
parentPort!.on('message', ({ file, spool, range, opts }: { file: string; spool: string; range: ByteRange | null; opts: SpoolOptions }) => {
  writeSpool(cfg, file, spool, core, opts, range).then(
    (result) => parentPort!.postMessage({ ok: true, result }),
    (e: Error) => parentPort!.postMessage({ ok: false, error: { code: e instanceof SynthfilterError ? e.code : 'E_INTERNAL', message: e.message } }),
  );
});
