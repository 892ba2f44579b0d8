/**
 * Worker of the clean benchmark's ceiling probe: scores its files into spools exactly as a scoring thread of
 * `clean` does (one warm-up file first, untimed), then reports the seconds the timed files took. Plain ESM on the
 * built package (`npm run bench` builds first): a worker thread does not take tsx's loader on this Node.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { rmSync } from 'node:fs';
import { resolveConfig } from '../../dist/config/index.js';
import { FilterCore } from '../../dist/stage/core.js';
import { writeSpool } from '../../dist/stage/spool.js';
import { buildScorers } from '../../dist/score/build.js';

const { overrides, warm, files, spoolDir, tag } = workerData;
const cfg = resolveConfig(overrides);
const core = new FilterCore(cfg);
const lanes = buildScorers(cfg, { scoring: false }).dedup?.lanes ?? 0;
const spool = `${spoolDir}/${tag}.spool`;
const one = async (f) => {
  await writeSpool(cfg, f, spool, core, { lanes });
  for (const x of ['', '.feat', '.done']) rmSync(spool + x, { force: true });
};
await one(warm);
parentPort.once('message', async () => {
  const t0 = process.hrtime.bigint();
  for (const f of files) await one(f);
  parentPort.postMessage(Number(process.hrtime.bigint() - t0) / 1e9);
});
parentPort.postMessage('ready');
