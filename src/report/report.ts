/**
 * report.html: one self-contained page (inline CSS and SVG, no scripts, no network) with the run's numbers.
 * `Report` is also written verbatim as report.json.
 */
import type { RunSummary } from '../state/file-store.js';
import type { ShardInfo, FileInfo } from '../sink/files.js';
import type { OriginLabel } from '../types.js';

export interface Report {
  version: string;
  run_id: string;
  started_at: string;
  config_fingerprint: string;
  inputs: Array<{ file: string; bytes: number; sha256: string }>;
  counts: { input: number; accept: number; reject: number; quarantine: number };
  reasons: Record<string, number>;
  origin: { input: Record<OriginLabel, number>; accepted: Record<OriginLabel, number> };
  max_synthetic_share: number;
  shards: ShardInfo[];
  rejects: FileInfo[];
  quarantine: FileInfo[];
  p_ai_hist: Record<OriginLabel, number[]>;
  diversity_hist: Record<string, number[]>;
  tail: { seen: number; accepted: number; hard: number; retention: number | null };
  cluster_sizes: Record<string, number>;
  history: RunSummary[];
  errors?: string[];
  config: unknown;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const fmt = (x: number) => (Number.isInteger(x) ? x.toLocaleString('en-US') : x.toFixed(3));
const pct = (x: number | null) => (x === null ? 'n/a' : `${(x * 100).toFixed(1)}%`);
/** An empty chart frame with a note, so every section keeps its place. */
const empty = (note: string) => `<svg viewBox="0 0 640 40" width="640" height="40" role="img"><rect x="0.5" y="0.5" width="639" height="39" fill="#fafafa" stroke="#ddd"/><text x="12" y="24">${esc(note)}</text></svg>`;
const COLORS: Record<string, string> = { human: '#2b7bb9', synthetic: '#d9534f', unknown: '#999999' };

/** Horizontal bar chart. */
function hbars(rows: Array<[string, number]>, color = '#2b7bb9'): string {
  if (!rows.length) return empty('none');
  const max = Math.max(...rows.map((r) => r[1]), 1);
  const h = 22;
  const W = 640;
  const L = 200;
  const bars = rows
    .map(([k, v], i) => {
      const w = ((W - L - 80) * v) / max;
      return `<text x="${L - 8}" y="${i * h + 15}" text-anchor="end">${esc(k)}</text><rect x="${L}" y="${i * h + 3}" width="${w.toFixed(1)}" height="${h - 6}" fill="${color}"/><text x="${L + w + 6}" y="${i * h + 15}">${fmt(v)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${rows.length * h + 4}" width="${W}" height="${rows.length * h + 4}" role="img">${bars}</svg>`;
}

/** Grouped histogram: one series per key, 10 bins. */
function histogram(series: Record<string, number[]>, xlabels: string[]): string {
  const keys = Object.keys(series).filter((k) => series[k]!.some((v) => v > 0));
  if (!keys.length) return empty('no data');
  const W = 640;
  const H = 180;
  const B = xlabels.length;
  const max = Math.max(1, ...keys.flatMap((k) => series[k]!));
  const bw = (W - 60) / B;
  let svg = '';
  keys.forEach((k, j) => {
    series[k]!.forEach((v, i) => {
      const h = ((H - 30) * v) / max;
      const x = 40 + i * bw + (j * (bw - 4)) / keys.length;
      svg += `<rect x="${x.toFixed(1)}" y="${(H - 20 - h).toFixed(1)}" width="${((bw - 4) / keys.length).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[k] ?? ['#5cb85c', '#f0ad4e', '#5bc0de'][j % 3]}"><title>${esc(k)} ${xlabels[i]}: ${v}</title></rect>`;
    });
  });
  xlabels.forEach((l, i) => (svg += `<text x="${40 + i * bw + bw / 2}" y="${H - 5}" text-anchor="middle" class="small">${esc(l)}</text>`));
  const legend = keys.map((k, j) => `<span class="key" style="background:${COLORS[k] ?? ['#5cb85c', '#f0ad4e', '#5bc0de'][j % 3]}"></span>${esc(k)}`).join(' ');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${svg}</svg><div class="legend">${legend}</div>`;
}

/** Synthetic share per shard against the cap. */
function shareChart(shards: ShardInfo[], cap: number): string {
  if (!shards.length) return empty('no shards');
  const W = 640;
  const H = 180;
  const bw = Math.min(40, (W - 60) / shards.length);
  const top = Math.max(cap * 1.25, ...shards.map((s) => s.synthetic_share), 0.05);
  const y = (v: number) => H - 20 - ((H - 30) * v) / top;
  let svg = shards
    .map((s, i) => `<rect x="${40 + i * bw}" y="${y(s.synthetic_share).toFixed(1)}" width="${bw - 3}" height="${(H - 20 - y(s.synthetic_share)).toFixed(1)}" fill="${COLORS['synthetic']}"><title>${esc(s.name)}: ${pct(s.synthetic_share)} of ${s.records}</title></rect>`)
    .join('');
  svg += `<line x1="30" x2="${W}" y1="${y(cap)}" y2="${y(cap)}" stroke="#333" stroke-dasharray="5,4"/><text x="${W - 4}" y="${y(cap) - 4}" text-anchor="end" class="small">cap ${pct(cap)}</text>`;
  svg += `<text x="4" y="${y(0)}" class="small">0</text><text x="4" y="${y(top) + 10}" class="small">${pct(top)}</text>`;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${svg}</svg>`;
}

/** Trend over past runs: accepted count and synthetic share. */
function trend(history: RunSummary[]): string {
  if (history.length < 2) return empty('one run so far: the trend appears from the second night on');
  const W = 640;
  const H = 180;
  const n = history.length;
  const maxA = Math.max(1, ...history.map((r) => r.accept));
  const x = (i: number) => 40 + (i * (W - 60)) / (n - 1);
  const ya = (v: number) => H - 20 - ((H - 30) * v) / maxA;
  const ys = (v: number) => H - 20 - (H - 30) * v;
  const pa = history.map((r, i) => `${x(i).toFixed(1)},${ya(r.accept).toFixed(1)}`).join(' ');
  const ps = history.map((r, i) => `${x(i).toFixed(1)},${ys(r.synthetic_share).toFixed(1)}`).join(' ');
  let svg = `<polyline points="${pa}" fill="none" stroke="${COLORS['human']}" stroke-width="2"/><polyline points="${ps}" fill="none" stroke="${COLORS['synthetic']}" stroke-width="2" stroke-dasharray="4,3"/>`;
  history.forEach((r, i) => (svg += `<circle cx="${x(i)}" cy="${ya(r.accept)}" r="3" fill="${COLORS['human']}"><title>${esc(r.runId)}: ${r.accept} accepted</title></circle>`));
  svg += `<text x="40" y="${H - 4}" class="small">${esc(history[0]!.runId)}</text><text x="${W - 20}" y="${H - 4}" text-anchor="end" class="small">${esc(history[n - 1]!.runId)}</text>`;
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img">${svg}</svg><div class="legend"><span class="key" style="background:${COLORS['human']}"></span>records accepted (max ${fmt(maxA)}) <span class="key" style="background:${COLORS['synthetic']}"></span>synthetic share (0-100%)</div>`;
}

export function renderReport(r: Report): string {
  const c = r.counts;
  const reasons = Object.entries(r.reasons).sort((a, b) => b[1] - a[1]);
  const pbins = Array.from({ length: 10 }, (_, i) => `${(i / 10).toFixed(1)}`);
  const clusters = Object.entries(r.cluster_sizes).sort((a, b) => Number(a[0]) - Number(b[0])).map(([k, v]) => [`size ${k}`, v] as [string, number]);
  const divs = Object.entries(r.diversity_hist)
    .map(([k, v]) => `<h3>${esc(k)}</h3>${histogram({ [k]: v }, k === 'compression_ratio' ? Array.from({ length: 10 }, (_, i) => `${i}-${i + 1}`) : pbins)}`)
    .join('');
  const outShare = c.accept ? r.origin.accepted.synthetic / c.accept : 0;
  const inScored = c.input - c.quarantine;
  const inShare = inScored ? r.origin.input.synthetic / inScored : 0;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>synthfilter report ${esc(r.run_id)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:720px;color:#222}
h1{font-size:22px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #ddd;padding-bottom:4px} h3{font-size:13px;margin:12px 0 4px}
.cards{display:flex;gap:10px;flex-wrap:wrap}.card{border:1px solid #ddd;border-radius:6px;padding:8px 12px;min-width:120px}
.card b{display:block;font-size:20px}.muted{color:#777}.small{font-size:10px;fill:#555}svg text{font-size:11px;fill:#333}
.legend{font-size:12px;color:#444}.key{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ddd;padding:3px 8px;text-align:right}th{background:#f5f5f5}
</style></head><body>
<h1>synthfilter clean: ${esc(r.run_id)}</h1>
<div class="muted">started ${esc(r.started_at)} · synthfilter ${esc(r.version)} · config ${esc(r.config_fingerprint)} · ${r.inputs.length} input file(s)</div>
<h2>Records in and out</h2>
<div class="cards">
<div class="card">input<b>${fmt(c.input)}</b></div><div class="card">accepted<b>${fmt(c.accept)}</b></div>
<div class="card">rejected<b>${fmt(c.reject)}</b></div><div class="card">quarantined<b>${fmt(c.quarantine)}</b></div>
<div class="card">synthetic share<b>${pct(inShare)} → ${pct(outShare)}</b><span class="muted">cap ${pct(r.max_synthetic_share)}</span></div>
<div class="card">tail retention<b>${pct(r.tail.retention)}</b><span class="muted">${r.tail.accepted}/${r.tail.seen - r.tail.hard} tail</span></div>
</div>
${r.errors?.length ? `<h2>Input errors</h2><ul>${r.errors.map((e) => `<li>${esc(e)}</li>`).join('')}</ul>` : ''}
<h2>Rejections by reason</h2>${hbars(reasons, '#d9534f')}
<h2>Synthetic share per shard against the cap</h2>${shareChart(r.shards, r.max_synthetic_share)}
<table><tr><th>shard</th><th>records</th><th>human</th><th>synthetic</th><th>unknown</th><th>tail</th><th>share</th></tr>
${r.shards.map((s) => `<tr><td>${esc(s.name)}</td><td>${s.records}</td><td>${s.origin.human}</td><td>${s.origin.synthetic}</td><td>${s.origin.unknown}</td><td>${s.tail}</td><td>${pct(s.synthetic_share)}</td></tr>`).join('')}</table>
<h2>p_ai by origin label</h2>${histogram(r.p_ai_hist, pbins)}
<h2>Diversity metrics</h2>${divs || empty('diversity scoring is off')}
<h2>Near-duplicate clusters tonight</h2>${hbars(clusters)}
<h2>Trend over past nights</h2>${trend(r.history)}
</body></html>
`;
}
