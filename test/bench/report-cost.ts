/**
 * The nightly report's cost on a night of the clean bench: the page's size (report.html, report.json, the state's
 * copy) and the collector's time per record (NightStats.observe over real outcomes of the bench corpus, timed in
 * this process), scaled to the night's records and set against the night's wall time.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { NightStats } from '../../src/report/collect.js';
import { FilterCore } from '../../src/stage/core.js';
import { readOptionsOf, readSources } from '../../src/io/read.js';
import type { Outcome } from '../../src/types.js';

export async function reportCost(o: { overrides: object; inDir: string; outDir: string; stateDir: string; records: number; nightSeconds: number }): Promise<Record<string, unknown>> {
  const run = readdirSync(o.outDir).find((d) => !d.startsWith('.'))!;
  const kb = (p: string) => +(statSync(p).size / 1024).toFixed(1);
  // outcomes of one input file, as clean's routing produces them
  const cfg = resolveConfig(o.overrides);
  const core = new FilterCore(cfg, { shards: true });
  const file = join(o.inDir, readdirSync(o.inDir).filter((f) => f.endsWith('.jsonl')).sort()[0]!);
  const outs: Outcome[] = [];
  for await (const batch of readSources([file], readOptionsOf(cfg.input))) outs.push(...(await core.processBatch(batch)));
  outs.push(...(await core.end()));
  const files = [{ path: file, name: 'part' }];
  let best = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    const n = new NightStats(cfg, files);
    const t0 = process.hrtime.bigint();
    for (let done = 0; done < o.records; done += outs.length) for (const x of outs) n.observe(x);
    n.toJSON();
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e9);
  }
  const perRecord = (best / (Math.ceil(o.records / outs.length) * outs.length)) * 1e9;
  return {
    run: `report of the ${o.records.toLocaleString()}-record night`,
    html_kb: kb(join(o.outDir, run, 'report.html')),
    json_kb: kb(join(o.outDir, run, 'report.json')),
    state_copy_kb: kb(join(o.stateDir, 'reports', `${run}.json`)),
    collector_ns_per_record: Math.round(perRecord),
    collector_share_of_night: `${((100 * perRecord * o.records) / 1e9 / o.nightSeconds).toFixed(2)}%`,
  };
}
