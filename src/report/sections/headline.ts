/** The top of the page: what ran, the warnings banner, and the night's numbers in cards. */
import { dataAttrs, esc, interval, num, pct, share } from '../format.js';
import type { Report } from '../report.js';

/** Each warning code in plain words, with what to do about it. Unknown codes show their message only. */
const WARNING_TEXT: Record<string, { title: string; todo: string }> = {
  synthetic_share_above_cap: {
    title: 'More machine-written text was kept than the cap allows.',
    todo: 'The cap counts declared labels and detector flags only. Cap by the estimate instead (route.capBasis "expected"), or declare provenance (origin.declared.field) for the sources without it.',
  },
  undeclared_majority: {
    title: 'Most records do not say where they came from.',
    todo: 'Their synthetic share is estimated from detector scores. Ask the data providers for a provenance field and set origin.declared.field.',
  },
  detector_abstained: {
    title: 'The detector could not judge many records.',
    todo: 'Mostly texts too short or not in English: they could be anything, so the interval is wide. See "Who wrote it" below for the reasons.',
  },
  synthetic_share_rising: {
    title: 'The synthetic share rose compared with earlier nights.',
    todo: 'Sort the per-file table by estimated share to find the files behind it: a new source may be machine-written.',
  },
  input_error: {
    title: 'An input file could not be read completely.',
    todo: 'What was read before the fault was processed; the file is read again next night. Check the file named here.',
  },
};

export function warningsBanner(r: Report): string {
  const items = [...(r.warnings ?? []), ...(r.errors ?? []).map((e) => ({ code: 'input_error', message: e }))];
  if (!items.length) return '';
  const li = items
    .map((w) => {
      const t = WARNING_TEXT[w.code];
      return `<li${dataAttrs({ code: w.code })}>${t ? `<b>${esc(t.title)}</b> ` : ''}${esc(w.message)}${t ? `<br><span class="todo">What to do: ${esc(t.todo)}</span>` : ''} <code>${esc(w.code)}</code></li>`;
    })
    .join('');
  return `<section class="warnings" role="alert"><h2>${items.length === 1 ? 'Warning' : `${items.length} warnings`}</h2><ul>${li}</ul></section>`;
}

const card = (key: string, title: string, value: number, whole: number | null, note = '') =>
  `<div class="card"${dataAttrs({ count: key, value })}><span class="k">${esc(title)}</span><b>${num(value)}</b><span class="muted">${whole === null ? '' : `${share(value, whole)} of input`}${note}</span></div>`;

/** The synthetic share card: the estimate with its interval when the run has one, else the label counts. */
function shareCard(r: Report): string {
  const est = r.synthetic_share?.estimate;
  const cap = `cap ${pct(r.max_synthetic_share)} of kept records`;
  if (est) {
    const low = est.confidence === 'low' ? `<br><span class="warn-text">low confidence: ${esc(est.low_confidence_reason ?? '')}</span>` : '';
    return (
      `<div class="card wide" data-share="estimate"${dataAttrs({ input: est.input.value, accepted: est.accepted?.value ?? null })}><span class="k">estimated synthetic share (95% interval)</span>` +
      `<b>${pct(est.input.value)} → ${pct(est.accepted?.value)}</b><span class="muted">input ${esc(interval(est.input))} · kept ${esc(interval(est.accepted))}<br>` +
      `${esc(cap)} · ${pct(est.undeclared)} undeclared, scored by the detector (${esc(est.method)})</span>${low}</div>`
    );
  }
  const c = r.counts;
  const scored = c.input - c.quarantine;
  const inShare = scored ? r.origin.input.synthetic / scored : null;
  const outShare = c.accept ? r.origin.accepted.synthetic / c.accept : null;
  const why = r.synthetic_share?.estimate_reason ? `no estimate: ${r.synthetic_share.estimate_reason}` : 'label counts: records declared or flagged synthetic';
  return `<div class="card wide" data-share="labels"><span class="k">synthetic share (labels)</span><b>${pct(inShare)} → ${pct(outShare)}</b><span class="muted">${esc(cap)}<br>${esc(why)}</span></div>`;
}

export function headline(r: Report): string {
  const c = r.counts;
  const tail = r.tail;
  return (
    `<header><h1>synthfilter nightly report: ${esc(r.run_id)}</h1>` +
    `<div class="muted">started ${esc(r.started_at)} · synthfilter ${esc(r.version)} · config ${esc(r.config_fingerprint)} · ${num(r.inputs.length)} input file(s)</div></header>` +
    warningsBanner(r) +
    `<h2 id="records">Records in and out</h2><div class="cards">` +
    card('input', 'records in', c.input, null) +
    card('accept', 'accepted (kept)', c.accept, c.input) +
    card('reject', 'rejected', c.reject, c.input) +
    card('quarantine', 'quarantined (bad input)', c.quarantine, c.input) +
    shareCard(r) +
    `<div class="card"${dataAttrs({ count: 'tail_accepted', value: tail.accepted })}><span class="k">tail records kept</span><b>${num(tail.accepted)}</b><span class="muted">tail retention ${pct(tail.retention)} (${num(tail.accepted)} of ${num(tail.seen - tail.hard)} rare records not failing a hard rule)</span></div>` +
    `</div>`
  );
}
