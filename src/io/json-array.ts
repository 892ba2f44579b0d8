/**
 * A top-level JSON array, read element by element with bounded memory. A small byte scanner cuts the array into
 * element byte ranges (it tracks only strings, escapes and bracket depth), then each element is parsed on its own
 * with JSON.parse. So:
 * - an element over input.maxLineBytes is quarantined `too_large` without being buffered whole (its first
 *   rawMaxBytes are kept, the rest is only scanned for its end);
 * - an element nested deeper than input.maxDepth is quarantined `too_deep` and never parsed;
 * - an element that does not parse is quarantined `malformed_json` with its byte offset, and reading resumes at
 *   the next element: every element before and after it is kept;
 * - a fault that breaks the array's structure (a bracket that closes nothing or the wrong thing, text after the
 *   closing `]`, input ending inside the array) is quarantined `malformed_json_array` with its byte offset; every
 *   element before it has been yielded, and then an input error stops the source (exit 3, manifest incomplete).
 * Byte offsets count the decoded input (after gzip/zstd), from 0.
 */
import { isUtf8 } from 'node:buffer';
import { inputError } from '../errors.js';
import type { InputItem, JsonRecord, ReasonCode } from '../types.js';
import { skipString, type StringState } from './json-depth.js';
import { READ_REASONS } from './reasons.js';

export interface ArrayReadOptions {
  maxLineBytes: number;
  maxDepth: number;
  rawMaxBytes: number;
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const LBRACE = 0x7b;
const RBRACE = 0x7d;
const LBRACKET = 0x5b;
const RBRACKET = 0x5d;
const BOM = [0xef, 0xbb, 0xbf];
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/** Where the scanner is: before the `[`, before an element, inside one, after the `]`, or stopped by a fault. */
const AT_START = 0;
const AT_SLOT = 1;
const AT_ELEMENT = 2;
const AT_END = 3;
const STOPPED = 4;

/** The element being scanned. */
class Element {
  parts: Buffer[] = []; // its bytes so far, while it is within the limits
  head: Buffer[] = []; // its first rawMaxBytes, once over a limit
  headLen = 0;
  bytes = 0;
  depth = 0;
  inString = false;
  readonly str: StringState = { escape: false };
  /** over a limit: no longer buffered (which limit is decided at its end, so chunking cannot change the reason) */
  over = false;
  tooDeep = false;
  constructor(readonly start: number) {}
}

/** Cuts decoded chunks into array elements; items accumulate in `out`, a structural fault sets `fault`. */
export class ArraySplitter {
  readonly out: InputItem[] = [];
  /** the input error message after a structural fault (reading stops) */
  fault: string | null = null;
  private at = AT_START;
  private offset = 0; // decoded bytes before the current chunk
  private slots = 0; // elements (and empty slots) finished
  private afterComma = false;
  private bom = 0; // bytes of a leading UTF-8 BOM seen
  private el: Element | null = null;
  /** the opening bracket at each depth 1..maxDepth of the current element, to catch a `}` closing a `[` (an entry
   * is always written when its depth is entered, before it is read, so elements share the table) */
  private readonly opened: Uint8Array;

  constructor(private readonly src: string, private readonly o: ArrayReadOptions) {
    this.opened = new Uint8Array(o.maxDepth + 1);
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n && this.at !== STOPPED) {
      if (this.at === AT_ELEMENT) {
        i = this.scan(chunk, i);
        continue;
      }
      const c = chunk[i]!;
      if (this.at === AT_START && this.offset + i === this.bom && this.bom < 3 && c === BOM[this.bom]) {
        this.bom++; // a UTF-8 byte order mark, possibly split across chunks
        i++;
        continue;
      }
      if (isWs(c) && (this.bom === 0 || this.bom === 3)) {
        i++;
        continue;
      }
      const at = this.offset + i;
      if (this.at === AT_START) {
        if (c === LBRACKET && (this.bom === 0 || this.bom === 3)) this.at = AT_SLOT;
        else this.stop(at, `expected "[" at the start of a JSON array, found ${show(c)}`, null);
        i++;
      } else if (this.at === AT_SLOT) {
        if (c === RBRACKET || c === COMMA) {
          // `[]` is empty; `[1,]` and `[1,,2]` have an empty slot, which is quarantined rather than ignored
          if (c === COMMA || this.afterComma) this.emptySlot(at);
          if (c === RBRACKET) this.at = AT_END;
          this.afterComma = c === COMMA;
          i++;
        } else {
          this.el = new Element(at);
          this.at = AT_ELEMENT;
        }
      } else {
        this.stop(at, `text after the end of the array (${show(c)})`, null);
      }
    }
    this.offset += n;
  }

