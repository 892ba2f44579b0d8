/** Per input file, per stratum and per shard: sortable tables (click a column header; page.ts holds the script). */
import { dataAttrs, esc, interval, num, pct, share } from '../format.js';
import { hbars } from '../svg.js';
import type { GroupData } from '../collect.js';
import type { Report } from '../report.js';

/** Rows shown per table; the rest are summed in a last row (the full lists are in report.json). */
export const MAX_TABLE_ROWS = 1000;

const topReasons = (m: Record<string, number>) =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, 3)
    .map(([k, v]) => `${esc(k)} ${num(v)}`)
    .join(', ');

const td = (v: number | string, sortValue: number | string, cls = '') => `<td${cls ? ` class="${cls}"` : ''} data-v="${esc(String(sortValue))}">${typeof v === 'number' ? num(v) : v}</td>`;

function groupRow(name: string, key: string, g: GroupData): string {
  const kept = g.in - g.quarantined ? g.kept / (g.in - g.quarantined) : -1;
  return (
    `<tr${dataAttrs({ [key]: name, in: g.in, kept: g.kept, rejected: g.rejected, quarantined: g.quarantined, tail: g.tail_kept })}>` +
    td(`<code>${esc(name)}</code>`, name, 'l') +
    td(g.in, g.in) +
    td(g.kept, g.kept) +
    td(share(g.kept, g.in - g.quarantined), kept) +
    td(g.rejected, g.rejected) +
    td(topReasons(g.reasons), Object.values(g.reasons).reduce((a, b) => Math.max(a, b), 0), 'l') +
    td(g.quarantined, g.quarantined) +
    td(esc(interval(g.share)), g.share?.value ?? -1) +
    td(g.tail_kept, g.tail_kept) +
    `</tr>`
  );
}

function groupTable(kind: string, key: string, rows: Array<{ name: string; g: GroupData }>): string {
  const head = [kind, 'in', 'kept', 'kept %', 'rejected', 'top primary reasons', 'quarantined', 'est. synthetic share (95% interval)', 'tail kept'];
  const shown = rows.slice(0, MAX_TABLE_ROWS);
  const rest = rows.slice(MAX_TABLE_ROWS);
  let body = shown.map((r) => groupRow(r.name, key, r.g)).join('');
  if (rest.length) {
    const sum = (f: (g: GroupData) => number) => rest.reduce((a, r) => a + f(r.g), 0);
    body += `<tr class="rest"><td class="l" colspan="9">… and ${num(rest.length)} more: ${num(sum((g) => g.in))} records in, ${num(sum((g) => g.kept))} kept, ${num(sum((g) => g.rejected))} rejected, ${num(sum((g) => g.quarantined))} quarantined (every row is in report.json under night)</td></tr>`;
  }
  return `<table class="sortable" data-table="${esc(key)}"><thead><tr>${head.map((h, i) => `<th${i === 0 || i === 5 ? ' class="l"' : ''} title="click to sort">${esc(h)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>`;
}

export function filesSection(r: Report): string {
  const n = r.night;
  let s = `<h2 id="files">Per input file</h2>`;
  if (!n) return s + `<p class="muted">This report was written before per-file counts were kept.</p>`;
  s += `<p class="muted">One row per input file read tonight. Kept % is of the records that were not quarantined. Click a column to sort.${n.files.length > MAX_TABLE_ROWS ? ` The first ${num(MAX_TABLE_ROWS)} of ${num(n.files.length)} files are listed.` : ''}</p>`;
  s += groupTable('file', 'file', n.files.map((f) => ({ name: f.file, g: f })));
  if (n.strata) {
    const groups = [...n.strata.groups].sort((a, b) => b.in - a.in || (a.value < b.value ? -1 : 1));
    s += `<h2 id="strata">Per ${esc(n.strata.field)}</h2><p class="muted">Records by the value of <code>${esc(n.strata.field)}</code> (route.balanceBy, or the tail rule's stratum field), most records first.</p>`;
    s += groupTable(n.strata.field, 'stratum', groups.map((g) => ({ name: g.value, g })));
  }
  return s;
}

export function shardsSection(r: Report): string {
  let s = `<h2 id="shards">Output shards</h2>`;
  if (!r.shards.length) return s + '<p class="muted">No records were kept: no shards.</p>';
  const est = (x: unknown) => (x as { synthetic_share_estimate?: { value: number; low: number; high: number } | null }).synthetic_share_estimate;
  s += hbars(
    r.shards.map((x) => ({ key: x.name, label: x.name, value: +(x.synthetic_share * 100).toFixed(1), note: `${num(x.origin.synthetic)} of ${num(x.records)}` })),
    { label: 'synthetic share per shard (labels)', unit: `% of the shard's records labelled synthetic (cap ${pct(r.max_synthetic_share)})`, cls: 'c-syn' },
  );
  s += `<table class="sortable" data-table="shards"><thead><tr><th class="l">shard</th><th>records</th><th>human</th><th>synthetic</th><th>unknown</th><th>tail</th><th>share (labels)</th><th>est. share (95% interval)</th></tr></thead><tbody>`;
  s += r.shards
    .map((x) => `<tr${dataAttrs({ shard: x.name, records: x.records })}>${td(esc(x.file), x.name, 'l')}${td(x.records, x.records)}${td(x.origin.human, x.origin.human)}${td(x.origin.synthetic, x.origin.synthetic)}${td(x.origin.unknown, x.origin.unknown)}${td(x.tail, x.tail)}${td(pct(x.synthetic_share), x.synthetic_share)}${td(esc(interval(est(x))), est(x)?.value ?? -1)}</tr>`)
    .join('');
  return s + '</tbody></table>';
}
