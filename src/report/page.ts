/**
 * The page frame: stylesheet (light and dark via prefers-color-scheme), section order, table sorting script.
 * Everything is inline: the page opens from disk with no network.
 */
import { esc } from './format.js';
import type { Report } from './report.js';
import { clustersSection, metricsSection, originSection } from './sections/distributions.js';
import { headline } from './sections/headline.js';
import { reasonsSection } from './sections/reasons.js';
import { filesSection, shardsSection } from './sections/tables.js';
import { trendSection } from './sections/trend.js';

const CSS = `
:root{--fg:#1f2328;--muted:#656d76;--bg:#fff;--card:#f6f8fa;--line:#d0d7de;--grid:#eaeef2;
--in:#6e7781;--kept:#1a7f37;--rej:#cf222e;--rej-light:#ff8182;--soft:#bc4c00;--quar:#8250df;--human:#0969da;--syn:#d1242f;--und:#9a6700;--labels:#57606a;--dup:#8250df;--tail:#1b7c83;--warn-bg:#fff8c5;--warn-line:#d4a72c}
@media (prefers-color-scheme: dark){:root{--fg:#e6edf3;--muted:#9198a1;--bg:#0d1117;--card:#161b22;--line:#3d444d;--grid:#262c36;
--in:#9198a1;--kept:#3fb950;--rej:#f85149;--rej-light:#ffa198;--soft:#db6d28;--quar:#a371f7;--human:#4493f8;--syn:#ff7b72;--und:#d29922;--labels:#9198a1;--dup:#a371f7;--tail:#39c5cf;--warn-bg:#272115;--warn-line:#9e6a03}}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1040px;padding:0 16px;color:var(--fg);background:var(--bg)}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:30px 0 8px;border-bottom:1px solid var(--line);padding-bottom:4px}h3{font-size:14px;margin:16px 0 4px}
a{color:var(--human)}code{font-size:12px}.muted{color:var(--muted)}p{margin:6px 0}
nav{margin:8px 0;font-size:13px}nav a{margin-right:12px}
.cards{display:flex;gap:10px;flex-wrap:wrap}.card{background:var(--card);border:1px solid var(--line);border-radius:6px;padding:8px 12px;min-width:130px;max-width:320px}
.card.wide{max-width:420px}.card .k{display:block;font-size:12px;color:var(--muted)}.card b{display:block;font-size:21px}.card .muted{font-size:12px}
.warnings{background:var(--warn-bg);border:1px solid var(--warn-line);border-radius:6px;padding:4px 14px;margin:14px 0}.warnings h2{border:0;margin:8px 0 0}
.warnings li{margin:6px 0}.todo{color:var(--fg)}.warn-text{color:var(--soft)}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(330px,1fr));gap:8px 18px}figure{margin:0}figcaption{font-size:13px;font-weight:600;margin:6px 0 2px}
.tag{font-size:11px;font-weight:400;border:1px solid var(--rej);color:var(--rej);border-radius:3px;padding:0 3px}.tag.soft{border-color:var(--soft);color:var(--soft)}
svg.chart{display:block;max-width:100%;height:auto;overflow:visible}svg text{font-size:11px;fill:var(--fg)}svg .tick,svg .axis-title{fill:var(--muted);font-size:10px}svg .note{fill:var(--muted)}
svg .grid{stroke:var(--grid)}svg .axis-line{stroke:var(--muted)}svg .frame{fill:var(--card);stroke:var(--line)}
svg .mark line{stroke:var(--fg);stroke-dasharray:4 3}svg .mark text{font-size:10px}
svg rect.overflow{opacity:.6}svg .line{fill:none;stroke-width:2}svg .band{opacity:.18;stroke:none}
.c-in{fill:var(--in);stroke:var(--in);background:var(--in)}.c-kept{fill:var(--kept);stroke:var(--kept);background:var(--kept)}.c-rej{fill:var(--rej);stroke:var(--rej);background:var(--rej)}
.c-rej-light{fill:var(--rej-light);background:var(--rej-light)}.c-soft{fill:var(--soft);background:var(--soft)}.c-quar{fill:var(--quar);background:var(--quar)}
.c-human{fill:var(--human);stroke:var(--human);background:var(--human)}.c-syn{fill:var(--syn);stroke:var(--syn);background:var(--syn)}.c-und{fill:var(--und);background:var(--und)}
.c-labels{fill:var(--labels);stroke:var(--labels);background:var(--labels)}svg .line.c-labels{stroke-dasharray:5 3}.c-dup{fill:var(--dup);stroke:var(--dup);background:var(--dup)}.c-tail{fill:var(--tail);stroke:var(--tail);background:var(--tail)}
svg .line{fill:none}.legend{font-size:12px;color:var(--muted);margin:2px 0 6px}.legend span{margin-right:14px}.swatch{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
table{border-collapse:collapse;font-size:12px;margin:6px 0;width:100%}td,th{border:1px solid var(--line);padding:3px 7px;text-align:right;vertical-align:top}th{background:var(--card);cursor:pointer;user-select:none}
th.l,td.l{text-align:left}th[aria-sort=ascending]::after{content:" ▲"}th[aria-sort=descending]::after{content:" ▼"}td.ids code{margin-right:6px}tr.rest td{color:var(--muted)}
`;

/** Click a header to sort its table by that column (numbers by their data-v value); click again to reverse. */
const SORT_SCRIPT = `
document.querySelectorAll('table.sortable').forEach(function (t) {
  t.querySelectorAll('th').forEach(function (th, col) {
    th.addEventListener('click', function () {
      var desc = th.getAttribute('aria-sort') !== 'descending';
      t.querySelectorAll('th').forEach(function (h) { h.removeAttribute('aria-sort'); });
      th.setAttribute('aria-sort', desc ? 'descending' : 'ascending');
      var body = t.tBodies[0];
      var rows = Array.prototype.filter.call(body.rows, function (r) { return !r.classList.contains('rest'); });
      var key = function (r) { var c = r.cells[col]; var v = c ? c.getAttribute('data-v') : ''; var n = Number(v); return v !== '' && !isNaN(n) ? n : v; };
      rows.sort(function (a, b) { var x = key(a), y = key(b); var c = x < y ? -1 : x > y ? 1 : 0; return desc ? -c : c; });
      var rest = body.querySelector('tr.rest');
      rows.forEach(function (r) { body.insertBefore(r, rest); });
    });
  });
});`;

export function renderPage(r: Report): string {
  const nav = [['records', 'Records'], ['reasons', 'Why rejected'], ['files', 'Per file'], ...(r.night?.strata ? [['strata', `Per ${r.night.strata.field}`]] : []), ['trend', 'Across nights'], ['origin', 'Who wrote it'], ['metrics', 'Metrics'], ['shards', 'Shards']];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="color-scheme" content="light dark">
<title>synthfilter report ${esc(r.run_id)}</title><style>${CSS}</style></head><body>
${headline(r)}
<nav>${nav.map(([id, t]) => `<a href="#${id}">${esc(t!)}</a>`).join('')}</nav>
${reasonsSection(r)}
${filesSection(r)}
${trendSection(r)}
${originSection(r)}
${metricsSection(r)}
${shardsSection(r)}
${clustersSection(r)}
<p class="muted">Generated by synthfilter ${esc(r.version)}. The numbers are in report.json beside this page; docs/report.md explains each section.</p>
<script>${SORT_SCRIPT}</script>
</body></html>
`;
}