  /** End of input: a complete array ends at AT_END (or had no `[` at all: empty input). */
  end(): void {
    if (this.at === STOPPED || this.at === AT_END || this.at === AT_START) return;
    const el = this.el;
    if (this.at === AT_ELEMENT && el && !el.inString && el.depth === 0) {
      // the last element is complete but the `]` is missing: keep the element, then report the cut
      this.finish();
      this.stop(this.offset, 'input ends before the array is closed', null);
    } else if (this.at === AT_ELEMENT && el) {
      this.stop(this.offset, `input ends inside element ${this.slots + 1}${el.inString ? ' (in a string)' : ` (${el.depth} levels deep)`}`, el);
    } else this.stop(this.offset, 'input ends before the array is closed', null);
  }

  /** Scan element bytes from chunk[i]; returns where scanning stopped (past the `,`/`]` that ended it, or n). */
  private scan(chunk: Buffer, i: number): number {
    const el = this.el!;
    const n = chunk.length;
    const from = i;
    for (; i < n; i++) {
      if (el.inString) {
        const next = skipString(chunk, i, n, el.str);
        if (next < 0) break;
        el.inString = false;
        i = next - 1;
        continue;
      }
      const c = chunk[i]!;
      if (c === QUOTE) el.inString = true;
      else if (c === LBRACE || c === LBRACKET) {
        if (++el.depth <= this.o.maxDepth) this.opened[el.depth] = c;
        else el.over = el.tooDeep = true;
      } else if (c === RBRACE || c === RBRACKET) {
        if (el.depth === 0) {
          if (c === RBRACKET) return this.boundary(chunk, from, i, AT_END);
          this.keep(chunk, from, i);
          this.stop(this.offset + i, 'a "}" that closes nothing', el);
          return n;
        }
        if (el.depth <= this.o.maxDepth && this.opened[el.depth] !== (c === RBRACE ? LBRACE : LBRACKET)) {
          this.keep(chunk, from, i);
          this.stop(this.offset + i, `a "${String.fromCharCode(c)}" closes a "${String.fromCharCode(this.opened[el.depth]!)}"`, el);
          return n;
        }
        el.depth--;
      } else if (c === COMMA && el.depth === 0) return this.boundary(chunk, from, i, AT_SLOT);
    }
    this.keep(chunk, from, n);
    return n;
  }

  /** The element ends at chunk[i] (a `,` or the closing `]`). */
  private boundary(chunk: Buffer, from: number, i: number, next: typeof AT_SLOT | typeof AT_END): number {
    this.keep(chunk, from, i);
    this.finish();
    this.at = next;
    this.afterComma = next === AT_SLOT;
    return i + 1;
  }

  /** Add chunk[a, b) to the element: buffered while within maxLineBytes, else only counted (and its head kept). */
  private keep(chunk: Buffer, a: number, b: number): void {
    const el = this.el!;
    if (b <= a) return;
    el.bytes += b - a;
    if (el.bytes > this.o.maxLineBytes) el.over = true;
    if (!el.over) {
      // a view while the element ends in this chunk; a copy when it goes on (the producer may reuse the chunk)
      el.parts.push(b === chunk.length ? Buffer.from(chunk.subarray(a, b)) : chunk.subarray(a, b));
      return;
    }
    if (el.parts.length) {
      for (const p of el.parts) this.keepHead(p, 0, p.length);
      el.parts = [];
    }
    this.keepHead(chunk, a, b);
  }

