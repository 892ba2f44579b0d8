/**
 * Spools: the output of the nightly job's pure scoring phase, one JSONL file per input file, written atomically
 * (temp + fsync + rename) with a `.done` side file carrying the counts. A record read from JSONL takes two lines: its
 * scores (`k: "S"`), then its original line verbatim.
 *
 * Next to each spool, a `.feat` file carries the per-record features the sequential phases need (byte length,
 * exact hash, shingle hashes, the sorted word set and the MinHash lanes), computed in the scoring threads so the
 * main thread does not featurise or hash again. It is raw native-endian u32 (a local work file of one run, never
 * moved between machines), one entry per scored record in spool order:
 *   byteLength, exactHi, exactLo, nShingles (NONE: not computed), nWords, nLanes, shingles..., words..., lanes...
 * A spool without its `.feat` (an older spool of an interrupted run) is read as before: features from the text.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { fileChunks, isCompressed, readOptionsOf, readRange, readSources, sniffFormat } from '../io/read.js';
import { SynthfilterError } from '../errors.js';
import { AtomicFile, writeFileAtomic } from '../sink/files.js';
import { FilterCore, badLineId, type Prepared } from './core.js';
import type { StopWatch } from './stop.js';
import { distinct } from '../route/sketch.js';
import { MinHasher } from '../score/dedup/minhash.js';
import { dedupConfigOf } from '../score/build.js';
import type { FeatureParts } from '../text/features.js';
import type { Features, JsonRecord, ReasonCode, SourcePos } from '../types.js';
import type { Scored } from '../route/records.js';

export interface SpoolResult {
  items: number;
  error: string | null;
  /** input lines the spool covers (blank ones included): the line-number base of the file's next part */
  lines?: number;
}

/** A byte range of a plain JSONL file, cut at line starts. */
export interface ByteRange {
  start: number;
  end: number;
}

const PART_MIN = 256 * 1024;
const PARTS_MAX = 16;

/**
 * Where to cut a file for parallel scoring: byte ranges that start at line starts, about size/16 each (at least
 * 256 KiB), so the cut depends only on the file. Compressed files and JSON arrays are one range (they cannot be
 * entered in the middle).
 */
export function splitPoints(path: string, size: number, format: 'auto' | 'jsonl' | 'json'): ByteRange[] {
  const whole = [{ start: 0, end: size }];
  if (size < 2 * PART_MIN || format === 'json') return whole;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return whole; // the scoring pass reports the error
  }
  try {
    const head = Buffer.alloc(65536);
    const n = readSync(fd, head, 0, head.length, 0);
    const h = head.subarray(0, n);
    if (isCompressed(h)) return whole;
    if (format === 'auto' && sniffFormat(h, n < head.length) !== 'jsonl') return whole;
    const target = Math.max(PART_MIN, Math.ceil(size / PARTS_MAX));
    const cuts = [0];
    const buf = head; // the sniffed head is not needed any more
    for (let at = target; at < size; at += target) {
      // the first line start at or after `at`: just past the first \n at or after at - 1
      let pos = at - 1;
      let cut = -1;
      while (pos < size) {
        const k = readSync(fd, buf, 0, buf.length, pos);
        if (k === 0) break;
        const nl = buf.subarray(0, k).indexOf(0x0a);
        if (nl >= 0) {
          cut = pos + nl + 1;
          break;
        }
        pos += k;
      }
      if (cut < 0 || cut >= size) break;
      if (cut > cuts[cuts.length - 1]!) cuts.push(cut);
    }
    return cuts.map((s, i) => ({ start: s, end: i + 1 < cuts.length ? cuts[i + 1]! : size }));
  } finally {
    closeSync(fd);
  }
}

export interface SpoolOptions {
  /** MinHash lanes to compute ahead (the state backend's `signatureLanes`); 0: none */
  lanes: number;
}

const NONE = 0xffffffff;
const HEAD = 6;

/** Encodes the `.feat` entries of one batch. */
class PartsWriter {
  private readonly hasher: MinHasher | null;
  private readonly shingles: boolean;
  constructor(cfg: Config, o: SpoolOptions) {
    const dc = dedupConfigOf(cfg);
    this.shingles = cfg.dedup.enabled;
    this.hasher = cfg.dedup.enabled && dc.near && o.lanes > 0 ? new MinHasher(o.lanes, dc.seed) : null;
  }

