/**
 * The report's charts: inline SVG written here, no library and no script. Each chart has axes with tick labels and
 * units, values as labels or as <title> hover text, and colours from CSS classes (page.ts), so light and dark mode
 * come from the page's stylesheet. Why not a charting library: three chart kinds are needed, each is a few dozen
 * lines, and the page stays small and dependency-free (no bundling, no network).
 *
 * Tick labels carry class "tick" inside <g class="axis x"> / <g class="axis y">: the browser test checks them.
 */
import { esc, num } from './format.js';

const CHAR_W = 6.4; // approximate width of one 11px label character

/** About `n` round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten apart). */
export function ticks(lo: number, hi: number, n = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / n;
  const p = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? 10 * p;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step - 1e-9) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(12));
  return out;
}

/** Ticks for counts: whole numbers only (a count axis from 0 to 1 shows 0 and 1, not 0.25). */
export const countTicks = (max: number, n: number): number[] => ticks(0, max, n).filter((t) => Number.isInteger(t));

/** The smallest tick-friendly value >= x (for a y axis' top). */
export const niceMax = (x: number): number => (x <= 0 ? 1 : ticks(0, x, 4).at(-1)! < x ? ticks(0, x * 1.25, 4).at(-1)! : ticks(0, x, 4).at(-1)!);

const open = (w: number, h: number, label: string, cls = 'chart') =>
  `<svg class="${cls}" viewBox="0 0 ${w} ${h}" width="${w}" height="${h}" role="img" aria-label="${esc(label)}"><title>${esc(label)}</title>`;

const f1 = (x: number) => x.toFixed(1);

/** A small chart's box (330 x 170 unless given) and the margins around its plot area (top margin 22). */
interface Frame {
  W: number;
  H: number;
  L: number;
  R: number;
  T: number;
  B: number;
}

const frame = (size: { width?: number; height?: number }, L: number, R: number, B: number): Frame => ({ W: size.width ?? 330, H: size.height ?? 170, L, R, T: 22, B });

/** The x axis of a framed chart: its line along the plot's bottom, the tick labels given, and its title at `titleY`. */
function xAxis(f: Frame, tickLabels: string, title: string, titleY: number): string {
  return (
    `<g class="axis x"><line class="axis-line" x1="${f.L}" x2="${f.W - f.R}" y1="${f.H - f.B}" y2="${f.H - f.B}"/>${tickLabels}` +
    `<text class="axis-title" x="${f1((f.L + f.W - f.R) / 2)}" y="${titleY}" text-anchor="middle">${esc(title)}</text></g>`
  );
}

/** A frame with a y axis on the left (ticks, grid lines, title) and an x axis line at the bottom. */
function yAxis(x0: number, x1: number, y: (v: number) => number, vals: number[], fmt: (v: number) => string, title: string, top: number): string {
  let s = `<g class="axis y">`;
  for (const v of vals) s += `<line class="grid" x1="${x0}" x2="${x1}" y1="${f1(y(v))}" y2="${f1(y(v))}"/><text class="tick" x="${x0 - 5}" y="${f1(y(v) + 3.5)}" text-anchor="end">${esc(fmt(v))}</text>`;
  s += `<text class="axis-title" x="${x0 - 5}" y="${top - 8}" text-anchor="start">${esc(title)}</text></g>`;
  return s;
}

export interface BarRow {
  key: string;
  label: string;
  value: number;
  /** text after the value label, e.g. "42.0% of rejected" */
  note?: string;
}