  private keepHead(chunk: Buffer, a: number, b: number): void {
    const el = this.el!;
    const room = this.o.rawMaxBytes - el.headLen;
    if (room <= 0) return;
    const take = Math.min(room, b - a);
    el.head.push(Buffer.from(chunk.subarray(a, a + take)));
    el.headLen += take;
  }

  /** The current element is complete: parse it into one item. */
  private finish(): void {
    const el = this.el!;
    this.el = null;
    const pos = { file: this.src, line: ++this.slots };
    const bad = (reason: ReasonCode, detail: string, raw: string): InputItem => ({ kind: 'bad', reason, detail: `byte ${el.start}: ${detail}`, raw, pos: { ...pos, offset: el.start }, bytes: el.bytes });
    // over both limits: too_large, as a JSONL line over maxLineBytes is line_too_long whatever its depth
    if (el.bytes > this.o.maxLineBytes) return void this.out.push(bad(READ_REASONS.tooLarge, `element of ${el.bytes} bytes exceeds input.maxLineBytes=${this.o.maxLineBytes}`, headText(el)));
    if (el.tooDeep) return void this.out.push(bad(READ_REASONS.tooDeep, `element nested deeper than input.maxDepth=${this.o.maxDepth}`, headText(el)));
    const buf = el.parts.length === 1 ? el.parts[0]! : Buffer.concat(el.parts);
    const raw = () => buf.subarray(0, this.o.rawMaxBytes).toString('utf8');
    if (!isUtf8(buf)) return void this.out.push(bad(READ_REASONS.invalidUtf8, 'element is not valid UTF-8', raw()));
    let v: unknown;
    try {
      v = JSON.parse(buf.toString('utf8'));
    } catch (e) {
      return void this.out.push(bad(READ_REASONS.malformed, (e as Error).message, raw()));
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      const text = JSON.stringify(v) ?? String(v);
      return void this.out.push({ kind: 'bad', reason: READ_REASONS.notObject, detail: 'array element is not a JSON object', raw: text.slice(0, this.o.rawMaxBytes), pos, bytes: el.bytes });
    }
    this.out.push({ kind: 'record', record: v as JsonRecord, pos, bytes: 0 });
  }

  private emptySlot(at: number): void {
    this.out.push({ kind: 'bad', reason: READ_REASONS.malformed, detail: `byte ${at}: empty array element`, raw: '', pos: { file: this.src, line: ++this.slots, offset: at }, bytes: 0 });
  }

  /** A structural fault at byte `at`: quarantine it (with the element it broke, if any) and stop reading. */
  private stop(at: number, what: string, el: Element | null): void {
    const kept = this.slots;
    const raw = el ? (el.over ? headText(el) : Buffer.concat(el.parts).subarray(0, this.o.rawMaxBytes).toString('utf8')) : '';
    const line = kept + 1;
    const detail = `byte ${at}: ${what}; the array cannot be resynchronised, so the rest of the input is not read (${kept} elements before it were)`;
    this.out.push({ kind: 'bad', reason: READ_REASONS.arrayAborted, detail, raw, pos: { file: this.src, line, offset: at }, bytes: el?.bytes ?? 0 });
    this.fault = `malformed JSON array at byte ${at} (element ${line}): ${what}`;
    this.at = STOPPED;
    this.el = null;
  }
}

const show = (c: number) => (c >= 0x20 && c < 0x7f ? `"${String.fromCharCode(c)}"` : `byte 0x${c.toString(16).padStart(2, '0')}`);
const headText = (el: Element) => Buffer.concat(el.head).toString('utf8');

/**
 * The items of a JSON array source, one batch per input chunk. After a structural fault the batch with its
 * quarantine item is yielded first, then an input error names the source and the byte offset.
 */
export async function* jsonArrayItems(chunks: AsyncIterable<Buffer>, src: string, o: ArrayReadOptions): AsyncGenerator<InputItem[]> {
  const s = new ArraySplitter(src, o);
  for await (const chunk of chunks) {
    s.push(chunk);
    if (s.out.length) yield s.out.splice(0);
    if (s.fault) break;
  }
  if (!s.fault) s.end();
  if (s.out.length) yield s.out.splice(0);
  if (s.fault) throw inputError(src, s.fault);
}
