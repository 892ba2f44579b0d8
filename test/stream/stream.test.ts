import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable, Writable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { runFilter } from '../../src/stage/run.js';
import { createFilter } from '../../src/stage/transform.js';
import { resolveConfig } from '../../src/config/index.js';
import { fakeText, CORE_ONLY } from '../helpers.js';

class Collect extends Writable {
  data = '';
  constructor() {
    super();
  }
  override _write(c: Buffer, _e: string, cb: () => void) {
    this.data += c.toString();
    cb();
  }
}

function corpus(n: number): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 17 === 5) lines.push('{"text": broken');
    else if (i % 13 === 3) lines.push(JSON.stringify({ id: `d${i}`, text: fakeText(i - 1, 20) })); // exact dup of previous seed
    else lines.push(JSON.stringify({ id: `r${i}`, text: fakeText(i, 20) + ' é ✓ 𝔘' }));
    if (i % 29 === 0) lines.push('');
  }
  return Buffer.from(lines.join('\r\n') + '\n');
}

async function runChunked(buf: Buffer, size: number, mode: 'filter' | 'score' = 'score') {
  const out = new Collect();
  const stdin = Readable.from((function* () {
    for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
  })());
  const res = await runFilter({ sources: ['-'], cfg: resolveConfig(CORE_ONLY), mode, stdout: out, stdin });
  return { out: out.data, res };
}

test('chunk-size sweep across JSONL line boundaries gives identical output', async () => {
  const buf = corpus(400);
  const ref = await runChunked(buf, buf.length);
  assert.ok(ref.res.stats.quarantine > 0 && ref.res.stats.reject > 0 && ref.res.stats.accept > 0);
  for (const size of [1, 2, 3, 7, 64, 1000, 4097]) {
    const r = await runChunked(buf, size);
    assert.equal(r.out, ref.out, `chunk size ${size}`);
  }
  // score mode writes every input record exactly once, in input order
  const lines = ref.out.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(lines.length, ref.res.stats.seen);
});

test('filter mode writes exactly the accepted lines, byte for byte, in LF and CRLF input and any chunking', async () => {
  for (const eol of ['\n', '\r\n']) {
    const buf = Buffer.from(corpus(300).toString().replaceAll('\r\n', eol));
    // which ids are accepted, from the score output
    const scored = (await runChunked(buf, buf.length)).out.trim().split('\n').map((l) => JSON.parse(l));
    const acceptedIds = new Set(scored.filter((r) => r.synthfilter.decision === 'accept').map((r) => r.id));
    const lines = buf.toString().split(/\r?\n/).filter((l) => l.trim() !== '');
    const expected = lines.filter((l) => {
      try {
        return acceptedIds.has(JSON.parse(l).id);
      } catch {
        return false;
      }
    });
    assert.ok(expected.length > 100 && expected.length < lines.length, 'a mix of accepted and other lines');
    for (const size of [buf.length, 4097, 333, 7]) {
      const r = await runChunked(buf, size, 'filter');
      assert.equal(r.out, expected.join('\n') + '\n', `eol ${JSON.stringify(eol)} chunk ${size}`);
    }
  }
});

/**
 * Backpressure: a slow sink must throttle the source. We count records the source has produced minus records the
 * sink has received; it must stay bounded. The control pipeline uses a deliberately broken sink that acknowledges
 * writes immediately while parking data (ignoring backpressure): the gap grows with the input, proving the
 * measurement can fail.
 */
async function maxGap(slow: boolean, broken: boolean, n: number): Promise<number> {
  let produced = 0;
  let consumed = 0;
  let maxGap = 0;
  const src = new Readable({
    objectMode: true,
    highWaterMark: 16,
    read() {
      if (produced >= n) return this.push(null);
      produced++;
      maxGap = Math.max(maxGap, produced - consumed);
      this.push({ id: `x${produced}`, text: fakeText(produced, 12) });
    },
  });
  const parked: unknown[] = [];
  const sink = new Writable({
    objectMode: true,
    highWaterMark: 4,
    write(_rec, _e, cb) {
      if (broken) {
        parked.push(_rec);
        cb();
        return;
      }
      consumed++;
      if (slow) setTimeout(cb, 0);
      else cb();
    },
  });
  const filter = createFilter({ ...CORE_ONLY, dedup: { enabled: true } });
  await pipeline(src, filter, sink);
  if (broken) consumed = 0;
  return maxGap;
}

test('backpressure: a slow consumer keeps the in-flight queue bounded; a broken control does not', async () => {
  const n = 3000;
  const bounded = await maxGap(true, false, n);
  assert.ok(bounded < 100, `in-flight stayed bounded (max gap ${bounded})`);
  const control = await maxGap(false, true, n);
  assert.ok(control > n * 0.9, `control (broken sink) is unbounded: gap ${control}`);
});

test('CLI path: a slow stdout throttles reading (bounded gap between bytes read and bytes written)', async () => {
  const rows = Buffer.from(Array.from({ length: 20000 }, (_, i) => JSON.stringify({ id: i, text: fakeText(i + 1, 30) })).join('\n') + '\n');
  let read = 0;
  let written = 0;
  let maxGap = 0;
  const stdin = Readable.from((function* () {
    for (let i = 0; i < rows.length; i += 16384) {
      read += Math.min(16384, rows.length - i);
      maxGap = Math.max(maxGap, read - written);
      yield rows.subarray(i, i + 16384);
    }
  })());
  const slow = new Writable({
    highWaterMark: 16384,
    write(c: Buffer, _e, cb) {
      written += c.length;
      setTimeout(cb, 1);
    },
  });
  const res = await runFilter({ sources: ['-'], cfg: resolveConfig(CORE_ONLY), mode: 'filter', stdout: slow, stdin });
  assert.equal(res.stats.accept, 20000);
  assert.ok(maxGap < 4 * 1024 * 1024, `gap ${maxGap} bytes stays well below the ${rows.length}-byte input`);
});

test('destroying the Transform mid-stream ends the pipeline with an error and no hang', async () => {
  let n = 0;
  const filter = createFilter(CORE_ONLY);
  // an endless source: only destroying the filter can end this pipeline (the trigger does not depend on what the
  // filter lets through, so the test cannot hang if records are rejected)
  const src = new Readable({
    objectMode: true,
    read() {
      if (n === 200) filter.destroy(new Error('boom'));
      this.push({ text: fakeText(++n, 10) });
    },
  });
  const killer = new Transform({ objectMode: true, transform: (rec, _e, cb) => cb(null, rec) });
  const sink = new Writable({ objectMode: true, write: (_r, _e, cb) => cb() });
  await assert.rejects(pipeline(src, filter, killer, sink), /boom/);
});

test('Transform: records in, accepted records out, untouched unless annotate', async () => {
  const input = [{ id: 1, text: 'a b c' }, { id: 2, text: 'A  b c' }, { id: 3, text: 'other' }, 'junk'];
  const got: any[] = [];
  await pipeline(Readable.from(input), createFilter(CORE_ONLY), new Writable({ objectMode: true, write: (r, _e, cb) => (got.push(r), cb()) }));
  assert.deepEqual(got, [input[0], input[2]]);
  assert.equal(got[0], input[0], 'same object, untouched');
  const all: any[] = [];
  await pipeline(Readable.from(input), createFilter({ ...CORE_ONLY, output: { annotate: true } }, { emit: 'all' }), new Writable({ objectMode: true, write: (r, _e, cb) => (all.push(r), cb()) }));
  assert.deepEqual(all.map((o) => o.annotation.decision), ['accept', 'reject', 'accept', 'quarantine']);
});
