/**
 * The batch engine's ledger run sets (src/scale/bands/ledger-runs.ts, `npm run bench -- ledger`): `--nights` nights
 * of N notes each (a third of each night's hashes seen before, half emitted) committed as sets under the memory
 * budget, compacted (fan-in 4) after each, then the cluster task's synthetic-reuse join of N/3 synthetic records
 * against the whole ledger. Reports notes/s per phase and the peak RSS (VmHWM, whole process) against the history's
 * size: it should follow the budget, not the history.
 * Usage: node --expose-gc --import tsx test/bench/ledger.ts [--sizes 1000000,3000000] [--nights 5] [--memory 64M]
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LedgerNote } from '../../src/state/backend.js';
import { ExternalSorter } from '../../src/scale/bands/external-sort.js';
import { commitLedgerNight, compactLedger, joinSyntheticReuse, ledgerSets, SYNTHETIC_WIDTH } from '../../src/scale/bands/ledger-runs.js';
import { parseSize } from '../../src/scale/memory.js';
import { tmp } from '../helpers.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : dflt);
const SIZES = opt('--sizes', '1000000,3000000').split(',').map(Number);
const NIGHTS = Number(opt('--nights', '5'));
const MEMORY = parseSize(opt('--memory', '64M'))!;

const peakMb = (): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;

/** The i-th new hash of night g. */
const fresh = (g: number, i: number): [number, number] => [Math.imul(g + 1, 0x9e3779b1) ^ Math.imul(i, 0x85ebca6b), Math.imul(i + 1, 0xc2b2ae35) ^ g];
/** Night `g`'s hash i: a third of them repeat a hash of the night before. */
const hashOf = (g: number, i: number): [number, number] => fresh(i % 3 === 0 && g > 0 ? g - 1 : g, i);

function* notes(g: number, n: number): Generator<LedgerNote[]> {
  for (let at = 0; at < n; at += 4096) {
    const batch: LedgerNote[] = [];
    for (let i = at; i < Math.min(n, at + 4096); i++) {
      const h = hashOf(g, i);
      batch.push({ hash: Uint32Array.of(h[0] >>> 0, h[1] >>> 0), run: `run-${g}`, label: i % 4 === 0 ? 'synthetic' : 'human', pAi: i % 5 === 0 ? null : (i % 100) / 100, emitted: i % 2 === 0 });
    }
    yield batch;
  }
}

const rows: Array<Record<string, unknown>> = [];
for (const n of SIZES) {
  const dir = tmp('sf-bench-ledger-');
  const ledger = join(dir, 'ledger');
  let commitS = 0;
  let compactS = 0;
  for (let g = 0; g < NIGHTS; g++) {
    let t = performance.now();
    commitLedgerNight(ledger, notes(g, n), { run: `run-${g}`, generation: g, memoryBytes: MEMORY });
    commitS += (performance.now() - t) / 1000;
    t = performance.now();
    compactLedger(ledger, 4);
    compactS += (performance.now() - t) / 1000;
  }
  const sets = ledgerSets(ledger);
  const entries = sets.reduce((a, s) => a + (JSON.parse(readFileSync(join(s.path, 'set.json'), 'utf8')) as { rows: number }).rows, 0);
  let t = performance.now();
  const sorter = new ExternalSorter({ width: SYNTHETIC_WIDTH, keyWords: SYNTHETIC_WIDTH, memoryBytes: MEMORY, tmpDir: join(dir, 'spill') });
  const syn = Math.floor(n / 3);
  for (let i = 0; i < syn; i++) {
    // half of them new, a quarter seen last night and not emitted, a quarter seen and emitted (reused)
    const h = i % 2 ? fresh(NIGHTS, i) : fresh(NIGHTS - 1, 3 * i + 1 + (i % 4 === 2 ? 1 : 0));
    sorter.push([h[0] >>> 0, h[1] >>> 0, i]);
  }
  sorter.finish(join(dir, 'synthetic.run'));
  let reused = 0;
  joinSyntheticReuse({ sets, synthetic: join(dir, 'synthetic.run'), maxReuse: 1, onReuse: () => reused++ });
  const joinS = (performance.now() - t) / 1000;
  rmSync(dir, { recursive: true, force: true });
  rows.push({
    notes_per_night: n,
    nights: NIGHTS,
    ledger_entries: entries,
    sets: sets.map((s) => s.name).join(' '),
    commit_notes_per_s: Math.round((n * NIGHTS) / commitS),
    compact_s: +compactS.toFixed(2),
    synthetic: syn,
    reused,
    join_s: +joinS.toFixed(2),
    peak_rss_mb: Math.round(peakMb()),
  });
}
report('ledger', {
  scope: `ledger run sets: ${NIGHTS} nights of N notes (commit under --memory ${MEMORY / 2 ** 20}M, compaction fan-in 4), then a synthetic-reuse join of N/3 records; peak RSS is the process's so far (sizes run in order)`,
  rows,
});
