/**
 * Benchmarks print a table to stdout and append their rows to bench-out/results.json, which is rendered into
 * test/bench/RESULTS.md (the docs' numbers).
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';
import { writeResultsMarkdown } from './results-md.js';

export function report(name: string, data: { scope: string; target?: string; rows: Array<Record<string, unknown>>; [k: string]: unknown }): void {
  console.log(`\n== ${name}: ${data.scope}`);
  if (data.target) console.log(`   target: ${data.target}`);
  console.table(data.rows);
  const dir = join(ROOT, 'bench-out');
  mkdirSync(dir, { recursive: true });
  const f = join(dir, 'results.json');
  const all = existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : {};
  all[name] = { ...data, node: process.version, date: new Date().toISOString() };
  writeFileSync(f, JSON.stringify(all, null, 2) + '\n');
  writeResultsMarkdown(join(ROOT, 'test', 'bench', 'RESULTS.md'), all);
}