/** Horizontal bars with a value axis (ticks, unit) at the bottom and each bar labelled with its value and note. */
export function hbars(rows: BarRow[], o: { label: string; unit: string; cls: string; width?: number }): string {
  if (!rows.length) return emptyChart(`${o.label}: none`);
  const W = o.width ?? 680;
  const L = Math.min(220, Math.max(60, ...rows.map((r) => r.label.length * CHAR_W + 12)));
  const R = 150; // room for value labels
  const rowH = 20;
  const top = 6;
  const H = top + rows.length * rowH + 34;
  const max = niceMax(Math.max(...rows.map((r) => r.value)));
  const x = (v: number) => L + ((W - L - R) * v) / max;
  const base = top + rows.length * rowH;
  let s = open(W, H, o.label);
  s += `<g class="axis x">`;
  for (const t of (rows.every((r) => Number.isInteger(r.value)) ? countTicks(max, 4) : ticks(0, max, 4))) s += `<line class="grid" x1="${f1(x(t))}" x2="${f1(x(t))}" y1="${top}" y2="${base}"/><text class="tick" x="${f1(x(t))}" y="${base + 13}" text-anchor="middle">${esc(num(t))}</text>`;
  s += `<line class="axis-line" x1="${L}" x2="${W - R}" y1="${base}" y2="${base}"/><text class="axis-title" x="${f1((L + W - R) / 2)}" y="${base + 28}" text-anchor="middle">${esc(o.unit)}</text></g>`;
  rows.forEach((r, i) => {
    const y = top + i * rowH;
    const w = Math.max(r.value > 0 ? 1 : 0, x(r.value) - L);
    const lab = r.label.length * CHAR_W > L - 12 ? r.label.slice(0, Math.floor((L - 12) / CHAR_W) - 1) + '…' : r.label;
    s += `<g class="bar" data-key="${esc(r.key)}" data-value="${r.value}"><title>${esc(r.label)}: ${num(r.value)} ${esc(o.unit)}${r.note ? ` (${esc(r.note)})` : ''}</title>`;
    s += `<text class="label" x="${L - 6}" y="${y + 14}" text-anchor="end">${esc(lab)}</text><rect class="${o.cls}" x="${L}" y="${y + 3}" width="${f1(w)}" height="${rowH - 6}"/>`;
    s += `<text class="value" x="${f1(L + w + 5)}" y="${y + 14}">${esc(num(r.value))}${r.note ? ` · ${esc(r.note)}` : ''}</text></g>`;
  });
  return s + '</svg>';
}

export interface HistSpec {
  /** counts per equal-width bin over [lo, hi]; with `overflow`, one more count at the end for values >= hi */
  counts: number[];
  lo: number;
  hi: number;
  overflow?: boolean;
  /** values below lo are folded into the first bin (the caller's choice; noted in the hover text) */
  label: string;
  xTitle: string;
  yTitle?: string;
  cls: string;
  /** vertical markers, e.g. a rule's threshold */
  marks?: Array<{ at: number; text: string }>;
  width?: number;
  height?: number;
}

/** A histogram with both axes, hover text per bar and optional threshold markers. */
export function histogram(h: HistSpec): string {
  const total = h.counts.reduce((a, b) => a + b, 0);
  if (!total) return emptyChart(`${h.label}: no records`);
  const f = frame(h, 46, 10, 36);
  const { W, H, L, R, T, B } = f;
  const nb = h.counts.length - (h.overflow ? 1 : 0);
  const slot = (W - L - R) / (h.counts.length + (h.overflow ? 0.3 : 0));
  const width = (h.hi - h.lo) / nb;
  const max = niceMax(Math.max(...h.counts));
  const y = (v: number) => H - B - ((H - B - T) * v) / max;
  const xv = (v: number) => L + ((Math.min(h.hi, Math.max(h.lo, v)) - h.lo) / width) * slot;
  let s = open(W, H, h.label, 'chart small');
  s += yAxis(L, W - R, y, countTicks(max, 3), num, h.yTitle ?? 'records', T);
  h.counts.forEach((c, i) => {
    const over = h.overflow && i === nb;
    const a = h.lo + i * width;
    const x0 = L + i * slot + (over ? slot * 0.3 : 0);
    const range = over ? `≥ ${num(h.hi)}` : `${num(+a.toFixed(6))} to ${num(+(a + width).toFixed(6))}`;
    s += `<rect class="${h.cls}${over ? ' overflow' : ''}" x="${f1(x0 + 0.5)}" y="${f1(y(c))}" width="${f1(Math.max(0.5, slot - 1))}" height="${f1(H - B - y(c))}" data-count="${c}"><title>${esc(range)}: ${num(c)} records (${((100 * c) / total).toFixed(1)}%)</title></rect>`;
  });
  let xTicks = '';
  for (const t of ticks(h.lo, h.hi, 4)) xTicks += `<text class="tick" x="${f1(xv(t))}" y="${H - B + 13}" text-anchor="middle">${esc(num(t))}</text>`;
  if (h.overflow) xTicks += `<text class="tick" x="${f1(L + nb * slot + slot * 0.8)}" y="${H - B + 13}" text-anchor="middle">≥</text>`;
  s += xAxis(f, xTicks, h.xTitle, H - 6);
  (h.marks ?? []).forEach((m, i) => {
    const x = xv(m.at);
    // labels of several marks one under the other, so they never overlap
    s += `<g class="mark"><line x1="${f1(x)}" x2="${f1(x)}" y1="${T - 4}" y2="${H - B}"/><text x="${f1(x + (x > W - 90 ? -3 : 3))}" y="${T + 6 + i * 12}" text-anchor="${x > W - 90 ? 'end' : 'start'}">${esc(m.text)}</text></g>`;
  });
  return s + '</svg>';
}

