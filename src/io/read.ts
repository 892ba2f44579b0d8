/**
 * Readers: bytes (file or stdin, plain / gzip / zstd by magic bytes) -> lines or JSON-array elements -> InputItem
 * batches. Bad lines become `bad` items with a reason code; only unreadable or truncated streams (and a JSON array
 * whose structure breaks, see json-array.ts) throw, and they throw after every item decoded before the fault has
 * been yielded. Lines and elements are bounded by input.maxLineBytes (never buffered whole) and input.maxDepth.
 */
import { createReadStream, openSync, fstatSync, readSync, closeSync } from 'node:fs';
import { isUtf8 } from 'node:buffer';
import { Readable, pipeline, PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { inputError } from '../errors.js';
import type { InputItem, JsonRecord } from '../types.js';
import { bytesDepthExceeds } from './json-depth.js';
import { jsonArrayItems } from './json-array.js';
import { READ_REASONS } from './reasons.js';

export { READ_REASONS } from './reasons.js';
export { jsonArrayItems } from './json-array.js';

export interface ReadOptions {
  format: 'auto' | 'jsonl' | 'json';
  /** a JSONL line or JSON array element over this many bytes is quarantined without being buffered whole */
  maxLineBytes: number;
  /** a JSONL line or JSON array element nested deeper than this is quarantined `too_deep` */
  maxDepth: number;
  rawMaxBytes: number;
}

/** The readers' options from the `input` config section. */
export const readOptionsOf = (input: { format: ReadOptions['format']; maxLineBytes: number; maxDepth: number; rawMaxBytes: number }): ReadOptions => ({
  format: input.format,
  maxLineBytes: input.maxLineBytes,
  maxDepth: input.maxDepth,
  rawMaxBytes: input.rawMaxBytes,
});

type Source = string; // a path, or "-" for stdin

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const startsWith = (b: Buffer, m: number[]) => b.length >= m.length && m.every((x, i) => b[i] === x);

/** The head of a gzip or zstd stream (by magic bytes). */
export const isCompressed = (head: Buffer): boolean => startsWith(head, GZIP) || startsWith(head, ZSTD);

const FILE_CHUNK = 256 * 1024;

/**
 * Bytes [start, end) of an open regular file (end Infinity: to its end) in synchronous 256 KiB reads: from the
 * page cache about twice as fast as a ReadStream, whose per-chunk round trip through the thread pool dominated
 * pass-through runs. Every few chunks the event loop gets a turn, so signals and stdout drains are still seen.
 * Each chunk is a fresh buffer: lines handed downstream are views into it.
 */
async function* syncChunks(fd: number, start: number, end: number): AsyncGenerator<Buffer> {
  let pos = start;
  for (let k = 1; pos < end; k++) {
    const want = Math.min(FILE_CHUNK, end - pos);
    const b = Buffer.allocUnsafeSlow(want);
    const n = readSync(fd, b, 0, want, pos);
    if (n === 0) {
      if (end === Infinity) return;
      throw new Error(`file shrank below ${end} bytes while being read`);
    }
    pos += n;
    yield n === want ? b : b.subarray(0, n);
    if (k % 8 === 0) await new Promise<void>((r) => setImmediate(r));
  }
}

/** A file's bytes: a regular file in synchronous reads (syncChunks); pipes, FIFOs and devices stream. */
export async function* fileChunks(path: string): AsyncGenerator<Buffer> {
  const fd = openSync(path, 'r');
  let streamed = false;
  try {
    if (!fstatSync(fd).isFile()) {
      streamed = true;
      closeSync(fd);
      yield* createReadStream(path, { highWaterMark: FILE_CHUNK }) as AsyncIterable<Buffer>;
      return;
    }
    yield* syncChunks(fd, 0, Infinity);
  } finally {
    if (!streamed) closeSync(fd);
  }
}

function openRaw(src: Source, stdin: NodeJS.ReadableStream): AsyncIterable<Buffer> {
  if (src === '-') return stdin as AsyncIterable<Buffer>;
  return fileChunks(src);
}

async function* zstdChunks(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let out: Buffer[] = [];
  // loaded on first use: most runs never read zstd (start-up time is part of every pipe stage's cost)
  const { Decompress } = await import('fzstd');
  const d = new Decompress((chunk) => {
    out.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  });
  d.push(first);
  for (;;) {
    if (out.length) {
      const o = out;
      out = [];
      yield* o;
    }
    const r = await rest.next();
    if (r.done) break;
    d.push(r.value);
  }
  d.push(new Uint8Array(0), true); // throws "unexpected EOF" on a truncated stream
  yield* out;
}

/** Decoded bytes of one source. Errors name the file. */
export async function* decodedBytes(src: Source, stdin: NodeJS.ReadableStream = process.stdin): AsyncGenerator<Buffer> {
  const name = src === '-' ? '<stdin>' : src;
  const it = openRaw(src, stdin)[Symbol.asyncIterator]();
  let first: Buffer | undefined;
  try {
    // peek until we have 4 bytes for the magic check (or the stream ends)
    const parts: Buffer[] = [];
    let len = 0;
    while (len < 4) {
      const r = await it.next();
      if (r.done) break;
      const b = typeof r.value === 'string' ? Buffer.from(r.value) : r.value;
      parts.push(b);
      len += b.length;
    }
    first = Buffer.concat(parts);
  } catch (e) {
    throw inputError(name, `cannot read: ${(e as Error).message}`);
  }
  if (first.length === 0) return;
  try {
    if (startsWith(first, ZSTD)) {
      yield* zstdChunks(first, it);
    } else if (startsWith(first, GZIP)) {
      const src2 = Readable.from(
        (async function* () {
          yield first!;
          for (;;) {
            const r = await it.next();
            if (r.done) return;
            yield r.value;
          }
        })(),
      );
      const gunzip = createGunzip();
      const out = new PassThrough({ highWaterMark: 256 * 1024 });
      pipeline(src2, gunzip, out, () => {});
      for await (const b of out) yield b as Buffer;
    } else {
      yield first;
      for (;;) {
        const r = await it.next();
        if (r.done) break;
        yield r.value;
      }
    }
  } catch (e) {
    const msg = (e as Error).message;
    const what = /unexpected end|unexpected EOF|incorrect header|invalid|Z_BUF_ERROR/i.test(msg)
      ? `truncated or corrupt compressed stream (${msg})`
      : `read error (${msg})`;
    throw inputError(name, what);
  }
}

function truncRaw(b: Buffer, max: number): string {
  return b.subarray(0, Math.min(b.length, max)).toString('utf8');
}

/** One line, chunk[start, end). `valid`: the caller already knows these bytes are valid UTF-8. */
function parseLine(chunk: Buffer, start: number, end: number, valid: boolean, src: string, lineNo: number, o: ReadOptions): InputItem {
  const pos = { file: src, line: lineNo };
  const bytes = end - start + 1;
  if (!valid && !isUtf8(chunk.subarray(start, end))) {
    return { kind: 'bad', reason: READ_REASONS.invalidUtf8, detail: 'line is not valid UTF-8', raw: truncRaw(chunk.subarray(start, end), o.rawMaxBytes), pos, bytes };
  }
  if (bytesDepthExceeds(chunk, start, end, o.maxDepth)) {
    return { kind: 'bad', reason: READ_REASONS.tooDeep, detail: `line nested deeper than input.maxDepth=${o.maxDepth}`, raw: truncRaw(chunk.subarray(start, end), o.rawMaxBytes), pos, bytes };
  }
  const s = chunk.toString('utf8', start, end);
  let v: unknown;
  try {
    v = JSON.parse(s);
  } catch (e) {
    return { kind: 'bad', reason: READ_REASONS.malformed, detail: (e as Error).message, raw: s.length > o.rawMaxBytes ? s.slice(0, o.rawMaxBytes) : s, pos, bytes };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return { kind: 'bad', reason: READ_REASONS.notObject, detail: `expected a JSON object, got ${Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v}`, raw: s.length > o.rawMaxBytes ? s.slice(0, o.rawMaxBytes) : s, pos, bytes };
  }
  return { kind: 'record', record: v as JsonRecord, pos, bytes, line: s, lineChunk: chunk, lineStart: start, lineEnd: end };
}

const isBlank = (b: Buffer, start: number, end: number) => {
  for (let i = start; i < end; i++) {
    const c = b[i]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d) return false;
  }
  return true;
};

