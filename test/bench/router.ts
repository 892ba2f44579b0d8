/**
 * Router memory and speed: 1M generated records (30% declared synthetic, arriving in bursts) through the core's
 * router with dedup, diversity and origin scoring off, so what is measured is the router (synthetic buffer, tail
 * statistics, balancing) and the core around it. Peak RSS is sampled; it must stay bounded by the buffer settings,
 * not grow with the stream. Usage: node --import tsx test/bench/router.ts [--records N]
 */
import { FilterCore } from '../../src/stage/core.js';
import { resolveConfig } from '../../src/config/index.js';
import type { InputItem, OriginLabel } from '../../src/types.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--records') + 1] || 1_000_000) || 1_000_000;
const vocab = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega river stone field cloud harbour lantern orchard meadow'.split(' ');

function run(buffer: number) {
  const cfg = resolveConfig({ route: { syntheticBuffer: buffer, maxWait: 1_000_000, balanceBy: 'meta.lang', maxStratumShare: 0.6 } } as any);
  const core = new FilterCore(cfg, {
    shards: true,
    scorers: { dedup: null, diversity: null, diversityRules: null, origin: null, labelOf: (_o, rec) => ((rec as any).meta.source === 'gpt' ? 'synthetic' : 'human') as OriginLabel },
  });
  let peak = 0;
  let s = 7;
  const t0 = process.hrtime.bigint();
  let accepted = 0;
  for (let i = 0; i < N; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    // bursts: 2,000-record stretches that are 80% synthetic, otherwise 15%
    const burst = Math.floor(i / 2000) % 3 === 0;
    const synthetic = s % 100 < (burst ? 80 : 15);
    const words: string[] = [];
    for (let w = 0; w < 24; w++) words.push(vocab[(s >>> (w % 24)) % vocab.length]!);
    const it: InputItem = { kind: 'record', record: { id: `r${i}`, text: `${words.join(' ')} ${i}`, meta: { source: synthetic ? 'gpt' : 'human', lang: s % 10 < 7 ? 'en' : s % 10 < 9 ? 'de' : 'sw' } }, pos: { file: 'gen', line: i + 1 }, bytes: 200 };
    const out: any[] = [];
    core.processItem(it, out);
    accepted += out.filter((o) => o.annotation.decision === 'accept').length;
    if ((i & 0x3fff) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  const end: any[] = [];
  void core.end().then((x) => end.push(...x));
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  peak = Math.max(peak, process.memoryUsage().rss);
  return { buffer, records_per_s: Math.round(N / secs), peak_rss_mb: +(peak / 2 ** 20).toFixed(0), synthetic_cap_rejects: core.stats.reasons['synthetic_cap'] ?? 0, stratum_cap_rejects: core.stats.reasons['stratum_cap'] ?? 0, accepted_synthetic_share: +(core.stats.originAccepted.synthetic / Math.max(1, core.stats.accept)).toFixed(4) };
}

const rows = [run(1_000), run(10_000), run(100_000)];
report('router', {
  scope: `${N.toLocaleString()} records per row (30% synthetic in bursts), dedup/diversity/origin off, one process`,
  target: 'peak RSS bounded by the buffer settings (compare rows), not by the stream length',
  rows,
});
