/**
 * A self-contained html report of a collapse run: the targets and their verdicts, one inline-SVG line chart per
 * metric (generation on x, the metric on y, one line per condition with a band of ± one standard deviation over
 * seeds, reference lines), a table of values under each chart, and the run's configuration. No script, no network.
 */
import { CONDITIONS, type Condition } from './conditions.js';
import type { CollapseResult } from './run.js';
import type { Entry } from './stats.js';

type Key = 'tail_coverage' | 'perplexity' | 'distinct_2' | 'kl' | 'synthetic_share' | 'train_docs' | 'detector_auroc';

/** The charted metrics, in chart order. */
export const METRICS: ReadonlyArray<{ key: Key; label: string; axis: string; better: string; log: boolean; ref?: 'human_text' | 'fresh_only' }> = [
  { key: 'tail_coverage', label: 'Tail coverage', axis: 'rare held-out words in samples (share)', better: 'higher', log: false, ref: 'human_text' },
  { key: 'perplexity', label: 'Held-out perplexity', axis: 'perplexity (log scale)', better: 'lower', log: true, ref: 'fresh_only' },
  { key: 'distinct_2', label: 'Distinct-2 of samples', axis: 'distinct bigrams / bigrams', better: 'higher', log: false, ref: 'human_text' },
  { key: 'kl', label: 'Unigram KL(held-out ‖ samples)', axis: 'KL (nats)', better: 'lower', log: false, ref: 'human_text' },
  { key: 'synthetic_share', label: 'True synthetic share of the training set', axis: 'share of training documents', better: 'lower', log: false },
  { key: 'train_docs', label: 'Training documents', axis: 'documents (log scale)', better: 'more data, all else equal', log: true },
  { key: 'detector_auroc', label: "Own detector's AUROC on each night's records", axis: 'AUROC (synthetic vs human)', better: 'higher', log: false },
];

const COLORS: Record<Condition, string> = { replace: '#D55E00', accumulate: '#0072B2', synthfilter: '#009E73', synthfilter_defaults: '#CC79A7', synthfilter_detector: '#E69F00' };
const DASH: Record<Condition, string> = { replace: '7 4', accumulate: '2 3', synthfilter: '', synthfilter_defaults: '5 2 1 2', synthfilter_detector: '9 3' };
const REF_COLOR = '#777';

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A value for tables and tooltips: about four significant digits. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const a = Math.abs(x);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toFixed(3);
}

/** About `n` round tick values covering [lo, hi] (steps 1, 2, 2.5, 5 x 10^k) and the decimals they need. */
export function niceTicks(lo: number, hi: number, n = 5): { ticks: number[]; decimals: number } {
  if (!(hi > lo)) {
    const d = Math.abs(lo) > 0 ? Math.abs(lo) * 0.1 : 1;
    lo -= d;
    hi += d;
  }
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const mult = [1, 2, 2.5, 5, 10].find((m) => m * mag >= raw) ?? 10;
  const step = mult * mag;
  const ticks: number[] = [];
  const first = Math.floor(lo / step + 1e-9);
  for (let i = first; ; i++) {
    const v = i * step;
    ticks.push(Number(v.toPrecision(12)));
    if (v >= hi - step * 1e-9) break;
  }
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9) + (mult === 2.5 ? 1 : 0));
  return { ticks, decimals };
}

/** Log-scale ticks at 1, 2, 5 x 10^k covering [lo, hi] (lo > 0). */
export function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  const below = out.filter((t) => t <= lo);
  const above = out.filter((t) => t >= hi);
  const a = below.length ? below[below.length - 1]! : out[0]!;
  const b = above.length ? above[0]! : out[out.length - 1]!;
  return out.filter((t) => t >= a && t <= b);
}

export interface ChartSpec {
  key: Key;
  title: string;
  axis: string;
  better: string;
  log?: boolean;
  /** horizontal reference lines (human text's own value, the cap) */
  refs?: Array<{ value: number; label: string }>;
}

interface Point {
  g: number;
  m: number;
  sd: number;
}

