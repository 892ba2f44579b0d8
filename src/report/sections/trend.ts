/** "Across nights": small charts over the recorded nights, oldest first. */
import { num, pct } from '../format.js';
import { legend, lines } from '../svg.js';
import { pointFromSummary, type TrendPoint } from '../store.js';
import type { Report } from '../report.js';

const pctAxis = (v: number) => `${+(v * 100).toFixed(1)}%`;

export function trendSection(r: Report): string {
  const pts: TrendPoint[] = r.trend ?? r.history.map(pointFromSummary);
  const xs = pts.map((p) => p.run_id);
  let s = `<h2 id="trend">Across nights</h2>`;
  s += `<p class="muted">${pts.length} recorded night(s), oldest first${pts.length < 2 ? ': the lines appear from the second night on' : ''}. Hover a point for its value.</p><div class="grid">`;
  const block = (title: string, chart: string, leg = '') => `<figure><figcaption>${title}</figcaption>${chart}${leg}</figure>`;
  s += block(
    'Records in and kept',
    lines(xs, [
      { name: 'records in', cls: 'c-in', values: pts.map((p) => p.records), fmt: num },
      { name: 'kept', cls: 'c-kept', values: pts.map((p) => p.kept), fmt: num },
    ], { label: 'records in and kept per night', yTitle: 'records', yFmt: num }),
    legend([{ cls: 'c-in', text: 'records in' }, { cls: 'c-kept', text: 'kept' }]),
  );
  s += block('Kept rate', lines(xs, [{ name: 'kept rate', cls: 'c-kept', values: pts.map((p) => p.kept_rate), fmt: pct }], { label: 'kept rate per night', yTitle: '% of records in', yFmt: pctAxis, yMax: 1 }));
  const hasEstimate = pts.some((p) => p.share);
  s += block(
    'Synthetic share',
    lines(xs, [
      { name: 'estimated share of input', cls: 'c-syn', values: pts.map((p) => p.share?.value ?? null), band: pts.map((p) => (p.share ? { low: p.share.low, high: p.share.high } : null)), fmt: pct },
      { name: 'labelled share of kept', cls: 'c-labels', values: pts.map((p) => p.share_labels), fmt: pct },
    ], { label: 'synthetic share per night', yTitle: '% synthetic', yFmt: pctAxis }),
    legend([{ cls: 'c-syn', text: hasEstimate ? 'estimated share of input (band: 95% interval)' : 'estimated share of input (none recorded)' }, { cls: 'c-labels', text: 'labelled share of kept' }]),
  );
  s += block(
    'Duplicates of earlier nights',
    lines(xs, [{ name: 'duplicate rate', cls: 'c-dup', values: pts.map((p) => p.duplicate_rate), fmt: pct }], { label: 'share of records duplicating an earlier night', yTitle: '% of records in', yFmt: pctAxis }),
    '<div class="legend muted">records matching a record indexed on an earlier night (exact or near)</div>',
  );
  s += block('Tail records kept', lines(xs, [{ name: 'tail kept', cls: 'c-tail', values: pts.map((p) => p.tail_kept), fmt: num }], { label: 'tail records kept per night', yTitle: 'records', yFmt: num }), '<div class="legend muted">rare records protected from soft rules and balancing</div>');
  return s + '</div>';
}
