/**
 * Code-point access to UTF-16 strings by offset, for the tokenizer's scans (no string is sliced).
 */

/** code point that starts at offset i */
export function cpAt(s: string, i: number): number {
  return s.codePointAt(i)!;
}
/** UTF-16 units of a code point */
export function cpLen(cp: number): number {
  return cp > 0xffff ? 2 : 1;
}
/** code point that ends just before offset i (i > 0) */
export function cpBefore(s: string, i: number): number {
  const c = s.charCodeAt(i - 1);
  if (c >= 0xdc00 && c <= 0xdfff && i >= 2) {
    const h = s.charCodeAt(i - 2);
    if (h >= 0xd800 && h <= 0xdbff) return ((h - 0xd800) << 10) + (c - 0xdc00) + 0x10000;
  }
  return c;
}

/** code point at offset k of a span ending at b, -1 past the end */
export function nextCp(s: string, k: number, b: number): number {
  return k < b ? s.codePointAt(k)! : -1;
}