  encode(fs: Features[]): Uint8Array {
    const parts: Array<[Features, Uint32Array | null, Uint32Array, Uint32Array | null]> = [];
    let n = 0;
    for (const f of fs) {
      const sh = this.shingles ? f.shingles : null;
      const ws = distinct(f.wordHashes);
      const sig = this.hasher && sh && sh.length > 0 ? this.hasher.signature(sh) : null;
      parts.push([f, sh, ws, sig]);
      n += HEAD + (sh?.length ?? 0) + ws.length + (sig?.length ?? 0);
    }
    const out = new Uint32Array(n);
    let o = 0;
    for (const [f, sh, ws, sig] of parts) {
      out[o++] = f.byteLength;
      out[o++] = f.exactHash[0]!;
      out[o++] = f.exactHash[1]!;
      out[o++] = sh ? sh.length : NONE;
      out[o++] = ws.length;
      out[o++] = sig ? sig.length : 0;
      if (sh) {
        out.set(sh, o);
        o += sh.length;
      }
      out.set(ws, o);
      o += ws.length;
      if (sig) {
        out.set(sig, o);
        o += sig.length;
      }
    }
    return new Uint8Array(out.buffer);
  }
}

/** Reads `.feat` entries in order, in blocks (views into each block; blocks are never reused). */
class PartsReader {
  private buf = new Uint32Array(0);
  private pos = 0;
  private eof = false;
  private readonly fd: number;
  /** bytes of the file not read yet */
  private unread: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'r');
    this.unread = fstatSync(this.fd).size;
  }

  private ensure(words: number): void {
    if (this.buf.length - this.pos >= words) return;
    const rest = this.buf.length - this.pos;
    // a block holds what is left of the file, up to 4 MB: a part's features file (about 1 MB) is one block sized to
    // fit. A fixed 4 MB block cost the routing thread ~0.5 s per 15k records in page faults on fresh memory.
    const next = new Uint32Array(Math.max(words, Math.min(1 << 20, rest + Math.ceil(this.unread / 4))));
    next.set(this.buf.subarray(this.pos));
    let filled = rest * 4;
    const bytes = new Uint8Array(next.buffer);
    while (!this.eof && filled < bytes.length) {
      const k = readSync(this.fd, bytes, filled, bytes.length - filled, null);
      if (k === 0) this.eof = true;
      filled += k;
      this.unread = Math.max(0, this.unread - k);
    }
    if (filled % 4 !== 0 || filled / 4 < words) throw new SynthfilterError('E_STATE', `${this.path}: truncated features file`);
    this.buf = next.subarray(0, filled / 4);
    this.pos = 0;
  }

  next(): FeatureParts {
    this.ensure(HEAD);
    const nSh = this.buf[this.pos + 3]!;
    const nWs = this.buf[this.pos + 4]!;
    const nSig = this.buf[this.pos + 5]!;
    const sh = nSh === NONE ? 0 : nSh;
    // the whole entry, then every view from where it now sits (ensure may move to a new block)
    this.ensure(HEAD + sh + nWs + nSig);
    const c = this.buf;
    let p = this.pos;
    const byteLength = c[p]!;
    const ex = c.subarray(p + 1, p + 3);
    p += HEAD;
    const shingles = c.subarray(p, p + sh);
    p += sh;
    const wordSet = c.subarray(p, p + nWs);
    p += nWs;
    const signature = nSig ? c.subarray(p, p + nSig) : null;
    p += nSig;
    this.pos = p;
    return { byteLength, exactHash: ex, shingles: nSh === NONE ? null : shingles, wordSet, signature };
  }

  close(): void {
    closeSync(this.fd);
  }
}

