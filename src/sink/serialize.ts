/** Outcome -> one JSONL line. Records are written untouched apart from the annotation key. */
import type { Outcome } from '../types.js';

/**
 * With `annotate` false and the original line at hand, the line is written back byte for byte. Otherwise the
 * annotation is appended as the last key (an existing key of that name is replaced).
 */
export function serializeOutcome(o: Outcome, annotate: boolean, key: string): string {
  const rec = o.record;
  if (rec === null) {
    // a bad line that was not a JSON object: keep its raw text next to the annotation
    return `{${JSON.stringify(key)}:${JSON.stringify(o.annotation)},"raw":${JSON.stringify(o.raw ?? '')}}`;
  }
  if (!annotate) return o.raw ?? JSON.stringify(rec);
  if (Object.prototype.hasOwnProperty.call(rec, key)) return JSON.stringify({ ...rec, [key]: o.annotation });
  const body = o.raw !== undefined ? o.raw.trimEnd() : JSON.stringify(rec);
  const close = body.lastIndexOf('}');
  const head = body.slice(0, close).trimEnd();
  const sep = head.endsWith('{') ? '' : ',';
  return `${head}${sep}${JSON.stringify(key)}:${JSON.stringify(o.annotation)}}`;
}