/**
 * JSONL: split decoded bytes on \n (a trailing \r is dropped), one batch of items per input chunk. Blank lines
 * are not records and are skipped. A line over maxLineBytes is never buffered whole: its first rawMaxBytes are
 * kept for the quarantine record and the rest is skipped.
 */
export async function* jsonlItems(chunks: AsyncIterable<Buffer>, src: string, o: ReadOptions, part: { bom: boolean; count?: { lines: number } } = { bom: true }): AsyncGenerator<InputItem[]> {
  let carry: Buffer[] = [];
  let carryLen = 0;
  let overlong = false; // skipping the rest of an overlong line
  let overlongHead: Buffer | null = null;
  let overlongBytes = 0;
  let lineNo = 0;
  // one line is chunk[start, end) without its \n; `valid`: known to be valid UTF-8
  const emitLine = (chunk: Buffer, startIn: number, endIn: number, valid: boolean, out: InputItem[]) => {
    let start = startIn;
    let end = endIn;
    lineNo++;
    if (lineNo === 1 && part.bom && chunk[start] === 0xef && chunk[start + 1] === 0xbb && chunk[start + 2] === 0xbf) start += 3; // UTF-8 BOM
    if (end > start && chunk[end - 1] === 0x0d) end--;
    if (isBlank(chunk, start, end)) return;
    out.push(parseLine(chunk, start, end, valid, src, lineNo, o));
  };
  const emitOverlong = (out: InputItem[]) => {
    lineNo++;
    out.push({
      kind: 'bad',
      reason: READ_REASONS.lineTooLong,
      detail: `line of ${overlongBytes} bytes exceeds input.maxLineBytes=${o.maxLineBytes}`,
      raw: truncRaw(overlongHead!, o.rawMaxBytes),
      pos: { file: src, line: lineNo },
      bytes: overlongBytes + 1,
    });
    overlong = false;
    overlongHead = null;
    overlongBytes = 0;
  };
  for await (const chunk of chunks) {
    const out: InputItem[] = [];
    let start = 0;
    // one UTF-8 check for all the complete lines of the chunk (a \n byte never occurs inside a multi-byte sequence,
    // so every line of a valid range is valid); on failure each line is checked on its own
    const lastNl = chunk.lastIndexOf(0x0a);
    const chunkValid = lastNl > 0 && isUtf8(chunk.subarray(0, lastNl));
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      if (overlong) {
        overlongBytes += nl - start;
        emitOverlong(out);
      } else if (carryLen > 0) {
        const tail = chunk.subarray(start, nl);
        if (carryLen + tail.length > o.maxLineBytes) {
          overlongHead = Buffer.concat(carry);
          overlongBytes = carryLen + tail.length;
          carry = [];
          carryLen = 0;
          emitOverlong(out);
        } else {
          carry.push(tail);
          const line = Buffer.concat(carry, carryLen + tail.length);
          carry = [];
          carryLen = 0;
          emitLine(line, 0, line.length, false, out);
        }
      } else if (nl - start > o.maxLineBytes) {
        overlongHead = chunk.subarray(start, start + Math.min(nl - start, o.rawMaxBytes));
        overlongBytes = nl - start;
        emitOverlong(out);
      } else {
        emitLine(chunk, start, nl, chunkValid, out);
      }
      start = nl + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (overlong) overlongBytes += rest.length;
      else if (carryLen + rest.length > o.maxLineBytes) {
        overlong = true;
        overlongHead = Buffer.concat([...carry, rest]).subarray(0, o.rawMaxBytes);
        overlongBytes = carryLen + rest.length;
        carry = [];
        carryLen = 0;
      } else {
        // copy: the chunk may be reused by the producer
        carry.push(Buffer.from(rest));
        carryLen += rest.length;
      }
    }
    if (out.length) yield out;
  }
  const out: InputItem[] = [];
  if (overlong) emitOverlong(out);
  else if (carryLen > 0) {
    const line = Buffer.concat(carry, carryLen);
    emitLine(line, 0, line.length, false, out);
  }
  if (part.count) part.count.lines = lineNo;
  if (out.length) yield out;
}

