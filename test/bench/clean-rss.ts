/**
 * Peak RSS of a whole `clean` night with the batch engine (`npm run bench -- clean-rss`, issue 19 item 4): one
 * process runs every task (map, bands, reduce, cluster, route, write, history, finish) of a night of N generated prose documents (~1 KB
 * each, gen-prose.ts) under `--memory` (default 64M), with the diversity and origin scorers off (they cost time, not
 * memory that grows with the night). Peak RSS is the kernel's high-water mark (VmHWM in /proc/<pid>/status), read
 * every 100 ms while the process runs (Linux only). Target: peak at the larger size <= 1.2x that at the smaller.
 * Usage: node --import tsx test/bench/clean-rss.ts [--sizes 100000,500000] [--memory 64M]
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { generateProse } from './gen-prose.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: string): string => (args.includes(k) ? args[args.indexOf(k) + 1]! : d);
const SIZES = opt('--sizes', '100000,500000').split(',').map(Number);
const MEMORY = opt('--memory', '64M');
const PER_FILE = 10000;
const base = join(ROOT, 'bench-out', 'clean-rss');

function hwmMb(pid: number): number | null {
  const f = `/proc/${pid}/status`;
  if (!existsSync(f)) return null;
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(f, 'utf8'));
  return m ? Number(m[1]) / 1024 : null;
}

async function night(docs: number): Promise<{ seconds: number; peakMb: number }> {
  const dir = join(base, String(docs));
  rmSync(dir, { recursive: true, force: true });
  generateProse(join(dir, 'in'), Math.ceil(docs / PER_FILE), 0, PER_FILE);
  const t0 = performance.now();
  const p = spawn(process.execPath, [BIN, 'clean', '--in', join(dir, 'in'), '--out', join(dir, 'out'), '--state', join(dir, 'state'), '--memory', MEMORY,
    '--set', 'dedup.engine="batch"', '--set', 'diversity.enabled=false', '--set', 'origin.enabled=false'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, hwmMb(p.pid!) ?? 0)), 100);
  const code = await new Promise<number | null>((res) => p.on('close', res));
  clearInterval(timer);
  if (code !== 0) throw new Error(`clean exited ${code}: ${err}`);
  rmSync(dir, { recursive: true, force: true });
  return { seconds: (performance.now() - t0) / 1000, peakMb: peak };
}

const rows: Array<Record<string, unknown>> = [];
for (const n of SIZES) {
  const r = await night(n);
  rows.push({ documents: n, seconds: Number(r.seconds.toFixed(1)), peak_rss_mb: Math.round(r.peakMb), of_smallest: rows.length ? Number((r.peakMb / (rows[0]!.peak_rss_mb as number)).toFixed(2)) : 1 });
  process.stderr.write(`clean-rss: ${JSON.stringify(rows.at(-1))}\n`);
}
report('clean-rss', {
  scope: `one clean night (every task in one process), dedup.engine batch, --memory ${MEMORY}, generated ~1 KB prose, diversity and origin off; peak RSS = VmHWM`,
  target: 'peak RSS at the larger night <= 1.2x that at the smaller',
  rows,
});
