/**
 * A self-contained html report of a collapse run: one inline-SVG line chart per metric (generation on x, one line
 * per condition, legend), a gen-0 vs last-gen table and the run's configuration. No script, no network.
 */
import { CONDITIONS, METRICS, type CollapseResult, type Condition, type GenRow, type MetricKey } from './run.js';

const COLORS: Record<Condition, string> = { replace: '#D55E00', mix: '#0072B2', synthfilter: '#009E73' };
const DASH: Record<Condition, string> = { replace: '7 4', mix: '2 3', synthfilter: '' };
const REF_COLOR = '#888';

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
  key: MetricKey;
  title: string;
  better: string;
  log?: boolean;
  /** a horizontal reference line (e.g. human text's own value) */
  ref?: { value: number; label: string } | null;
}

export function lineChart(result: CollapseResult, spec: ChartSpec): string {
  const { key, title, better } = spec;
  const W = 520;
  const H = 300;
  const m = { l: 62, r: 16, t: 58, b: 42 };
  const pw = W - m.l - m.r;
  const ph = H - m.t - m.b;
  const rows = CONDITIONS.map((c) => result.conditions[c]);
  const vals = rows.flat().map((r) => r[key] as number).filter(Number.isFinite);
  const ref = spec.ref && Number.isFinite(spec.ref.value) ? spec.ref : null;
  // the reference is drawn only when it falls inside the series' own range, so it never squashes them
  const inRange = !!ref && vals.length > 0 && ref.value >= Math.min(...vals) && ref.value <= Math.max(...vals);
  const gMax = Math.max(1, ...rows.flat().map((r) => r.gen));
  const useLog = !!spec.log && vals.length > 0 && Math.min(...vals) > 0;
  let ticks: number[];
  let label: (v: number) => string;
  let y: (v: number) => number;
  if (useLog) {
    ticks = logTicks(Math.min(...vals), Math.max(...vals));
    const lo = Math.log10(ticks[0]!);
    const hi = Math.log10(ticks[ticks.length - 1]!);
    y = (v) => m.t + ph - ((Math.log10(v) - lo) / (hi - lo || 1)) * ph;
    label = (v) => String(v);
  } else {
    const nt = vals.length ? niceTicks(Math.min(...vals), Math.max(...vals)) : { ticks: [0, 1], decimals: 0 };
    ticks = nt.ticks;
    const lo = ticks[0]!;
    const hi = ticks[ticks.length - 1]!;
    y = (v) => m.t + ph - ((v - lo) / (hi - lo || 1)) * ph;
    label = (v) => v.toFixed(nt.decimals);
  }
  const x = (g: number) => m.l + (g / gMax) * pw;
  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" class="chart" data-metric="${key}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${esc(title)}">`);
  parts.push(`<title>${esc(title)}</title>`);
  parts.push(`<text x="${m.l}" y="18" class="ct">${esc(title)}</text>`);
  parts.push(`<text x="${W - m.r}" y="${H - 6}" class="cb" text-anchor="end">${esc(better)} is better</text>`);
  // legend
  let lx = m.l;
  const ly = 36;
  for (const c of CONDITIONS) {
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${COLORS[c]}" stroke-width="3" stroke-dasharray="${DASH[c]}"/><circle cx="${lx + 12}" cy="${ly}" r="3.5" fill="${COLORS[c]}"/>`);
    parts.push(`<text x="${lx + 29}" y="${ly + 4}" class="lg">${c}</text>`);
    lx += 29 + c.length * 7 + 14;
  }
  if (ref) {
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 20}" y2="${ly}" stroke="${REF_COLOR}" stroke-width="1.5" stroke-dasharray="1 3"/>`);
    const where = inRange ? '' : ` ${fmt(ref.value)}, ${ref.value > Math.max(...vals) ? 'above' : 'below'}`;
    parts.push(`<text x="${lx + 25}" y="${ly + 4}" class="lg">${esc(ref.label)}${where}</text>`);
  }
  // grid and axes
  for (const t of ticks) {
    const ty = y(t).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${ty}" x2="${W - m.r}" y2="${ty}" class="grid"/>`);
    parts.push(`<text x="${m.l - 6}" y="${(y(t) + 4).toFixed(1)}" class="tk" text-anchor="end">${label(t)}</text>`);
  }
  const step = gMax > 12 ? Math.ceil(gMax / 12) : 1;
  for (let g = 0; g <= gMax; g += step) parts.push(`<text x="${x(g).toFixed(1)}" y="${H - m.b + 16}" class="tk" text-anchor="middle">${g}</text>`);
  parts.push(`<line x1="${m.l}" y1="${m.t + ph}" x2="${W - m.r}" y2="${m.t + ph}" class="ax"/><line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${m.t + ph}" class="ax"/>`);
  parts.push(`<text x="${m.l + pw / 2}" y="${H - 6}" class="tk" text-anchor="middle">generation</text>`);
  if (ref && inRange) {
    const ry = y(ref.value).toFixed(1);
    parts.push(`<line x1="${m.l}" y1="${ry}" x2="${W - m.r}" y2="${ry}" stroke="${REF_COLOR}" stroke-width="1.5" stroke-dasharray="1 3"><title>${esc(ref.label)}: ${fmt(ref.value)}</title></line>`);
  }
  // series
  CONDITIONS.forEach((c, i) => {
    const pts = rows[i]!.filter((r) => Number.isFinite(r[key] as number));
    const d = pts.map((r, j) => `${j ? 'L' : 'M'}${x(r.gen).toFixed(1)},${y(r[key] as number).toFixed(1)}`).join(' ');
    parts.push(`<path class="series" data-condition="${c}" d="${d}" fill="none" stroke="${COLORS[c]}" stroke-width="2.5" stroke-dasharray="${DASH[c]}"/>`);
    for (const r of pts) {
      parts.push(`<circle cx="${x(r.gen).toFixed(1)}" cy="${y(r[key] as number).toFixed(1)}" r="3" fill="${COLORS[c]}"><title>${c}, gen ${r.gen}: ${fmt(r[key] as number)}</title></circle>`);
    }
  });
  parts.push('</svg>');
  return parts.join('\n');
}

