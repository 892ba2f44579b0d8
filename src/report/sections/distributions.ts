/** "Distributions that matter": p_ai by provenance, the metrics of the enabled rules with their thresholds, clusters. */
import { esc, num, share } from '../format.js';
import { hbars, histogram, legend } from '../svg.js';
import type { Report } from '../report.js';

export function originSection(r: Report): string {
  const n = r.night;
  let s = `<h2 id="origin">Who wrote it: detector scores (p_ai)</h2>`;
  if (!n) return s + '<p class="muted">This report was written before per-provenance score histograms were kept.</p>';
  const p = n.p_ai;
  const th = p.thresholds;
  const marks = th ? [{ at: th.synthetic, text: `synthetic ≥ ${th.synthetic}` }, { at: th.human, text: `human < ${th.human}` }] : [];
  const abstained = Object.entries(p.abstained).sort((a, b) => b[1] - a[1]);
  const nAbst = abstained.reduce((a, [, v]) => a + v, 0);
  const nUnd = p.undeclared.reduce((a, b) => a + b, 0) + nAbst;
  s += `<p class="muted">p_ai is the detector's probability that a text is machine-written. Declared records said where they came from (origin.declared); the detector scored the rest. ${th ? 'The dashed lines are the label thresholds.' : 'Origin scoring is off.'}</p><div class="grid">`;
  const panel = (title: string, counts: number[], cls: string) =>
    `<figure data-hist="${esc(title)}"><figcaption>${esc(title)}: ${num(counts.reduce((a, b) => a + b, 0))} scored</figcaption>${histogram({ counts, lo: 0, hi: 1, label: `p_ai of ${title}`, xTitle: 'p_ai (probability machine-written)', cls, marks })}</figure>`;
  s += panel('undeclared', p.undeclared, 'c-und');
  s += panel('declared human', p.declared_human, 'c-human');
  s += panel('declared synthetic', p.declared_synthetic, 'c-syn');
  s += `</div><p${nAbst ? '' : ' class="muted"'} data-abstained="${nAbst}">Not drawn: ${num(nAbst)} undeclared record(s) the detector did not score (${share(nAbst, nUnd)} of undeclared)${abstained.length ? `: ${abstained.map(([k, v]) => `${esc(k)} ${num(v)}`).join(', ')}` : ''}${p.declared_unscored ? `; ${num(p.declared_unscored)} declared record(s) not scored (provenance trusted)` : ''}.</p>`;
  return s;
}

export function metricsSection(r: Report): string {
  const n = r.night;
  let s = `<h2 id="metrics">Text-quality metrics of the enabled rules</h2>`;
  if (!n) return s + '<p class="muted">This report was written before per-rule histograms were kept.</p>';
  if (!n.metrics.length) return s + '<p class="muted">No text-quality rule is enabled (diversity.enabled, diversity.rules).</p>';
  s += `<p class="muted">One histogram per enabled rule over the records that were not quarantined; the dashed lines are the rule's limits (a record outside them fails the rule; soft rules are waived for tail records). The last bar (≥) collects values beyond the axis.</p><div class="grid">`;
  for (const m of n.metrics) {
    const marks = [...(m.min !== undefined ? [{ at: m.min, text: `min ${m.min}` }] : []), ...(m.max !== undefined && m.max <= m.hi ? [{ at: m.max, text: `max ${m.max}` }] : [])];
    const off = m.max !== undefined && m.max > m.hi ? ` (max ${num(m.max)} off the axis)` : '';
    s += `<figure data-metric="${esc(m.name)}"><figcaption><code>${esc(m.name)}</code> ${m.hard ? '<span class="tag">hard</span>' : '<span class="tag soft">soft</span>'}${esc(off)}${m.missing ? ` <span class="muted">· ${num(m.missing)} not measured</span>` : ''}</figcaption>`;
    s += histogram({ counts: m.hist, lo: m.lo, hi: m.hi, overflow: true, label: `${m.name} of tonight's records`, xTitle: m.name, cls: m.hard ? 'c-rej' : 'c-soft', marks }) + '</figure>';
  }
  s += `</div>${legend([{ cls: 'c-rej', text: 'hard rule (never waived)' }, { cls: 'c-soft', text: 'soft rule' }])}`;
  return s;
}

export function clustersSection(r: Report): string {
  const rows = Object.entries(r.cluster_sizes)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([k, v]) => ({ key: k, label: `${k} copies`, value: v }));
  return `<h2 id="clusters">Near-duplicate clusters tonight</h2><p class="muted">Groups of tonight's records that are near-duplicates of each other; each keeps its best member (dedup.keep).</p>` + hbars(rows, { label: 'near-duplicate clusters by size', unit: 'clusters', cls: 'c-in' });
}