const isWs = (c: number | undefined) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;

/**
 * Choose JSONL or JSON array for `format: auto`. A source is a JSON array when its first non-blank byte is `[` and
 * it is not JSONL whose first line happens to be an array: i.e. unless the first line parses as a complete JSON
 * value AND more non-blank content follows it. Decided on at most the first 64 KiB.
 */
export function sniffFormat(head: Buffer, eof: boolean): 'json' | 'jsonl' | null {
  let i = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  while (i < head.length && isWs(head[i])) i++;
  if (i >= head.length) return eof ? 'jsonl' : null;
  if (head[i] !== 0x5b) return 'jsonl';
  const nl = head.indexOf(0x0a, i);
  if (nl < 0) return eof || head.length >= 65536 ? 'json' : null;
  let j = nl + 1;
  while (j < head.length && isWs(head[j])) j++;
  if (j >= head.length) return eof || head.length >= 65536 ? 'json' : null;
  try {
    JSON.parse(head.subarray(i, nl).toString('utf8'));
    return 'jsonl';
  } catch {
    return 'json';
  }
}

async function* withFormat(chunks: AsyncIterable<Buffer>, src: string, o: ReadOptions): AsyncGenerator<InputItem[]> {
  if (o.format === 'jsonl') return yield* jsonlItems(chunks, src, o);
  if (o.format === 'json') return yield* jsonArrayItems(chunks, src, o);
  const it = chunks[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let kind: 'json' | 'jsonl' | null = null;
  while (kind === null) {
    const r = await it.next();
    if (!r.done) head.push(r.value);
    kind = sniffFormat(Buffer.concat(head), !!r.done);
    if (r.done) break;
  }
  const replay = (async function* () {
    yield* head;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  })();
  if (kind === 'json') yield* jsonArrayItems(replay, src, o);
  else yield* jsonlItems(replay, src, o);
}

/** All sources in order, as batches of InputItems. */
export async function* readSources(sources: Source[], o: ReadOptions, stdin?: NodeJS.ReadableStream): AsyncGenerator<InputItem[]> {
  for (const src of sources.length ? sources : ['-']) {
    yield* withFormat(decodedBytes(src, stdin), src, o);
  }
}

/** Bytes [start, end) of a regular file (syncChunks); errors name the file. */
async function* rangeChunks(path: string, start: number, end: number): AsyncGenerator<Buffer> {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw inputError(path, `cannot read: ${(e as Error).message}`);
  }
  try {
    yield* syncChunks(fd, start, end);
  } catch (e) {
    throw inputError(path, `read error (${(e as Error).message})`);
  } finally {
    closeSync(fd);
  }
}

/**
 * One part of a plain JSONL file: the lines that start in [start, end) (the range must begin at a line start).
 * Line numbers count from the part's first line; `count.lines` is set to the part's line count at the end, so
 * the caller can continue numbering in the next part.
 */
export async function* readRange(path: string, start: number, end: number, o: ReadOptions, count: { lines: number }): AsyncGenerator<InputItem[]> {
  yield* jsonlItems(rangeChunks(path, start, end), path, o, { bom: start === 0, count });
}
