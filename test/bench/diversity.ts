/**
 * Throughput of the diversity scorer on ~20 MB of generated English-like text (Zipfian vocabulary, sentences,
 * paragraphs, contractions, numbers, punctuation, some lists and repeated lines, a few non-English documents).
 *
 *   node --import tsx test/bench/diversity.ts [--mb 20] [--corpus]   (--corpus: use /work/shared/corpora texts)
 *
 * Prints MB/s and docs/s for the whole family and for its parts (language detection, metrics without the
 * lexical family, deflate alone).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { gunzipSync, deflateRawSync } from 'node:zlib';
import { join } from 'node:path';
import { DIVERSITY_DEFAULTS, measureDiversity } from '../../src/score/diversity/index.js';
import { computeMetrics } from '../../src/score/diversity/measure.js';
import { detectLanguage } from '../../src/text/lang.js';

const args = process.argv.slice(2);
const mb = Number(args[args.indexOf('--mb') + 1] ?? 20) || 20;
const useCorpus = args.includes('--corpus');

// deterministic PRNG (mulberry32)
let seed = 0x2545f491;
function rnd(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const COMMON = (
  'the of and to a in is it you that he was for on are with as I his they be at one have this from or had by ' +
  'not word but what some we can out other were all there when up use your how said an each she which do their ' +
  'time if will way about many then them write would like so these her long make thing see him two has look more ' +
  'day could go come did number sound no most people my over know water than call first who may down side been now ' +
  'find any new work part take get place made live where after back little only round man year came show every good ' +
  "me give our under name very through just form sentence great think say help low line differ turn cause much mean " +
  "before move right boy old too same tell does set three want air well also play small end put home read hand port " +
  "large spell add even land here must big high such follow act why ask men change went light kind off need house " +
  "picture try us again animal point mother world near build self earth father don't it's I'm can't we're isn't"
).split(' ');
const SYL = ['ka', 'ri', 'to', 'men', 'sa', 'lo', 'ver', 'tion', 'al', 'pre', 'con', 'ing', 'ed', 'ly', 'st', 'ne', 'ur', 'is'];
const RARE: string[] = [];
for (let i = 0; i < 20000; i++) {
  let w = '';
  const k = 2 + Math.floor(rnd() * 3);
  for (let j = 0; j < k; j++) w += SYL[Math.floor(rnd() * SYL.length)];
  RARE.push(w);
}
function word(): string {
  // Zipf-like: common words most of the time, a long tail of rare ones
  const r = rnd();
  if (r < 0.55) return COMMON[Math.floor(Math.pow(rnd(), 2.2) * COMMON.length)]!;
  return RARE[Math.floor(Math.pow(rnd(), 1.6) * RARE.length)]!;
}
function sentence(): string {
  const n = 6 + Math.floor(rnd() * 20);
  const ws: string[] = [];
  for (let i = 0; i < n; i++) {
    let w = word();
    if (rnd() < 0.03) w = String(Math.floor(rnd() * 2000));
    if (rnd() < 0.05) w += ',';
    if (rnd() < 0.01) w = `(${w})`;
    if (rnd() < 0.01) w = `"${w}"`;
    ws.push(w);
  }
  ws[0] = ws[0]!.charAt(0).toUpperCase() + ws[0]!.slice(1);
  const end = rnd();
  return ws.join(' ') + (end < 0.85 ? '.' : end < 0.93 ? '?' : end < 0.98 ? '!' : '...');
}
function doc(): string {
  const r = rnd();
  if (r < 0.03) {
    // a list
    const items: string[] = [];
    const n = 3 + Math.floor(rnd() * 12);
    for (let i = 0; i < n; i++) items.push('- ' + sentence());
    return 'Things to note:\n' + items.join('\n');
  }
  if (r < 0.05) {
    // repetitive text
    const line = sentence();
    return Array.from({ length: 3 + Math.floor(rnd() * 10) }, () => line).join('\n');
  }
  if (r < 0.07) {
    return 'Das ist ein kurzer deutscher Text, und er ist nicht sehr lang. Wir haben ihn für den Test geschrieben.';
  }
  const paras: string[] = [];
  const np = 1 + Math.floor(rnd() * 6);
  for (let p = 0; p < np; p++) {
    const ns = 1 + Math.floor(rnd() * 6);
    const ss: string[] = [];
    for (let i = 0; i < ns; i++) ss.push(sentence());
    paras.push(ss.join(' '));
  }
  return paras.join('\n\n');
}

function corpusTexts(): string[] {
  const dir = '/work/shared/corpora';
  if (!existsSync(dir)) throw new Error('no corpora at ' + dir);
  const out: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz'))) {
    for (const line of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) {
      if (line.trim()) out.push((JSON.parse(line) as { text: string }).text);
    }
  }
  return out;
}

const docs: string[] = [];
let bytes = 0;
if (useCorpus) {
  for (const t of corpusTexts()) {
    docs.push(t);
    bytes += Buffer.byteLength(t);
  }
} else {
  while (bytes < mb * 1e6) {
    const d = doc();
    docs.push(d);
    bytes += Buffer.byteLength(d);
  }
}
console.log(`${docs.length} docs, ${(bytes / 1e6).toFixed(1)} MB, mean ${(bytes / docs.length).toFixed(0)} B/doc`);

/**
 * Times `fn` over all docs. The machine may be shared, so the figure is per core: process CPU time (user+sys),
 * best of `reps` repetitions; wall-clock time of the best repetition is printed alongside.
 */
function run(name: string, fn: (t: string) => unknown, reps = 2): void {
  for (let i = 0; i < Math.min(2000, docs.length); i++) fn(docs[i]!); // warm-up
  let bestCpu = Infinity;
  let wallOfBest = 0;
  for (let r = 0; r < reps; r++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (const d of docs) fn(d);
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    const c = process.cpuUsage(c0);
    const cpu = (c.user + c.system) / 1e6;
    if (cpu < bestCpu) {
      bestCpu = cpu;
      wallOfBest = wall;
    }
  }
  console.log(
    `${name.padEnd(40)} ${(bytes / 1e6 / bestCpu).toFixed(1).padStart(6)} MB/s ${(docs.length / bestCpu).toFixed(0).padStart(7)} docs/s per core` +
      `  (cpu ${bestCpu.toFixed(2)} s, wall ${wallOfBest.toFixed(2)} s)`,
  );
}

const WITH_DEFLATE = {
  ...DIVERSITY_DEFAULTS,
  rules: { ...DIVERSITY_DEFAULTS.rules, compression_ratio: { ...DIVERSITY_DEFAULTS.rules.compression_ratio!, enabled: true } },
};
run('measureDiversity (defaults)', (t) => measureDiversity(t, DIVERSITY_DEFAULTS));
run('measureDiversity (+compression_ratio)', (t) => measureDiversity(t, WITH_DEFLATE));
run('detectLanguage', (t) => detectLanguage(t));
run('computeMetrics without lexical', (t) => computeMetrics(t, { mode: 'space', stopWords: true, lexical: false, compression: false }));
run('deflateRawSync level 6', (t) => deflateRawSync(Buffer.from(t), { level: 6 }));
run('deflateRawSync level 1', (t) => deflateRawSync(Buffer.from(t), { level: 1 }));
