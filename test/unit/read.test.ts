import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { readSources, jsonlItems, type ReadOptions } from '../../src/io/read.js';
import type { InputItem } from '../../src/types.js';
import { tmp } from '../helpers.js';

const O: ReadOptions = { format: 'auto', maxLineBytes: 1024, maxDepth: 256, rawMaxBytes: 64 };

async function collect(it: AsyncIterable<InputItem[]>): Promise<InputItem[]> {
  const out: InputItem[] = [];
  for await (const b of it) out.push(...b);
  return out;
}
async function* chunksOf(buf: Buffer, size: number) {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

test('JSONL: CRLF, blank lines, bad lines keep their line numbers and reasons', async () => {
  const text = '{"text":"a"}\r\n\n   \n{bad json}\n[1,2]\n"str"\n{"text":"b"}';
  const items = await collect(jsonlItems(chunksOf(Buffer.from(text), 5), 'f', O));
  assert.deepEqual(
    items.map((i) => [i.kind, i.pos.line, i.kind === 'bad' ? i.reason : (i.record as any).text]),
    [
      ['record', 1, 'a'],
      ['bad', 4, 'malformed_json'],
      ['bad', 5, 'not_object'],
      ['bad', 6, 'not_object'],
      ['record', 7, 'b'],
    ],
  );
});

test('JSONL: invalid UTF-8 becomes invalid_utf8 with the raw text kept', async () => {
  const buf = Buffer.concat([Buffer.from('{"text":"ok"}\n{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]);
  const items = await collect(jsonlItems(chunksOf(buf, 7), 'f', O));
  assert.equal(items.length, 2);
  assert.equal(items[1]!.kind, 'bad');
  assert.equal((items[1] as any).reason, 'invalid_utf8');
  assert.equal(items[1]!.pos.line, 2);
});

test('JSONL: an overlong line is quarantined, truncated, and never buffered whole', async () => {
  const long = '{"text":"' + 'x'.repeat(5000) + '"}';
  const text = `{"text":"a"}\n${long}\n{"text":"b"}\n${long}`;
  for (const size of [1, 7, 100, 4096, 100000]) {
    const items = await collect(jsonlItems(chunksOf(Buffer.from(text), size), 'f', O));
    assert.deepEqual(items.map((i) => (i.kind === 'bad' ? i.reason : 'ok')), ['ok', 'line_too_long', 'ok', 'line_too_long'], `chunk ${size}`);
    const bad = items[1] as Extract<InputItem, { kind: 'bad' }>;
    assert.ok(bad.raw.length <= O.rawMaxBytes, 'raw truncated');
    assert.equal(bad.pos.line, 2);
    assert.equal(items[3]!.pos.line, 4);
  }
});

test('gzip, zstd, plain and JSON arrays are detected by content; files are read in order', async () => {
  const d = tmp();
  const rows = '{"text":"one"}\n{"text":"two"}\n';
  writeFileSync(join(d, 'a.jsonl'), rows);
  writeFileSync(join(d, 'b.data'), gzipSync(rows));
  writeFileSync(join(d, 'c.json'), ' [ {"text":"arr1"}, 5, {"text":"arr2"} ] ');
  writeFileSync(join(d, 'd.jsonl'), rows);
  execFileSync('zstd', ['-q', '-f', join(d, 'd.jsonl'), '-o', join(d, 'd.bin')]);
  const items = await collect(readSources(['a.jsonl', 'b.data', 'c.json', 'd.bin'].map((f) => join(d, f)), O));
  assert.deepEqual(
    items.map((i) => (i.kind === 'record' ? (i.record as any).text : i.reason)),
    ['one', 'two', 'one', 'two', 'arr1', 'not_object', 'arr2', 'one', 'two'],
  );
});

test('a truncated gzip stream throws an error naming the file, after yielding what was decoded', async () => {
  const d = tmp();
  const rows = Array.from({ length: 5000 }, (_, i) => JSON.stringify({ text: `row ${i} ${Math.sin(i)}` })).join('\n') + '\n';
  const gz = gzipSync(rows);
  const f = join(d, 'cut.jsonl.gz');
  writeFileSync(f, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const got: InputItem[] = [];
  await assert.rejects(async () => {
    for await (const b of readSources([f], O)) got.push(...b);
  }, (e: any) => e.code === 'E_INPUT' && e.message.includes('cut.jsonl.gz') && /truncated/.test(e.message));
  assert.ok(got.length > 0, 'records before the fault were yielded');
});

test('a missing file is an input error naming it', async () => {
  await assert.rejects(collect(readSources(['/nonexistent/x.jsonl'], O)), (e: any) => e.code === 'E_INPUT' && e.message.includes('/nonexistent/x.jsonl'));
});

test('a malformed JSON array element is quarantined with its byte offset; the elements around it are kept', async () => {
  const d = tmp();
  writeFileSync(join(d, 'a.json'), '[{"text":"ok"}, {"text": oops}, {"text":"after"}]');
  writeFileSync(join(d, 'b.jsonl'), '{"text":"next"}\n');
  const items = await collect(readSources([join(d, 'a.json'), join(d, 'b.jsonl')], O));
  const got = items.map((i) => (i.kind === 'record' ? (i.record as any).text : i.reason));
  assert.deepEqual(got, ['ok', 'malformed_json', 'after', 'next']);
  const bad = items[1] as any;
  assert.equal(bad.pos.line, 2);
  assert.equal(bad.pos.offset, 16);
  assert.match(bad.detail, /^byte 16: /);
});

test('a UTF-8 BOM before the first JSONL line is ignored', async () => {
  const buf = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"a"}\n{"text":"b"}\n')]);
  const items = await collect(jsonlItems(chunksOf(buf, 2), 'f', O));
  assert.deepEqual(items.map((i) => i.kind), ['record', 'record']);
});
