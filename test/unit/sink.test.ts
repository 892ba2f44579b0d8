/**
 * Output files: blocks compressed as separate gzip members on the thread pool must still read as one gzip stream,
 * give the same bytes for the same writes, report the sha256 and size of what is on disk, and be valid when empty;
 * the directory sink rotates rejects and quarantine files at their record limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { AtomicFile, DirectorySink } from '../../src/sink/files.js';
import type { Annotation, Outcome } from '../../src/types.js';

function lines(n: number, seed: number): string[] {
  let s = seed;
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out.push(JSON.stringify({ id: `r${i}`, text: `record ${i} ${'é€ word '.repeat(s % 400)}` }) + '\n');
  }
  return out;
}

async function writeAll(path: string, gzip: boolean, chunks: string[], per = 7): Promise<{ info: Awaited<ReturnType<AtomicFile['close']>>; bytes: Buffer }> {
  const f = new AtomicFile(path, gzip, 'x');
  for (let i = 0; i < chunks.length; i += per) await f.write(chunks.slice(i, i + per).join(''), Math.min(per, chunks.length - i));
  const info = await f.close();
  return { info, bytes: readFileSync(path) };
}

test('gzip output in blocks: one readable stream, deterministic bytes, sha256/size of the file, atomic rename', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-sink-'));
  const rows = lines(6000, 3); // several MB: many blocks, several in flight at once
  const whole = rows.join('');
  const a = await writeAll(join(dir, 'a.jsonl.gz'), true, rows);
  assert.ok(Buffer.byteLength(whole) > 4 * (1 << 20), 'the test spans several blocks');
  assert.equal(gunzipSync(a.bytes).toString('utf8'), whole);
  // more than one gzip member (the magic bytes recur), and the reader above joined them
  assert.ok(a.bytes.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10) > 0, 'several members');
  assert.equal(a.info.records, rows.length);
  assert.equal(a.info.bytes, a.bytes.length);
  assert.equal(a.info.sha256, createHash('sha256').update(a.bytes).digest('hex'));
  const b = await writeAll(join(dir, 'b.jsonl.gz'), true, rows);
  assert.deepEqual(b.bytes, a.bytes, 'same writes, same bytes');
  assert.deepEqual(readdirSync(dir).sort(), ['a.jsonl.gz', 'b.jsonl.gz'], 'no temporary files left');
});

test('plain output: bytes as written, mixed strings and byte arrays, in order', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-sink-'));
  const f = new AtomicFile(join(dir, 'p.bin'), false, 'p');
  const parts: Buffer[] = [];
  for (let i = 0; i < 3000; i++) {
    const s = `line ${i} ${'x'.repeat(i % 700)}\n`;
    if (i % 3 === 0) {
      const b = Buffer.from(s);
      parts.push(b);
      await f.write(new Uint8Array(b), 1);
    } else {
      parts.push(Buffer.from(s));
      await f.write(s, 1);
    }
  }
  const info = await f.close();
  const got = readFileSync(join(dir, 'p.bin'));
  assert.deepEqual(got, Buffer.concat(parts));
  assert.equal(info.bytes, got.length);
});

test('an empty gzip file is a valid (empty) gzip stream; an aborted file leaves nothing', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-sink-'));
  const e = await writeAll(join(dir, 'e.jsonl.gz'), true, []);
  assert.equal(gunzipSync(e.bytes).length, 0);
  const f = new AtomicFile(join(dir, 'gone.jsonl.gz'), true, 'g');
  await f.write('{"a":1}\n', 1);
  f.abort();
  assert.equal(existsSync(join(dir, 'gone.jsonl.gz')), false);
  assert.deepEqual(readdirSync(dir), ['e.jsonl.gz']);
});

test('DirectorySink: a rejects or quarantine file takes at most sideMaxRecords, also from one long run of rejects in one write', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sf-sink-'));
  const sink = new DirectorySink(dir, { annotate: true, annotationKey: 'sf', gzip: false, sideMaxRecords: 10 });
  const outcome = (i: number, decision: Annotation['decision']): Outcome => ({ id: `r${i}`, record: { id: `r${i}`, text: 't' }, annotation: { decision, reasons: [], dup: { kind: null, of: null, similarity: null }, diversity: {}, origin: { p_ai: null, label: 'unknown', by: 'none' }, tail: false, shard: null }, pos: { file: 'x', line: i }, bytes: 1 });
  // 25 rejects, 3 quarantined, 7 rejects: the first run alone spans three files
  const block = [...Array.from({ length: 25 }, (_, i) => outcome(i, 'reject')), ...Array.from({ length: 3 }, (_, i) => outcome(25 + i, 'quarantine')), ...Array.from({ length: 7 }, (_, i) => outcome(28 + i, 'reject'))];
  await sink.write(block);
  await sink.close();
  assert.deepEqual(sink.rejects.map((f) => [f.file, f.records]), [['rejects/rejects-00000.jsonl', 10], ['rejects/rejects-00001.jsonl', 10], ['rejects/rejects-00002.jsonl', 10], ['rejects/rejects-00003.jsonl', 2]]);
  assert.deepEqual(sink.quarantine.map((f) => f.records), [3]);
  const ids = sink.rejects.flatMap((f) => readFileSync(join(dir, f.file), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id));
  assert.deepEqual(ids, [...Array.from({ length: 25 }, (_, i) => `r${i}`), ...Array.from({ length: 7 }, (_, i) => `r${28 + i}`)], 'every reject once, in order');
});
