/**
 * Per-task rates of a batch-engine night (`npm run bench -- night-phases`, issue 19 item 8): a night of N generated
 * prose documents (~1 KB, gen-prose.ts) run task by task in this process (openNight, then every task of each phase
 * in turn, one at a time), timing each phase. Reports per phase: tasks, wall seconds (the sum over its tasks: one
 * task at a time), documents per task-second, and the longest task. The scorers are the default ones with the
 * origin detector off (it costs map time only). docs/scale.md extrapolates from these rates.
 * Usage: node --import tsx test/bench/night-phases.ts [--docs 200000] [--shard-records 5000] [--memory 256M]
 */
import { rmSync } from 'node:fs';
import { generatedNight } from './generated-night.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const DOCS = Number(opt('--docs', '200000'));
const SHARD = Number(opt('--shard-records', '5000'));
const MEMORY = opt('--memory', '256M');
const { night, dir } = await generatedNight('night-phases', DOCS, 10000, { dedup: { engine: 'batch', memory: MEMORY }, origin: { enabled: false }, output: { shardMaxRecords: SHARD } });
const rows: Array<Record<string, unknown>> = [];
for (const tasks of night.phases) {
  const kind = tasks[0]!.split(':')[0]!;
  let total = 0;
  let longest = 0;
  for (const t of tasks) {
    const t0 = performance.now();
    await night.run(t);
    const s = (performance.now() - t0) / 1000;
    total += s;
    longest = Math.max(longest, s);
  }
  rows.push({ phase: kind, tasks: tasks.length, seconds: Number(total.toFixed(2)), docs_per_task_second: Math.round(DOCS / total), longest_task_s: Number(longest.toFixed(2)) });
}
rmSync(dir, { recursive: true, force: true });
report('night-phases', {
  scope: `one batch-engine night of ${DOCS} generated ~1 KB docs, tasks run one at a time in one process, output.shardMaxRecords ${SHARD}, origin off, --memory ${MEMORY}`,
  rows,
});