function series(rows: readonly Entry[], key: Key): Point[] {
  const out: Point[] = [];
  for (const r of rows) {
    const m = r[key as keyof Entry] as number | null | undefined;
    if (typeof m !== 'number' || !Number.isFinite(m)) continue;
    const sd = (r[`${key}_sd` as keyof Entry] as number | null | undefined) ?? 0;
    out.push({ g: r.generation, m, sd: Number.isFinite(sd) ? sd : 0 });
  }
  return out;
}

export function lineChart(result: CollapseResult, spec: ChartSpec): string {
  const { key } = spec;
  const W = 540;
  const H = 320;
  const m = { l: 70, r: 16, t: 62, b: 46 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const conds = CONDITIONS.filter((c) => result.conditions[c]);
  const lines = conds.map((c) => ({ c, pts: series(result.conditions[c]!, key) })).filter((s) => s.pts.length > 0);
  const vals = lines.flatMap((s) => s.pts.flatMap((p) => [p.m - p.sd, p.m + p.sd]));
  const refs = (spec.refs ?? []).filter((r) => Number.isFinite(r.value));
  // references widen the range only when near it, so that a far-off reference never squashes the series
  const lo0 = Math.min(...vals);
  const hi0 = Math.max(...vals);
  const span = hi0 - lo0 || Math.abs(hi0) || 1;
  const shown = refs.filter((r) => r.value >= lo0 - span && r.value <= hi0 + span);
  const all = [...vals, ...shown.map((r) => r.value)];
  const gMax = Math.max(1, ...lines.flatMap((s) => s.pts.map((p) => p.g)));
  const useLog = !!spec.log && all.length > 0 && Math.min(...lines.flatMap((s) => s.pts.map((p) => p.m))) > 0;
  const floor = useLog ? Math.min(...lines.flatMap((s) => s.pts.map((p) => p.m))) / 2 : -Infinity;
  const clamp = (v: number) => Math.max(v, floor);
  let ticks: number[];
  let label: (v: number) => string;
  let y: (v: number) => number;
  if (all.length === 0) {
    ticks = [0, 1];
    label = String;
    y = (v) => m.t + ph - v * ph;
  } else if (useLog) {
    ticks = logTicks(Math.min(...all.map(clamp)), Math.max(...all));
    const lo = Math.log10(ticks[0]!);
    const hi = Math.log10(ticks[ticks.length - 1]!);
    y = (v) => m.t + ph - ((Math.log10(clamp(v)) - lo) / (hi - lo || 1)) * ph;
    label = (v) => String(v);
  } else {
    const nt = niceTicks(Math.min(...all), Math.max(...all));
    ticks = nt.ticks;
    const lo = ticks[0]!;
    const hi = ticks[ticks.length - 1]!;
    y = (v) => m.t + ph - ((v - lo) / (hi - lo || 1)) * ph;
    label = (v) => v.toFixed(nt.decimals);
  }
  const x = (g: number) => m.l + (g / gMax) * pw;
  const p: string[] = [];
  p.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-metric="${key}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(spec.title)}">`);
  p.push(`<title>${esc(spec.title)}</title>`);
  p.push(`<text x="${m.l}" y="16" class="ct">${esc(spec.title)}</text>`);
  p.push(`<text x="${W - m.r}" y="16" class="cb" text-anchor="end">${esc(spec.better)}${spec.better.includes(' ') ? '' : ' is better'}</text>`);
  // legend, two rows
  conds.forEach((c, i) => {
    const lx = m.l + (i % 3) * 160;
    const ly = 32 + Math.floor(i / 3) * 15;
    p.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 22}" y2="${ly}" stroke="${COLORS[c]}" stroke-width="3" stroke-dasharray="${DASH[c]}"/>`);
    p.push(`<text x="${lx + 26}" y="${ly + 4}" class="lg">${c}</text>`);
  });
  // grid and axes
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    p.push(`<line x1="${m.l}" y1="${ty}" x2="${W - m.r}" y2="${ty}" class="grid"/>`);
    p.push(`<text x="${m.l - 6}" y="${(y(t) + 4).toFixed(1)}" class="tk" text-anchor="end">${label(t)}</text>`);
  }
  const step = gMax > 12 ? Math.ceil(gMax / 12) : 1;
  for (let g = 0; g <= gMax; g += step) p.push(`<text x="${x(g).toFixed(1)}" y="${H - m.b + 16}" class="tk" text-anchor="middle">${g}</text>`);
  p.push(`<line x1="${m.l}" y1="${m.t + ph}" x2="${W - m.r}" y2="${m.t + ph}" class="ax"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" class="ax"/>`);
  p.push(`<text x="${m.l + pw / 2}" y="${H - 8}" class="al" text-anchor="middle">generation</text>`);
  p.push(`<text transform="translate(14 ${m.t + ph / 2}) rotate(-90)" class="al" text-anchor="middle">${esc(spec.axis)}</text>`);
  for (const r of shown) {
    const ry = y(r.value).toFixed(1);
    p.push(`<line x1="${m.l}" y1="${ry}" x2="${W - m.r}" y2="${ry}" stroke="${REF_COLOR}" stroke-width="1.2" stroke-dasharray="1 3" class="ref"><title>${esc(r.label)}: ${fmt(r.value)}</title></line>`);
    p.push(`<text x="${W - m.r - 2}" y="${(y(r.value) - 3).toFixed(1)}" class="rl" text-anchor="end">${esc(r.label)} ${fmt(r.value)}</text>`);
  }
  // bands (mean ± sd), then lines and points
  for (const { c, pts } of lines) {
    const up = pts.map((q) => `${x(q.g).toFixed(1)},${y(q.m + q.sd).toFixed(1)}`);
    const down = pts.map((q) => `${x(q.g).toFixed(1)},${y(q.m - q.sd).toFixed(1)}`).reverse();
    p.push(`<polygon class="band" data-condition="${c}" points="${[...up, ...down].join(' ')}" fill="${COLORS[c]}" fill-opacity="0.15" stroke="none"/>`);
  }
  for (const { c, pts } of lines) {
    const d = pts.map((q, j) => `${j ? 'L' : 'M'}${x(q.g).toFixed(1)},${y(q.m).toFixed(1)}`).join(' ');
    p.push(`<path class="series" data-condition="${c}" d="${d}" fill="none" stroke="${COLORS[c]}" stroke-width="2.2" stroke-dasharray="${DASH[c]}"/>`);
    for (const q of pts) p.push(`<circle cx="${x(q.g).toFixed(1)}" cy="${y(q.m).toFixed(1)}" r="2.6" fill="${COLORS[c]}"><title>${c}, generation ${q.g}: ${fmt(q.m)} ± ${fmt(q.sd)}</title></circle>`);
    const last = pts[pts.length - 1]!;
    p.push(`<text x="${(x(last.g) - 4).toFixed(1)}" y="${(y(last.m) - 5).toFixed(1)}" class="vl" text-anchor="end" fill="${COLORS[c]}">${fmt(last.m)}</text>`);
  }
  p.push('</svg>');
  return p.join('\n');
}

