/** Text formatting shared by the report's sections: HTML escaping, counts, percentages, intervals. */

/** Escape text for HTML content and attribute values. */
export const esc = (s: string): string => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A count with thousands separators; a non-integer with up to 3 significant decimals. */
export function num(x: number): string {
  if (Number.isInteger(x)) return x.toLocaleString('en-US');
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toFixed(3);
}

/** A share as a percentage with one decimal; "n/a" for null. */
export const pct = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? 'n/a' : `${(x * 100).toFixed(1)}%`);

/** part / whole as a percentage ("n/a" when whole is 0). */
export const share = (part: number, whole: number): string => (whole > 0 ? pct(part / whole) : 'n/a');

export interface Interval {
  value: number;
  low: number;
  high: number;
}

/** "71.0% (55.0–86.0%)" */
export const interval = (e: Interval | null | undefined): string => (e ? `${pct(e.value)} (${pct(e.low)}–${pct(e.high)})` : 'n/a');

/** `data-*` attributes from a record of values (numbers written exactly, so tests can compare them). */
export function dataAttrs(d: Record<string, string | number | null | undefined>): string {
  return Object.entries(d)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => ` data-${k}="${esc(v === null ? '' : String(v))}"`)
    .join('');
}
