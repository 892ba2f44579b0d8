/**
 * Compares language detectors on test/fixtures/lang-sample.jsonl (short texts in 23 languages, 12 scripts; the
 * rows marked "split": "holdout" were written after the own detector's word lists were tuned on the others) and on
 * English recall over the shared corpora (every corpus text is English), printing accuracy and docs/s per core.
 *
 *   node --import tsx scripts/measure-lang.ts [--from DIR] [--corpus-limit N]
 *
 * Candidates: this project's detector (src/text/lang.ts) always; franc-min, tinyld and eld when they can be
 * resolved from DIR (a node_modules folder, default ./node_modules). They are not project dependencies: to
 * re-run the comparison install them elsewhere, e.g. `npm install --prefix /tmp/langcand franc-min tinyld eld`
 * and pass `--from /tmp/langcand/node_modules`.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { detectLanguage } from '../src/text/lang.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : def;
};
const from = resolve(arg('--from', 'node_modules'));
const corpusLimit = Number(arg('--corpus-limit', '4000'));

type Detect = (text: string) => string;

/** ISO 639-3 (franc) to 639-1 for the languages of the sample */
const ISO3: Record<string, string> = {
  eng: 'en', fra: 'fr', deu: 'de', spa: 'es', ita: 'it', por: 'pt', nld: 'nl', swe: 'sv', pol: 'pl', tur: 'tr',
  ind: 'id', vie: 'vi', rus: 'ru', ukr: 'uk', arb: 'ar', ara: 'ar', pes: 'fa', fas: 'fa', heb: 'he', ell: 'el',
  hin: 'hi', cmn: 'zh', zho: 'zh', jpn: 'ja', kor: 'ko', tha: 'th', zlm: 'ms', dan: 'da', nob: 'no', fin: 'fi',
};

async function load(pkg: string, sub: string): Promise<Record<string, unknown> | null> {
  const pj = join(from, pkg, 'package.json');
  if (!existsSync(pj)) return null;
  const meta = JSON.parse(readFileSync(pj, 'utf8')) as { exports?: unknown; main?: string; module?: string };
  let entry: string | undefined;
  const ex = meta.exports as Record<string, unknown> | string | undefined;
  if (typeof ex === 'string') entry = ex;
  else if (ex !== undefined) {
    const e = ex[sub] as Record<string, string> | string | undefined;
    entry = typeof e === 'string' ? e : (e?.import ?? e?.default);
  }
  entry ??= meta.module ?? meta.main ?? 'index.js';
  return (await import(pathToFileURL(join(from, pkg, entry)).href)) as Record<string, unknown>;
}

async function candidates(): Promise<Array<[string, Detect]>> {
  const list: Array<[string, Detect]> = [['own (src/text/lang.ts)', (t) => detectLanguage(t).lang]];
  const franc = await load('franc-min', '.');
  if (franc) {
    const f = franc.franc as (t: string) => string;
    list.push(['franc-min', (t) => ISO3[f(t)] ?? f(t)]);
  }
  const tiny = await load('tinyld', '.');
  if (tiny) {
    const d = tiny.detect as (t: string) => string;
    list.push(['tinyld', (t) => d(t) || 'und']);
  }
  const eldMod = await load('eld', './medium');
  if (eldMod) {
    const e = eldMod.eld as { detect: (t: string) => { language: string } };
    list.push(['eld (medium)', (t) => e.detect(t).language || 'und']);
  }
  return list;
}

function cpuSeconds(fn: () => void): number {
  const c0 = process.cpuUsage();
  fn();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e6;
}

const sample = readFileSync(new URL('../test/fixtures/lang-sample.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { lang: string; text: string; split?: string });

function corpusTexts(limit: number): string[] {
  const dir = '/work/shared/corpora';
  if (!existsSync(dir)) return [];
  const all: string[] = [];
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz')).sort()) {
    const lines = gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n');
    for (const l of lines) if (l.trim()) all.push((JSON.parse(l) as { text: string }).text);
  }
  // deterministic spread over all files
  const step = Math.max(1, Math.floor(all.length / limit));
  return all.filter((_, i) => i % step === 0).slice(0, limit);
}
const corpus = corpusTexts(corpusLimit);

console.log(`sample: ${sample.length} texts, ${new Set(sample.map((s) => s.lang)).size} languages; corpus: ${corpus.length} English texts`);
console.log(
  'detector'.padEnd(24) + 'acc'.padStart(7) + 'holdout'.padStart(9) + 'acc<40ch'.padStart(10) + 'docs/s'.padStart(10) + '  en-recall'.padStart(11) + 'corpus docs/s'.padStart(15) + '  errors (want>got)',
);
for (const [name, detect] of await candidates()) {
  let ok = 0;
  let holdN = 0;
  let holdOk = 0;
  let shortN = 0;
  let shortOk = 0;
  const errors: string[] = [];
  for (const s of sample) {
    const got = detect(s.text);
    const short = [...s.text].length < 40;
    const hold = s.split === 'holdout';
    if (short) shortN++;
    if (hold) holdN++;
    if (got === s.lang) {
      ok++;
      if (hold) holdOk++;
      if (short) shortOk++;
    } else errors.push(`${s.lang}>${got}`);
  }
  // speed on the sample: repeat until ~0.3 s of CPU
  let reps = 1;
  let secs = 0;
  for (;;) {
    secs = cpuSeconds(() => {
      for (let r = 0; r < reps; r++) for (const s of sample) detect(s.text);
    });
    if (secs > 0.3) break;
    reps *= 4;
  }
  const sampleRate = (reps * sample.length) / secs;
  let en = 0;
  const cs = cpuSeconds(() => {
    for (const t of corpus) if (detect(t) === 'en') en++;
  });
  console.log(
    name.padEnd(24) +
      ((100 * ok) / sample.length).toFixed(1).padStart(6) + '%' +
      ((100 * holdOk) / Math.max(1, holdN)).toFixed(1).padStart(8) + '%' +
      ((100 * shortOk) / Math.max(1, shortN)).toFixed(1).padStart(9) + '%' +
      sampleRate.toFixed(0).padStart(10) +
      (corpus.length ? ((100 * en) / corpus.length).toFixed(1) + '%' : 'n/a').padStart(11) +
      (corpus.length ? (corpus.length / cs).toFixed(0) : 'n/a').padStart(15) +
      '  ' + summarize(errors),
  );
}

function summarize(errors: string[]): string {
  const counts = new Map<string, number>();
  for (const e of errors) counts.set(e, (counts.get(e) ?? 0) + 1);
  return [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([e, n]) => (n > 1 ? `${e}x${n}` : e))
    .join(' ');
}
