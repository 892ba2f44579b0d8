/**
 * Peak RSS of each phase of a batch-engine night (`npm run bench -- phase-memory`, issue 19 item 4): a night of N
 * generated prose documents (~1 KB each, gen-prose.ts) in files of --per-file documents, run task by task in this
 * process (openNight, then every task of each phase in turn). Before each phase the kernel's high-water mark is
 * reset (`5` into /proc/self/clear_refs), so each row's peak is that phase's, or what the process still held when
 * the phase began (freed memory the allocator kept). Diversity and origin scorers are off (they cost map time,
 * not memory that grows with the night). Small files make many parts: the reduce and cluster tasks merge one run
 * per part, so `--per-file 25` shows what the part count costs. Linux only.
 * Usage: node --import tsx test/bench/phase-memory.ts [--docs 100000] [--per-file 25] [--memory 64M]
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { generatedNight } from './generated-night.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const DOCS = Number(opt('--docs', '100000'));
const PER_FILE = Number(opt('--per-file', '25'));
const MEMORY = opt('--memory', '64M');

const hwmMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

const { night, dir } = await generatedNight('phase-memory', DOCS, PER_FILE, { dedup: { engine: 'batch', memory: MEMORY }, origin: { enabled: false }, diversity: { enabled: false } });
const rows: Array<Record<string, unknown>> = [];
for (const tasks of night.phases) {
  const phase = tasks[0]!.split(':')[0]!;
  (globalThis as { gc?: () => void }).gc?.();
  writeFileSync('/proc/self/clear_refs', '5');
  const t0 = performance.now();
  for (const t of tasks) await night.run(t);
  rows.push({ phase, tasks: tasks.length, seconds: Number(((performance.now() - t0) / 1000).toFixed(1)), peak_rss_mb: Math.round(hwmMb()) });
  process.stderr.write(`phase-memory: ${JSON.stringify(rows.at(-1))}\n`);
}
rmSync(dir, { recursive: true, force: true });
report('phase-memory', {
  scope: `one batch-engine night of ${DOCS} generated ~1 KB documents in files of ${PER_FILE} (${night.phases[0]!.length} parts), every task in this process one at a time, --memory ${MEMORY}, diversity and origin off; peak RSS = VmHWM reset before each phase`,
  target: 'no phase grows with the part count (reduce and cluster merge one run per part)',
  rows,
});