export interface LineSeries {
  name: string;
  cls: string;
  values: Array<number | null>;
  /** an interval band around the line (null where unknown) */
  band?: Array<{ low: number; high: number } | null>;
  /** hover text per point */
  fmt: (v: number) => string;
}

/** Lines over nights (x: one slot per night, labelled with its run id), with optional interval bands. */
export function lines(xs: string[], series: LineSeries[], o: { label: string; yTitle: string; yFmt: (v: number) => string; yMax?: number; width?: number; height?: number }): string {
  const vals = series.flatMap((s) => [...s.values, ...(s.band ?? []).map((b) => b?.high ?? null)]).filter((v): v is number => v !== null);
  if (!xs.length || !vals.length) return emptyChart(`${o.label}: no data`);
  const f = frame(o, 50, 14, 40);
  const { W, H, L, R, T, B } = f;
  const max = o.yMax ?? niceMax(Math.max(...vals));
  const n = xs.length;
  const x = (i: number) => (n === 1 ? (L + W - R) / 2 : L + 8 + (i * (W - L - R - 16)) / (n - 1));
  const y = (v: number) => H - B - ((H - B - T) * Math.min(v, max)) / max;
  let s = open(W, H, o.label, 'chart small');
  s += yAxis(L, W - R, y, ticks(0, max, 3), o.yFmt, o.yTitle, T);
  const every = Math.max(1, Math.ceil(n / 4));
  let xTicks = '';
  xs.forEach((lab, i) => {
    if (i % every !== 0 && i !== n - 1) return;
    if (i !== n - 1 && n - 1 - i < every && i !== 0) return;
    const short = lab.length > 14 ? '…' + lab.slice(-13) : lab;
    xTicks += `<text class="tick" x="${f1(x(i))}" y="${H - B + 13}" text-anchor="${n === 1 ? 'middle' : i === 0 ? 'start' : i === n - 1 ? 'end' : 'middle'}">${esc(short)}</text>`;
  });
  s += xAxis(f, xTicks, 'night (run id)', H - 8);
  for (const se of series) {
    // bands and lines are drawn in runs of consecutive known values
    const runs = (get: (i: number) => boolean) => {
      const out: number[][] = [];
      let cur: number[] = [];
      for (let i = 0; i < n; i++) {
        if (get(i)) cur.push(i);
        else if (cur.length) (out.push(cur), (cur = []));
      }
      if (cur.length) out.push(cur);
      return out;
    };
    if (se.band) {
      for (const r of runs((i) => !!se.band![i])) {
        const up = r.map((i) => `${f1(x(i) - (r.length === 1 ? 4 : 0))},${f1(y(se.band![i]!.high))}`);
        const down = r.reverse().map((i) => `${f1(x(i) + (r.length === 1 ? 4 : 0))},${f1(y(se.band![i]!.low))}`);
        s += `<polygon class="band ${se.cls}" points="${[...up, ...down].join(' ')}"/>`;
      }
    }
    for (const r of runs((i) => se.values[i] !== null)) if (r.length > 1) s += `<polyline class="line ${se.cls}" points="${r.map((i) => `${f1(x(i))},${f1(y(se.values[i]!))}`).join(' ')}"/>`;
    se.values.forEach((v, i) => {
      if (v === null) return;
      const b = se.band?.[i];
      s += `<circle class="dot ${se.cls}" cx="${f1(x(i))}" cy="${f1(y(v))}" r="3" data-value="${v}"><title>${esc(xs[i]!)}: ${esc(se.name)} ${esc(se.fmt(v))}${b ? ` (interval ${esc(se.fmt(b.low))} to ${esc(se.fmt(b.high))})` : ''}</title></circle>`;
    });
  }
  return s + '</svg>';
}

/** A legend under a chart: one swatch per series. */
export const legend = (items: Array<{ cls: string; text: string }>): string =>
  `<div class="legend">${items.map((i) => `<span><i class="swatch ${i.cls}"></i>${esc(i.text)}</span>`).join('')}</div>`;

/** A chart's place when there is nothing to draw: a framed note, so the page keeps its shape. */
export function emptyChart(note: string): string {
  return `${open(330, 40, note, 'chart empty')}<rect class="frame" x="0.5" y="0.5" width="329" height="39"/><text class="note" x="12" y="24">${esc(note)}</text></svg>`;
}
