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
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { openNight } from '../../src/scale/night.js';
import { ROOT } from '../helpers.js';
import { generateProse } from './gen-prose.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const DOCS = Number(opt('--docs', '100000'));
const PER_FILE = Number(opt('--per-file', '25'));
const MEMORY = opt('--memory', '64M');
const dir = join(ROOT, 'bench-out', 'phase-memory');

const hwmMb = (): number => Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

rmSync(dir, { recursive: true, force: true });
generateProse(join(dir, 'in'), Math.ceil(DOCS / PER_FILE), 0, PER_FILE);
const cfg = resolveConfig({ dedup: { engine: 'batch', memory: MEMORY }, origin: { enabled: false }, diversity: { enabled: false } } as never);
const night = await openNight({ inDir: join(dir, 'in'), outDir: join(dir, 'out'), stateDir: join(dir, 'state'), cfg });
if (!night) throw new Error('nothing to do');
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