/** mean ± sd of a metric at chosen generations, one row per condition. */
function valuesTable(result: CollapseResult, key: Key, gens: number[]): string {
  const rows = CONDITIONS.filter((c) => result.conditions[c]).map((c) => {
    const cells = gens.map((g) => {
      const e = result.conditions[c]!.find((r) => r.generation === g);
      const v = e?.[key as keyof Entry] as number | null | undefined;
      const sd = e?.[`${key}_sd` as keyof Entry] as number | null | undefined;
      return `<td>${typeof v === 'number' ? `${fmt(v)} ± ${fmt(sd ?? 0)}` : '–'}</td>`;
    });
    return `<tr><td>${c}</td>${cells.join('')}</tr>`;
  });
  return `<table class="vals"><tr><th>condition</th>${gens.map((g) => `<th>gen ${g}</th>`).join('')}</tr>\n${rows.join('\n')}</table>`;
}

export function renderHtml(result: CollapseResult): string {
  const cfg = result.config;
  const G = Math.max(0, ...Object.values(result.conditions).map((rows) => rows!.length - 1));
  const gens = [...new Set([0, Math.round(G / 2), G])];
  const refs = result.references;
  const cap = Object.values(result.conditions)
    .flatMap((rows) => rows!.map((r) => r.cap))
    .find((c): c is number => typeof c === 'number');
  const charts = METRICS.filter((mt) => Object.values(result.conditions).some((rows) => rows!.some((r) => typeof r[mt.key as keyof Entry] === 'number'))).map((mt) => {
    const chartRefs: Array<{ value: number; label: string }> = [];
    if (mt.ref === 'human_text' && typeof refs.human_text[mt.key] === 'number') chartRefs.push({ value: refs.human_text[mt.key]!, label: 'human text' });
    if (mt.ref === 'fresh_only' && typeof refs.fresh_only[mt.key] === 'number') chartRefs.push({ value: refs.fresh_only[mt.key]!, label: 'fresh-only model' });
    if (mt.key === 'synthetic_share' && cap !== undefined) chartRefs.push({ value: cap, label: 'cap' }, { value: cap + 0.1, label: 'cap + 0.1' });
    return `<figure>${lineChart(result, { key: mt.key, title: mt.label, axis: mt.axis, better: mt.better, log: mt.log, refs: chartRefs })}\n${valuesTable(result, mt.key, gens)}</figure>`;
  });
  const targets = result.targets.map((t) => `<tr class="${t.verdict.replace(' ', '-')}"><td>${esc(t.claim)}</td><td>${esc(t.measured)}</td><td>${t.verdict}</td></tr>`).join('\n');
  const costs = refs.rule_costs
    .map((r) => `<tr><td>${esc(String(r['variant']))}</td><td>${fmt(r['human_kept'] as number)}</td><td>${fmt(r['short_human_kept'] as number)}</td><td>${fmt(r['human_kept_mean_len'] as number)} / ${fmt(r['human_mean_len'] as number)}</td><td>${fmt(r['samples_kept'] as number)}</td></tr>`)
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>synthfilter model-collapse experiment</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1180px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 16px; }
figure { margin: 0; }
svg.chart { max-width: 100%; height: auto; background: #fff; }
.ct { font-weight: 600; font-size: 14px; } .cb { font-size: 11px; fill: #666; } .lg { font-size: 11px; } .tk { font-size: 11px; fill: #444; } .al { font-size: 12px; fill: #333; }
.rl { font-size: 10px; fill: #666; } .vl { font-size: 10px; font-weight: 600; }
.grid { stroke: #e6e6e6; } .ax { stroke: #888; }
table { border-collapse: collapse; margin: 8px 0; } td, th { border: 1px solid #ddd; padding: 3px 7px; text-align: right; } td:first-child, th:first-child { text-align: left; }
table.vals { font-size: 12px; }
tr.holds td:last-child { background: #e3f4ea; } tr.fails td:last-child { background: #fbe3dc; } tr.within-spread td:last-child { background: #f4f0dc; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>Model collapse: a trigram LM trained on its own output, with and without synthfilter</h1>
<p>${(cfg['seeds'] as number[]).length} seeds × ${cfg['generations']} generations. Every line is the mean over seeds; the band around it is ± one standard deviation.
Generation 0 trains on human text and is shared. Then: <b>replace</b> trains on the previous generation's samples only; <b>accumulate</b> on everything so far (human and samples), unfiltered;
<b>synthfilter</b> on everything <code>synthfilter clean</code> kept, night after night, with declared provenance and quality rules fitted to the corpus; <b>synthfilter_defaults</b> the same with the default quality rules;
<b>synthfilter_detector</b> the same without provenance, with a detector the team trained on its generation-0 samples. Every metric uses held-out human text that nothing trains on.</p>
<h2>Targets at generation ${G}</h2>
<table><tr><th>target</th><th>measured (mean ± sd over seeds)</th><th>verdict</th></tr>
${targets}</table>
<p>${esc(String(cfg['statistics'] ?? ''))}.</p>
<div class="charts">
${charts.join('\n')}
</div>
<h2>What each quality-rule choice costs (generation-0 texts, mean over seeds)</h2>
<table><tr><th>rules</th><th>human texts kept</th><th>short human texts kept (&lt; 25 tokens)</th><th>mean tokens: kept / all human</th><th>generation-0 samples passing</th></tr>
${costs}</table>
<details><summary>Run configuration (collapse.json "config")</summary><pre>${esc(JSON.stringify(cfg, null, 2))}</pre></details>
</body>
</html>
`;
}
