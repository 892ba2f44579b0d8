/** "Why records were rejected": primary reasons (once per record), every rule matched, examples, quarantine. */
import { esc, num, share } from '../format.js';
import { hbars, type BarRow } from '../svg.js';
import type { Report } from '../report.js';

const rowsOf = (m: Record<string, number>, whole: number, of: string): BarRow[] =>
  Object.entries(m)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([k, v]) => ({ key: k, label: k, value: v, note: `${share(v, whole)} of ${of}` }));

export function reasonsSection(r: Report): string {
  const n = r.night;
  const rejected = r.counts.reject;
  let s = `<h2 id="reasons">Why records were rejected</h2>`;
  if (!n) {
    // a report from before the per-record data: the manifest's reason counts (every rule matched, quarantine too)
    return s + `<p class="muted">Every reason counted (a record can fail several rules).</p>` + hbars(rowsOf(r.reasons, rejected, 'rejected'), { label: 'reasons', unit: 'records', cls: 'c-rej' });
  }
  s += `<p>Each rejected record is counted <b>once</b>, under the first rule it failed (hard rules come first). The bars add up to the ${num(rejected)} rejected records.</p>`;
  s += `<div class="chart-block" data-chart="primary">${hbars(rowsOf(n.primary, rejected, 'rejected'), { label: 'rejected records by primary reason', unit: 'rejected records', cls: 'c-rej' })}</div>`;
  const total = Object.values(n.matched).reduce((a, b) => a + b, 0);
  s += `<h3>Every rule matched</h3><p class="muted">A record can fail several rules, so these bars add up to ${num(total)}, more than the ${num(rejected)} rejected records; a rule can be someone's primary reason and another record's second one.</p>`;
  s += `<div class="chart-block" data-chart="matched">${hbars(rowsOf(n.matched, rejected, 'rejected'), { label: 'rules matched by rejected records', unit: 'rejected records matching the rule', cls: 'c-rej-light' })}</div>`;
  const files = r.rejects.map((f) => `<a href="${esc(f.file)}">${esc(f.file)}</a>`).join(', ');
  const ex = Object.entries(n.primary)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `<tr><td class="l"><code>${esc(k)}</code></td><td>${num(v)}</td><td class="l ids">${(n.examples[k] ?? []).map((id) => `<code>${esc(id)}</code>`).join(' ')}</td></tr>`)
    .join('');
  if (ex) s += `<h3>Examples</h3><p class="muted">The first record ids rejected for each reason; the records with their annotations are in ${files || 'the rejects files'} (relative to the run's folder).</p><table class="examples"><thead><tr><th class="l">primary reason</th><th>records</th><th class="l">example ids</th></tr></thead><tbody>${ex}</tbody></table>`;
  const q = Object.entries(n.quarantine_reasons);
  if (q.length) {
    const qfiles = r.quarantine.map((f) => `<a href="${esc(f.file)}">${esc(f.file)}</a>`).join(', ');
    s += `<h3>Quarantined input</h3><p class="muted">Lines that were not usable records, with where they were, in ${qfiles || 'the quarantine files'}.</p>`;
    s += `<div class="chart-block" data-chart="quarantine">${hbars(rowsOf(n.quarantine_reasons, r.counts.quarantine, 'quarantined'), { label: 'quarantined lines by reason', unit: 'quarantined lines', cls: 'c-quar' })}</div>`;
  }
  return s;
}
