/**
 * Nesting depth of untrusted JSON, measured without recursion: over the bytes of a JSON text before it is parsed
 * (the readers) and over an already built value (the library entry points). Depth counts containers: `1` and
 * `"s"` are depth 0, `{}` is 1, `{"a":[1]}` is 2. A record deeper than `input.maxDepth` is quarantined `too_deep`
 * before anything recursive (JSON.stringify, structured clone) can overflow the stack on it.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;

/** Scanning state inside a JSON string that may continue in the next chunk. */
export interface StringState {
  /** the previous chunk ended on a backslash that escapes this chunk's first byte */
  escape: boolean;
}

/**
 * Skip the rest of a JSON string that is open at b[i] (the opening quote already consumed). Returns the index just
 * past the closing quote, or -1 when the string does not close before `end` (then `st.escape` says whether the
 * next chunk starts with an escaped byte). Jumps from quote to quote with indexOf: a backslash run just before a
 * quote decides whether the quote is escaped (an odd run escapes it).
 */
export function skipString(b: Uint8Array, i: number, end: number, st: StringState): number {
  if (st.escape) {
    st.escape = false;
    if (i >= end) {
      st.escape = true;
      return -1;
    }
    i++;
  }
  for (;;) {
    const q = b.indexOf(QUOTE, i);
    if (q < 0 || q >= end) {
      let run = 0;
      for (let k = end - 1; k >= i && b[k] === BACKSLASH; k--) run++;
      st.escape = run % 2 === 1;
      return -1;
    }
    let run = 0;
    for (let k = q - 1; k >= i && b[k] === BACKSLASH; k--) run++;
    if (run % 2 === 0) return q + 1;
    i = q + 1;
  }
}

/** How many of `byte` occur in b[start, end), counting at most `cap` (memchr speed through indexOf). */
function countUpTo(b: Uint8Array, byte: number, start: number, end: number, cap: number): number {
  let n = 0;
  for (let i = b.indexOf(byte, start); i >= 0 && i < end && n < cap; i = b.indexOf(byte, i + 1)) n++;
  return n;
}

/**
 * Is the JSON text b[start, end) nested deeper than `maxDepth`? Brackets inside strings do not count. Most lines
 * hold fewer than maxDepth+1 opening brackets in all, which two indexOf sweeps show without a byte loop. The text
 * need not be valid JSON: the answer is then about its brackets, and the parser reports the syntax error.
 */
export function bytesDepthExceeds(b: Uint8Array, start: number, end: number, maxDepth: number): boolean {
  const openers = countUpTo(b, LBRACE, start, end, maxDepth + 1);
  if (openers + countUpTo(b, LBRACKET, start, end, maxDepth + 1 - openers) <= maxDepth) return false;
  const st: StringState = { escape: false };
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c === QUOTE) {
      const next = skipString(b, i + 1, end, st);
      if (next < 0) return false; // an unterminated string: the parser will say so
      i = next - 1;
    } else if (c === LBRACE || c === LBRACKET) {
      if (++depth > maxDepth) return true;
    } else if (c === RBRACE || c === RBRACKET) depth--;
  }
  return false;
}

/**
 * Is the value nested deeper than `maxDepth`? An explicit stack of (container, depth) pairs, so a deep or cyclic
 * value is answered without recursion (a cycle is infinitely deep, so it exceeds any limit). A container shared by
 * several parents is walked again only when reached deeper than before, so shared sub-trees cost little.
 */
export function valueDepthExceeds(v: unknown, maxDepth: number): boolean {
  if (typeof v !== 'object' || v === null) return false;
  const deepest = new Map<object, number>();
  const stack: Array<[object, number]> = [[v, 1]];
  while (stack.length) {
    const [o, d] = stack.pop()!;
    if (d > maxDepth) return true;
    if ((deepest.get(o) ?? 0) >= d) continue;
    deepest.set(o, d);
    const children = Array.isArray(o) ? o : Object.values(o);
    for (const x of children) if (typeof x === 'object' && x !== null) stack.push([x, d + 1]);
  }
  return false;
}