export async function writeSpool(cfg: Config, file: string, spool: string, core: FilterCore = new FilterCore(cfg), o: SpoolOptions = { lanes: 0 }, range: ByteRange | null = null, stop?: StopWatch): Promise<SpoolResult> {
  const out = new AtomicFile(spool, false, spool);
  const feat = new AtomicFile(spool + '.feat', false, spool + '.feat');
  const pw = new PartsWriter(cfg, o);
  let items = 0;
  let error: string | null = null;
  const ro = readOptionsOf(cfg.input);
  const count = { lines: 0 };
  try {
    for await (const batch of range ? readRange(file, range.start, range.end, ro, count) : readSources([file], ro)) {
      stop?.check(); // a stop leaves no spool: the catch below drops both files
      let buf = '';
      const fs: Features[] = [];
      for (const it of batch) {
        const p = core.prepare(it, items++);
        if (p.kind === 'q') buf += JSON.stringify({ k: 'q', id: p.id, reason: p.reason, detail: p.detail, pos: p.pos, bytes: p.bytes, record: p.record, raw: p.raw }) + '\n';
        else {
          // a record read from JSONL: the meta line, then its original line verbatim (no JSON-in-JSON escaping to
          // parse back); otherwise the record inside the meta line
          if (p.line !== undefined) buf += JSON.stringify({ k: 'S', id: p.id, bytes: p.bytes, pos: p.pos, diversity: p.diversity, origin: p.origin, ruleFailures: p.ruleFailures }) + '\n' + p.line + '\n';
          else buf += JSON.stringify({ k: 's', id: p.id, bytes: p.bytes, pos: p.pos, diversity: p.diversity, origin: p.origin, ruleFailures: p.ruleFailures, record: p.record }) + '\n';
          fs.push(p.features);
        }
      }
      await out.write(buf, batch.length);
      if (fs.length) await feat.write(pw.encode(fs), fs.length);
    }
  } catch (e) {
    if (!(e instanceof SynthfilterError) || e.code !== 'E_INPUT') {
      out.abort();
      feat.abort();
      throw e;
    }
    error = e.message; // the records before the fault are kept; the file is not registered as processed
  }
  await out.close();
  await feat.close();
  const result: SpoolResult = { items, error, lines: count.lines };
  writeFileAtomic(spool + '.done', JSON.stringify(result));
  return result;
}

/**
 * A spool's lines, split on \n only (a JSONL line may hold a bare \r between tokens, which readline would split
 * on), read as the input readers read files (fileChunks).
 */
async function* spoolLines(path: string): AsyncGenerator<string> {
  let carry: Buffer | null = null;
  for await (const b of fileChunks(path)) {
    const chunk: Buffer = carry ? Buffer.concat([carry, b]) : b;
    carry = null;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) break;
      yield chunk.toString('utf8', start, nl);
      start = nl + 1;
    }
    if (start < chunk.length) carry = chunk.subarray(start); // chunks are never reused: a view is safe
  }
  if (carry && carry.length) yield carry.toString('utf8');
}

/** A spool entry as written: a scored record ('S': its original line in `line`; 's': its `record`) or a
 * quarantined item ('q'), with the scorers' numbers; no features. */
export interface SpoolEntry {
  k: 'S' | 's' | 'q';
  id: string;
  pos: SourcePos;
  bytes: number;
  line?: string;
  record?: JsonRecord | null;
  raw?: string | null;
  reason?: ReasonCode;
  detail?: string;
  diversity?: Scored['diversity'];
  origin?: Scored['origin'];
  ruleFailures?: Scored['ruleFailures'];
}

/** A spool's entries in order, as written (what a reader that needs no features takes: the batch write tasks). */
export async function* spoolEntries(spool: string): AsyncGenerator<SpoolEntry> {
  const lines = spoolLines(spool);
  for (;;) {
    const r = await lines.next();
    if (r.done) return;
    const l = r.value;
    if (!l) continue;
    const x = JSON.parse(l) as SpoolEntry;
    if (x.k === 'S') {
      // the record's original line follows
      const n = await lines.next();
      if (n.done) throw new SynthfilterError('E_STATE', `${spool}: truncated spool`);
      x.line = n.value;
    }
    yield x;
  }
}

/** A spool's records; `lineBase`: lines of the file before this part (added to every line number). */
export async function* readSpool(spool: string, core: FilterCore, lineBase = 0): AsyncGenerator<Prepared> {
  const parts = existsSync(spool + '.feat') ? new PartsReader(spool + '.feat') : null;
  try {
    for await (const x of spoolEntries(spool)) {
      if (lineBase) x.pos.line += lineBase;
      if (x.k === 'q') {
        // an unparseable line's id comes from its position: redo it with the file's line number
        const id = lineBase && x.record == null ? badLineId(x.pos) : x.id;
        yield { kind: 'q', seq: 0, id, reason: x.reason!, detail: x.detail!, pos: x.pos, bytes: x.bytes, record: x.record ?? null, raw: x.raw ?? undefined };
        continue;
      }
      const record = (x.line !== undefined ? JSON.parse(x.line) : x.record) as JsonRecord;
      const text = core.textOf(record);
      const features = core.featuresOf(text, parts ? parts.next() : undefined);
      yield { kind: 's', seq: 0, id: x.id, record, features, bytes: x.bytes, pos: x.pos, line: x.line, dup: null, diversity: x.diversity!, origin: x.origin!, ruleFailures: x.ruleFailures! };
    }
  } finally {
    parts?.close();
  }
}
