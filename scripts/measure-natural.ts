/**
 * Measures the design card's `natural` tokenizers against synthfilter's own on the shared corpora: speed (MB/s on
 * one core) and how each splits the cases the Gopher rules depend on. Usage:
 *   node --import tsx scripts/measure-natural.ts [--corpora ../shared/corpora] [--limit 4000]
 * natural is imported by submodule (its top-level import prints to stdout and loads ./.env).
 */
import { createRequire } from 'node:module';
import { readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join, resolve } from 'node:path';
import { tokenStrings } from '../src/score/diversity/index.js';
import { createFeaturizer } from '../src/text/features.js';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const dir = resolve(args.includes('--corpora') ? args[args.indexOf('--corpora') + 1]! : '../shared/corpora');
const limit = args.includes('--limit') ? Number(args[args.indexOf('--limit') + 1]) : 4000;
const texts: string[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz')).sort()) {
  for (const l of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) if (l && texts.length < limit) texts.push(JSON.parse(l).text);
}
const bytes = texts.reduce((a, t) => a + Buffer.byteLength(t), 0);
const t0 = performance.now();
const tk = require('natural/lib/natural/tokenizers/index.js') as Record<string, new () => { tokenize(s: string): string[] }>;
const loadMs = performance.now() - t0;
const feat = createFeaturizer();
const candidates: Array<[string, (s: string) => number]> = [
  ['natural WordTokenizer', ((t) => (s: string) => t.tokenize(s).length)(new tk['WordTokenizer']!())],
  ['natural WordPunctTokenizer', ((t) => (s: string) => t.tokenize(s).length)(new tk['WordPunctTokenizer']!())],
  ['natural TreebankWordTokenizer', ((t) => (s: string) => t.tokenize(s).length)(new tk['TreebankWordTokenizer']!())],
  ['synthfilter Gopher tokenizer (spaCy-style)', (s) => tokenStrings(s).length],
  ['synthfilter fused normalise + word hash (dedup)', (s) => feat(s).wordHashes.length],
];
console.log(`natural tokenizers submodule import: ${loadMs.toFixed(0)} ms; corpus: ${texts.length} texts, ${(bytes / 1e6).toFixed(1)} MB`);
for (const [name, fn] of candidates) {
  let n = 0;
  const best = Math.min(
    ...[0, 1, 2].map(() => {
      const s = performance.now();
      for (const t of texts) n += fn(t);
      return performance.now() - s;
    }),
  );
  console.log(`${name.padEnd(50)} ${(bytes / 1e6 / (best / 1000)).toFixed(1).padStart(7)} MB/s`);
}
const probe = "Don't stop—it's #1 at 3.5% (see https://x.org)... Café déjà vu";
for (const [name, t] of [['WordTokenizer', new tk['WordTokenizer']!()], ['WordPunctTokenizer', new tk['WordPunctTokenizer']!()], ['TreebankWordTokenizer', new tk['TreebankWordTokenizer']!()]] as const) console.log(`${name}: ${JSON.stringify(t.tokenize(probe))}`);
console.log(`synthfilter Gopher: ${JSON.stringify(tokenStrings(probe))}`);
