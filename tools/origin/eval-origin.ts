/**
 * Evaluate the origin detector on a labelled JSONL file (optionally .gz).
 *
 *   npm run eval:origin -- FILE.jsonl[.gz] [--model PATH] [--threshold P] [--min-words N]
 *                          [--text-field text] [--label-field label] [--domain-field domain]
 *
 * Each line: {"text": "...", "label": "human"|"ai", "domain": "..."} (domain optional). Prints to stdout, overall
 * and per domain: counts, cannot-judge counts, AUROC, TPR at 1% and 5% FPR, human FPR and AI TPR at the default
 * threshold.
 */
import { resolve } from 'node:path';
import { parseLabel, readJsonl } from './data.js';
import { getPath } from '../../src/score/origin/index.js';
import { auroc, rateAtOrAbove, tprAtFpr } from './metrics.js';
import { loadModel } from '../../src/score/origin/model.js';

const argv = process.argv.slice(2);
const opts = new Map<string, string>();
const files: string[] = [];
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a.startsWith('--')) {
    opts.set(a.slice(2), argv[i + 1] ?? '');
    i++;
  } else files.push(a);
}
if (files.length === 0) {
  process.stderr.write('usage: npm run eval:origin -- FILE.jsonl[.gz] [--model PATH] [--threshold P] [--min-words N]\n');
  process.exit(2);
}

const model = loadModel(opts.get('model') ? resolve(process.cwd(), opts.get('model')!) : undefined);
const threshold = opts.has('threshold') ? Number(opts.get('threshold')) : model.file.threshold;
const minWords = opts.has('min-words') ? Number(opts.get('min-words')) : model.file.minWords;
const textField = opts.get('text-field') ?? 'text';
const labelField = opts.get('label-field') ?? 'label';
const domainField = opts.get('domain-field') ?? 'domain';

interface Item {
  domain: string;
  label: 0 | 1;
  p: number | null;
  reason?: string;
}

const items: Item[] = [];
let skipped = 0;
let bytes = 0;
const t0 = process.hrtime.bigint();
for (const f of files) {
  for (const r of readJsonl(resolve(process.cwd(), f))) {
    const text = getPath(r, textField);
    const label = parseLabel(getPath(r, labelField));
    if (typeof text !== 'string' || label === null) {
      skipped++;
      continue;
    }
    bytes += Buffer.byteLength(text);
    const d = getPath(r, domainField);
    const pr = model.predict(text, { minWords });
    items.push({ domain: d === undefined || d === null ? '(none)' : String(d), label, p: pr.p_ai, reason: pr.reason });
  }
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;

const pct = (x: number): string => (Number.isNaN(x) ? '   n/a' : ((100 * x).toFixed(1) + '%').padStart(6));
const f3 = (x: number): string => (Number.isNaN(x) ? '  n/a' : x.toFixed(3));

function row(name: string, its: Item[]): string {
  const judged = its.filter((i) => i.p !== null);
  const p = judged.map((i) => i.p!);
  const y = judged.map((i) => i.label);
  const hum = judged.filter((i) => i.label === 0).map((i) => i.p!);
  const ai = judged.filter((i) => i.label === 1).map((i) => i.p!);
  const nh = its.filter((i) => i.label === 0).length;
  const reasons = new Map<string, number>();
  for (const i of its) if (i.p === null) reasons.set(i.reason ?? '?', (reasons.get(i.reason ?? '?') ?? 0) + 1);
  const cj = [...reasons].map(([k, v]) => `${k}:${v}`).join(' ');
  return [
    name.slice(0, 28).padEnd(28),
    String(its.length).padStart(6),
    String(nh).padStart(6),
    String(its.length - nh).padStart(6),
    String(its.length - judged.length).padStart(6),
    f3(auroc(p, y)).padStart(6),
    pct(tprAtFpr(p, y, 0.01)),
    pct(tprAtFpr(p, y, 0.05)),
    pct(rateAtOrAbove(hum, threshold)).padStart(8),
    pct(rateAtOrAbove(ai, threshold)).padStart(8),
    '  ' + cj,
  ].join(' ');
}

console.log(`model ${model.path} (${model.file.version}); threshold ${threshold}; minWords ${minWords}`);
console.log(`${items.length} labelled texts (${skipped} lines skipped: no text or label); ${(bytes / 1e6 / secs).toFixed(2)} MB/s`);
console.log('');
console.log(
  [
    'domain'.padEnd(28),
    'n'.padStart(6),
    'human'.padStart(6),
    'ai'.padStart(6),
    'cj'.padStart(6),
    'AUROC'.padStart(6),
    'TPR@1%',
    'TPR@5%',
    'hFPR@thr'.padStart(8),
    'aiTPR@thr'.padStart(8),
    '  cannot judge',
  ].join(' '),
);
console.log(row('ALL', items));
const doms = [...new Set(items.map((i) => i.domain))].sort();
if (doms.length > 1 || doms[0] !== '(none)') for (const d of doms) console.log(row(d, items.filter((i) => i.domain === d)));
console.log('');
console.log('cj = cannot judge (p_ai null); AUROC/TPR over judged texts; hFPR@thr = human texts with p_ai >= threshold.');
