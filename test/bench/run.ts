/**
 * `npm run bench`: runs every benchmark in sequence, each in its own process so one does not warm or bloat
 * another. Results print to stdout and collect in bench-out/results.json. Pass names to run a subset:
 * `npm run bench -- core dedup`. Arguments after a second `--` go to each named benchmark:
 * `npm run bench -- clean-rss -- --sizes 1000000,5000000`. Benchmarks are never part of `npm test`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers.js';

const ALL = ['core', 'stage', 'keepbest', 'bands', 'ledger', 'clean-rss', 'night-phases', 'phase-memory', 'dedup', 'diversity', 'origin', 'router', 'state', 'clean', 'scale', 'scale-batch', 'redis', 'parse'];
/** benchmarks that are another one's file with arguments */
const VARIANTS: Record<string, [string, string[]]> = { 'scale-batch': ['scale', ['--engine', 'batch']] };
const argv = process.argv.slice(2);
const split = argv.indexOf('--');
const passed = split < 0 ? [] : argv.slice(split + 1);
const want = (split < 0 ? argv : argv.slice(0, split)).filter((a) => !a.startsWith('-'));
if (passed.length && !want.length) {
  console.error('bench: arguments after -- need the benchmarks they are for, e.g. npm run bench -- clean-rss -- --sizes 1000000,5000000');
  process.exit(2);
}
const names = want.length ? want : ALL;
let failed = 0;
for (const name of names) {
  const [fileName, extra] = VARIANTS[name] ?? [name, []];
  const file = join(ROOT, 'test', 'bench', `${fileName}.ts`);
  if (!existsSync(file)) {
    if (want.length) {
      console.error(`bench: no benchmark named ${name}`);
      failed++;
    }
    continue;
  }
  console.error(`bench: ${name} ...`);
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', file, ...extra, ...passed], { stdio: 'inherit', cwd: ROOT });
  if (r.status !== 0) {
    console.error(`bench: ${name} failed (exit ${r.status})`);
    failed++;
  }
}
process.exitCode = failed ? 1 : 0;
