/**
 * Distributions of the diversity metrics on the shared corpora, per label (human / ai) and per domain x label,
 * and how often each rule would fire. Used to choose the lexical thresholds in src/score/diversity/index.ts.
 *
 *   node --import tsx scripts/measure-diversity.ts [--dir /work/shared/corpora] [--metrics mattr,distinct_1,...]
 *        [--min-words N]   (only texts with at least N words: the lexical metrics depend on length)
 *
 * Texts are measured as they are (no whitespace stripping), with every rule enabled including compression_ratio.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DIVERSITY_DEFAULTS, evaluateRules, measureDiversity, RULE_ORDER, type DiversityConfig } from '../src/score/diversity/index.js';

const args = process.argv.slice(2);
const arg = (name: string, def: string): string => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1]! : def;
};
const dir = arg('--dir', '/work/shared/corpora');
const minWords = Number(arg('--min-words', '0'));
const metricList = arg('--metrics', 'word_count,mean_word_length,top_2_gram,dup_ngram_5,alpha_word_frac,stop_words,mattr,distinct_1,distinct_2,compression_ratio').split(',');
const QS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

const cfg: DiversityConfig = {
  ...DIVERSITY_DEFAULTS,
  rules: Object.fromEntries(Object.entries(DIVERSITY_DEFAULTS.rules).map(([k, r]) => [k, { ...r, enabled: true }])),
};

interface Row {
  label: string;
  domain: string;
  metrics: { [k: string]: number | null };
  failed: string[];
}
const rows: Row[] = [];
for (const f of readdirSync(dir).filter((x) => x.endsWith('.jsonl.gz')).sort()) {
  for (const line of gunzipSync(readFileSync(join(dir, f))).toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as { text: string; label: string; domain: string };
    const s = measureDiversity(r.text, cfg);
    if ((s.metrics.word_count ?? 0) < minWords) continue;
    rows.push({ label: r.label, domain: r.domain, metrics: s.metrics, failed: evaluateRules(s, cfg.rules).map((x) => x.code) });
  }
}

function quantiles(vals: number[]): number[] {
  const v = [...vals].sort((a, b) => a - b);
  return QS.map((q) => (v.length ? v[Math.min(v.length - 1, Math.floor(q * v.length))]! : NaN));
}
const fmt = (x: number): string => (Number.isNaN(x) ? 'n/a' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(3));

function table(title: string, groups: Map<string, Row[]>): void {
  console.log(`\n## ${title}` + (minWords ? ` (texts with >= ${minWords} words)` : ''));
  for (const m of metricList) {
    console.log(`\n${m}`.padEnd(34) + QS.map((q) => `p${Math.round(q * 100)}`.padStart(8)).join(''));
    for (const [g, rs] of groups) {
      const vals = rs.map((r) => r.metrics[m]).filter((x): x is number => typeof x === 'number');
      console.log(`  ${g} (n=${vals.length})`.padEnd(33) + quantiles(vals).map((x) => fmt(x).padStart(8)).join(''));
    }
  }
}

function groupBy(key: (r: Row) => string): Map<string, Row[]> {
  const g = new Map<string, Row[]>();
  for (const r of rows) {
    const k = key(r);
    if (!g.has(k)) g.set(k, []);
    g.get(k)!.push(r);
  }
  return new Map([...g.entries()].sort((a, b) => a[0].localeCompare(b[0])));
}

const byLabel = groupBy((r) => r.label);
table('per label', byLabel);
table('per domain x label', groupBy((r) => `${r.domain}/${r.label}`));

console.log('\n## rule failure rate per label (% of texts; defaults, every rule enabled)');
console.log('rule'.padEnd(22) + [...byLabel.keys()].map((k) => k.padStart(10)).join(''));
for (const code of RULE_ORDER) {
  const cells = [...byLabel.values()].map((rs) => ((100 * rs.filter((r) => r.failed.includes(code)).length) / rs.length).toFixed(2).padStart(10));
  console.log(code.padEnd(22) + cells.join(''));
}
const hardFail = (rs: Row[]): string =>
  ((100 * rs.filter((r) => r.failed.some((c) => DIVERSITY_DEFAULTS.rules[c]?.hard)).length) / rs.length).toFixed(2);
console.log('any hard rule'.padEnd(22) + [...byLabel.values()].map((rs) => hardFail(rs).padStart(10)).join(''));
