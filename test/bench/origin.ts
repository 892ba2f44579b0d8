/**
 * Throughput of the origin detector on one core: MB of text per second through `predict` (cleaning,
 * tokenisation, features, linear model, calibration).
 *
 *   npm run bench:origin [-- --corpora DIR] [--mb N]
 *
 * Uses the labelled corpora when ../shared/corpora exists (texts are only read, never copied), else the test
 * fixture texts, repeated.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCorpora } from '../../tools/origin/data.js';
import { loadModel } from '../../src/score/origin/model.js';

const argv = process.argv.slice(2);
const opt = (n: string, d: string): string => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? argv[i + 1] ?? d : d;
};
const corpora = resolve(process.cwd(), opt('corpora', '../shared/corpora'));
const targetMb = Number(opt('mb', '8'));

let texts: string[];
let from: string;
if (existsSync(corpora)) {
  const all = loadCorpora(corpora);
  // interleave sources so the mix of short and long texts is representative
  all.sort((a, b) => (a.id < b.id ? -1 : 1));
  texts = all.map((d) => d.text);
  from = corpora;
} else {
  const fx = resolve(process.cwd(), 'test/fixtures/origin-sample.jsonl');
  texts = readFileSync(fx, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { text: string }).text);
  from = fx;
}

const model = loadModel();
// warm-up
for (let i = 0; i < Math.min(200, texts.length); i++) model.predict(texts[i]!);

let bytes = 0;
let n = 0;
let judged = 0;
const t0 = process.hrtime.bigint();
const c0 = process.cpuUsage();
outer: for (;;) {
  for (const t of texts) {
    const r = model.predict(t);
    if (r.p_ai !== null) judged++;
    bytes += Buffer.byteLength(t);
    n++;
    if (bytes >= targetMb * 1e6) break outer;
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
const cu = process.cpuUsage(c0);
const cpuSecs = (cu.user + cu.system) / 1e6;
const mbs = bytes / 1e6 / secs;
console.log(`origin detector: ${n} texts, ${(bytes / 1e6).toFixed(1)} MB in ${secs.toFixed(2)} s wall / ${cpuSecs.toFixed(2)} s CPU`);
console.log(`origin MB/s: ${mbs.toFixed(2)} wall, ${(bytes / 1e6 / cpuSecs).toFixed(2)} per CPU-second (single thread; ${judged} judged; texts from ${from})`);
console.log(`origin explain=on: ${(() => {
  let b = 0;
  const s = process.hrtime.bigint();
  for (const t of texts.slice(0, 2000)) {
    model.predict(t, { explain: true });
    b += Buffer.byteLength(t);
  }
  return (b / 1e6 / (Number(process.hrtime.bigint() - s) / 1e9)).toFixed(2);
})()} MB/s`);
