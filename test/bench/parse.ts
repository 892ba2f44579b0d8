/**
 * Bounded-parsing benchmark: what the input limits (input.maxDepth, input.maxLineBytes for JSONL lines and JSON
 * array elements) cost in reading speed, and what they save in memory.
 * - reader throughput (readSources, in process) on ~1 KB records as JSONL and as one JSON array, against the
 *   floor of JSON.parse on the same bytes; plus JSONL whose text is full of brackets, which defeats the quick
 *   bracket count and makes every line take the exact string-aware depth scan;
 * - peak RSS of the built CLI reading a JSON array with one 50 MB element (quarantined too_large), against the
 *   same run on a small array.
 * Usage: node --import tsx test/bench/parse.ts [--records N]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readOptionsOf, readSources } from '../../src/io/read.js';
import { resolveConfig } from '../../src/config/index.js';
import { BIN, ROOT } from '../helpers.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const N = Number(args[args.indexOf('--records') + 1] || 100_000) || 100_000;
const dir = join(ROOT, 'bench-out');
mkdirSync(dir, { recursive: true });

function records(brackets: boolean): string[] {
  const vocab = 'time year people way day man thing woman life child world school state family student group country problem hand part place case week'.split(' ');
  let s = 99;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: N }, (_, i) => {
    const words: string[] = [];
    while (words.join(' ').length < 950) words.push(brackets ? `{[${vocab[Math.floor(rnd() * vocab.length)]}]}` : vocab[Math.floor(rnd() * vocab.length)]!);
    return JSON.stringify({ id: `doc-${i}`, text: words.join(' '), meta: { source: i % 5 ? 'web' : 'forum', tags: ['a', 'b'] } });
  });
}

const files = {
  jsonl: join(dir, `parse-${N}.jsonl`),
  brackets: join(dir, `parse-${N}-brackets.jsonl`),
  array: join(dir, `parse-${N}.json`),
};
if (!existsSync(files.jsonl) || !existsSync(files.array) || !existsSync(files.brackets)) {
  const rows = records(false);
  writeFileSync(files.jsonl, rows.join('\n') + '\n');
  writeFileSync(files.array, '[\n' + rows.join(',\n') + '\n]\n');
  writeFileSync(files.brackets, records(true).join('\n') + '\n');
}

const o = readOptionsOf(resolveConfig().input);
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

async function readers(file: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  let n = 0;
  for await (const b of readSources([file], o)) n += b.filter((x) => x.kind === 'record').length;
  if (n !== N) throw new Error(`read ${n} of ${N} records from ${file}`);
  return secs(t0);
}

function floorLines(file: string): number {
  const t0 = process.hrtime.bigint();
  const buf = readFileSync(file);
  for (let start = 0, nl = buf.indexOf(10); nl >= 0; start = nl + 1, nl = buf.indexOf(10, start)) JSON.parse(buf.toString('utf8', start, nl));
  return secs(t0);
}

function floorArray(file: string): number {
  const t0 = process.hrtime.bigint();
  if ((JSON.parse(readFileSync(file, 'utf8')) as unknown[]).length !== N) throw new Error('floor array');
  return secs(t0);
}

const REPS = 3;
const best = async (f: () => number | Promise<number>) => {
  let b = Infinity;
  for (let i = 0; i < REPS; i++) b = Math.min(b, await f());
  return b;
};
const size = (f: string) => readFileSync(f).length;
const row = (name: string, file: string, t: number, floor: number) => ({ name, seconds: +t.toFixed(3), records_per_s: Math.round(N / t), mb_per_s: +(size(file) / t / 1e6).toFixed(1), ratio_to_floor: +(floor / t).toFixed(2) });

const fl = await best(() => floorLines(files.jsonl));
const flB = await best(() => floorLines(files.brackets));
const fa = await best(() => floorArray(files.array));
report('parse', {
  scope: `${N} records of ~1 KB, readers only (readSources, in process, maxDepth ${o.maxDepth}), best of ${REPS}`,
  rows: [
    row('floor: JSONL lines, JSON.parse each', files.jsonl, fl, fl),
    row('readers: JSONL', files.jsonl, await best(() => readers(files.jsonl)), fl),
    row('floor: bracket-heavy JSONL, JSON.parse each', files.brackets, flB, flB),
    row('readers: bracket-heavy JSONL (exact depth scan per line)', files.brackets, await best(() => readers(files.brackets)), flB),
    row('floor: JSON array, one JSON.parse', files.array, fa, fa),
    row('readers: JSON array (element splitter)', files.array, await best(() => readers(files.array)), fa),
  ],
});

// ---- peak RSS of one 50 MB element, through the built CLI under a 200 MB heap cap
{
  const hook = join(dir, 'peak-rss.mjs');
  writeFileSync(hook, 'process.on("exit", () => process.stderr.write("PEAK_RSS_KIB " + process.resourceUsage().maxRSS + "\\n"));\n');
  const small = join(dir, 'parse-small.json');
  writeFileSync(small, '[{"text":"a"}, {"text":"b"}]');
  const big = join(dir, 'parse-50mb-element.json');
  if (!existsSync(big)) {
    const fd = openSync(big, 'w');
    writeSync(fd, '[{"text":"a"}, {"text":"');
    const mib = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 50; i++) writeSync(fd, mib);
    writeSync(fd, '"}, {"text":"b"}]');
    closeSync(fd);
  }
  const peak = (file: string) => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=200', '--import', hook, BIN, '--set', 'diversity.enabled=false', '--set', 'origin.enabled=false', file], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`cli failed: ${r.stderr}`);
    return Number(/PEAK_RSS_KIB (\d+)/.exec(r.stderr)![1]) / 1024;
  };
  const base = peak(small);
  const withBig = peak(big);
  report('parse-rss', {
    scope: 'peak RSS (MB) of the built CLI, --max-old-space-size=200, input.maxLineBytes 8 MiB',
    target: 'a 50 MB element is never buffered whole: growth well under 50 MB',
    rows: [
      { name: 'small JSON array', peak_rss_mb: +base.toFixed(0) },
      { name: 'JSON array with one 50 MB element (too_large)', peak_rss_mb: +withBig.toFixed(0), growth_mb: +(withBig - base).toFixed(0) },
    ],
  });
}
