/**
 * Full-stage benchmark (`npm run bench -- stage`): the built CLI with its default configuration (every scorer on:
 * exact + near dedup, the diversity family with language detection, the origin detector; routing) over two inputs,
 * in MB of input per CPU-second of the process (user + system, all threads: process.cpuUsage at exit, through the
 * cpu-report.cjs preload). CPU time, not wall time, so the figure survives a loaded machine.
 *
 * Inputs: (1) "core": the first 20k records (~1 KB each) of the core benchmark's generated file (a word salad with no
 * stop words: the detector stops at its English check and the diversity rules reject every record, but every
 * scorer still runs); (2) "prose": real text, the labelled corpora (../shared/corpora, read and concatenated into
 * bench-out/, never committed) when present, else prose generated like the clean benchmark's.
 *
 * `--base DIR` also measures another checkout's build (e.g. a `git worktree add /tmp/perf-base main`), interleaved
 * run by run with this one, so before/after figures see the same load. Best of --reps (default 3) per row.
 * Usage: node --import tsx test/bench/stage.ts [--reps N] [--base DIR] [--only core|prose]
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { BIN, ROOT } from '../helpers.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string): string | undefined => (args.includes(k) ? args[args.indexOf(k) + 1] : undefined);
const REPS = Number(opt('--reps') ?? 3) || 3;
const BASE = opt('--base');
const ONLY = opt('--only');
const dir = join(ROOT, 'bench-out');
mkdirSync(dir, { recursive: true });
const CPU_PRELOAD = join(ROOT, 'test', 'bench', 'cpu-report.cjs');
const TARGET = 5;

/** the core benchmark's generator (test/bench/core.ts), first N records */
function coreInput(n: number): string {
  const file = join(dir, `stage-core-${n}.jsonl`);
  if (existsSync(file)) return file;
  const vocab = 'time year people way day man thing woman life child world school state family student group country problem hand part place case week company system program question work government number night point home water room mother area money story fact month lot right study book eye job word business issue side kind head house service friend father power hour game line end member law car city community name president team minute idea kid body information back parent face others level office door health person art war history party result change morning reason research girl guy moment air teacher force education'.split(' ');
  let s = 12345;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words: string[] = [];
    while (words.join(' ').length < 950) words.push(vocab[Math.floor(rnd() ** 2 * vocab.length)]!);
    out.push(JSON.stringify({ id: `doc-${i}`, text: words.join(' ') + '.', meta: { source: i % 5 ? 'web' : 'forum' } }));
  }
  writeFileSync(file, out.join('\n') + '\n');
  return file;
}

/** real text: the labelled corpora concatenated (kept under bench-out/, which git ignores); null when absent */
function proseInput(): { file: string; from: string } {
  const corpora = resolve(ROOT, '..', 'shared', 'corpora');
  const file = join(dir, 'stage-prose.jsonl');
  if (existsSync(corpora)) {
    if (!existsSync(file)) {
      const parts = readdirSync(corpora).filter((f) => f.endsWith('.jsonl.gz')).sort();
      writeFileSync(file, Buffer.concat(parts.map((f) => gunzipSync(readFileSync(join(corpora, f))))));
    }
    return { file, from: `labelled corpora (${corpora})` };
  }
  const gen = join(dir, 'stage-prose-generated.jsonl');
  if (!existsSync(gen)) {
    const W = 'the of and to in a is that for it as was with be by on not he this are or his from at which but have an they you were her she there been one all we their has would when if so no out up said what its about into than them can only other new some could time these two may then do first any my now river garden winter kitchen letter harbour village station morning window market bridge school doctor teacher engine summer evening mountain island forest museum library chapel meadow orchard cottage'.split(' ');
    let s = 99;
    const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 2 ** 32);
    const rows: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const sents: string[] = [];
      let len = 0;
      while (len < 900) {
        const w = Array.from({ length: 8 + Math.floor(rnd() * 18) }, () => W[Math.floor(rnd() ** 2.2 * W.length)]!).join(' ');
        sents.push(w[0]!.toUpperCase() + w.slice(1) + '.');
        len += w.length + 2;
      }
      rows.push(JSON.stringify({ id: `p${i}`, text: sents.join(' ') }));
    }
    writeFileSync(gen, rows.join('\n') + '\n');
  }
  return { file: gen, from: 'generated prose (the labelled corpora are absent)' };
}

/** one run of a built CLI over `file` with the default config; returns the process's CPU seconds */
function cpuRun(bin: string, file: string): Promise<number> {
  return new Promise((res, rej) => {
    const env = { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${CPU_PRELOAD}`.trim() };
    const p = spawn(process.execPath, [bin, '--quiet', file], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let err = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (err += d));
    p.on('error', rej);
    p.on('close', (code) => {
      const m = /SF_BENCH_CPU (\d+) (\d+)/.exec(err);
      if (code !== 0 || !m) rej(new Error(`${bin} failed (${code}): ${err.slice(-1000)}`));
      else res((Number(m[1]) + Number(m[2])) / 1e6);
    });
  });
}

const inputs: Array<{ name: string; file: string; from: string }> = [];
if (ONLY !== 'prose') inputs.push({ name: 'core', file: coreInput(20_000), from: 'core benchmark generator, 20k records' });
if (ONLY !== 'core') inputs.push({ name: 'prose', ...proseInput() });
const builds: Array<{ name: string; bin: string }> = [{ name: 'this checkout', bin: BIN }];
if (BASE) builds.push({ name: `base (${BASE})`, bin: join(resolve(BASE), 'dist', 'cli', 'bin.js') });

const rows: Array<Record<string, unknown>> = [];
for (const inp of inputs) {
  const bytes = statSync(inp.file).size;
  const best = builds.map(() => Infinity);
  // interleaved: every repetition runs each build once, so a load swing hits both alike
  for (let r = 0; r < REPS; r++) for (let b = 0; b < builds.length; b++) best[b] = Math.min(best[b]!, await cpuRun(builds[b]!.bin, inp.file));
  builds.forEach((b, i) =>
    rows.push({ input: `${inp.name}: ${inp.from}, ${(bytes / 1e6).toFixed(1)} MB`, build: b.name, cpu_seconds: +best[i]!.toFixed(2), mb_per_cpu_s: +(bytes / best[i]! / 1e6).toFixed(2) }),
  );
}
report('stage', {
  scope: `built CLI, default config (all scorers on), stdout to /dev/null; MB of input per CPU-second of the process (user + system), best of ${REPS} interleaved runs`,
  target: `full stage >= ${TARGET} MB/s per core`,
  rows,
});