type Reference = { human_text?: Partial<Record<MetricKey, number>>; fresh_human_only?: Partial<GenRow> };

function table(result: CollapseResult): string {
  const last = (rows: GenRow[]) => rows[rows.length - 1]!;
  const gl = last(result.conditions.replace).gen;
  const ref = (result.config['reference'] ?? {}) as Reference;
  const cell = (v: number | undefined) => `<td>${v === undefined ? '' : fmt(v)}</td>`;
  const head = `<tr><th>metric</th><th>gen 0</th>${CONDITIONS.map((c) => `<th>${c}, gen ${gl}</th>`).join('')}<th>ref: human text</th><th>ref: fresh human batch only</th></tr>`;
  const body = METRICS.map((mt) => {
    const g0 = result.conditions.replace[0]![mt.key];
    return `<tr><td>${esc(mt.label)} (${mt.better} is better)</td><td>${fmt(g0)}</td>${CONDITIONS.map((c) => cell(last(result.conditions[c])[mt.key])).join('')}${cell(ref.human_text?.[mt.key])}${cell(ref.fresh_human_only?.[mt.key] as number | undefined)}</tr>`;
  }).join('\n');
  const size = `<tr><td>training docs</td><td>${result.conditions.replace[0]!.train_docs}</td>${CONDITIONS.map((c) => `<td>${last(result.conditions[c]).train_docs}</td>`).join('')}<td></td>${cell(ref.fresh_human_only?.train_docs)}</tr>`;
  return `<table>\n${head}\n${body}\n${size}\n</table>`;
}

export function renderHtml(result: CollapseResult): string {
  const cfg = result.config;
  const signal = String(cfg['origin_signal'] ?? '?');
  const detail = String(cfg['origin_signal_detail'] ?? '');
  const path = String(cfg['synthfilter_path'] ?? '');
  const notes = (cfg['synthfilter_notes'] as string[] | undefined) ?? [];
  const refs = (cfg['reference'] ?? {}) as Reference;
  const charts = METRICS.map((mt) => {
    // perplexity has no "human text" value: its reference is a model trained on one fresh human batch alone
    const v = mt.key === 'perplexity' ? refs.fresh_human_only?.perplexity : refs.human_text?.[mt.key];
    const ref = typeof v === 'number' ? { value: v, label: mt.key === 'perplexity' ? 'fresh-only model' : 'human text' } : null;
    return `<figure>${lineChart(result, { key: mt.key, title: mt.label, better: mt.better, log: mt.log, ref })}</figure>`;
  }).join('\n');
  const gl = result.conditions.replace[result.conditions.replace.length - 1]!.gen;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>synthfilter model-collapse experiment</title>
<style>
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px auto; max-width: 1120px; color: #222; padding: 0 16px; }
h1 { font-size: 22px; margin-bottom: 4px; }
.sig { background: #f3f7f4; border-left: 4px solid #009E73; padding: 8px 12px; margin: 12px 0; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 8px 16px; }
figure { margin: 0; }
svg.chart { max-width: 100%; height: auto; background: #fff; }
.ct { font-weight: 600; font-size: 14px; } .cb { font-size: 11px; fill: #666; } .lg { font-size: 12px; } .tk { font-size: 11px; fill: #444; }
.grid { stroke: #e6e6e6; } .ax { stroke: #888; }
table { border-collapse: collapse; margin: 12px 0; } td, th { border: 1px solid #ddd; padding: 4px 8px; text-align: right; } td:first-child, th:first-child { text-align: left; }
pre { background: #f6f6f6; padding: 8px; overflow-x: auto; font-size: 12px; }
</style>
</head>
<body>
<h1>Model collapse: a trigram LM trained on its own output, with and without synthfilter</h1>
<p>Generation 0 trains on human text; each later generation trains on data built from the previous generation's samples:
<b>replace</b> (previous samples only), <b>mix</b> (a small fresh human batch plus all previous samples, unfiltered) and
<b>synthfilter</b> (the same kind of input as mix, curated by synthfilter before training). Every metric uses held-out human text that never enters training.
The dotted grey line is a reference: human text itself scored like the samples, and for perplexity the "fresh-only model", trained on one fresh human batch alone.</p>
<div class="sig"><b>Origin signal for the synthfilter condition: ${esc(signal)}</b> — ${esc(detail)}.<br>Pipeline path: ${esc(path)}.${notes.map((n) => `<br>Note: ${esc(n)}`).join('')}</div>
<div class="charts">
${charts}
</div>
<h2>Generation 0 vs generation ${gl}</h2>
${table(result)}
<details><summary>Run configuration (collapse.json "config")</summary><pre>${esc(JSON.stringify(cfg, null, 2))}</pre></details>
</body>
</html>
`;
}
