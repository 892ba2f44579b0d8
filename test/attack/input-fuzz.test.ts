/**
 * Attack suite, input side: fast-check throws hostile bytes at the readers and the core (library API) and a few at
 * the built CLI. Whatever the input: no crash (only an input error, exit 3), counts reconcile (input = accept +
 * reject + quarantine), every quarantine record says why, and no good record before a fault is lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { readOptionsOf, readSources } from '../../src/io/read.js';
import { FilterCore } from '../../src/stage/core.js';
import { filterRecords } from '../../src/stage/transform.js';
import { resolveConfig } from '../../src/config/index.js';
import { SynthfilterError } from '../../src/errors.js';
import type { Outcome } from '../../src/types.js';
import { CORE_ONLY, CORE_ONLY_FLAGS, runCli, tmp } from '../helpers.js';

const MAX_LINE = 2048;
const MAX_DEPTH = 24;
const LIMITS = { maxLineBytes: MAX_LINE, maxDepth: MAX_DEPTH, rawMaxBytes: 64 };
const CFG = resolveConfig({ ...CORE_ONLY, dedup: { enabled: false }, input: LIMITS });

interface Run {
  outcomes: Outcome[];
  error: SynthfilterError | null;
}

/** Bytes through the public readers and FilterCore, as stdin cut into the given chunk sizes. */
async function throughLibrary(bytes: Buffer, cuts: number[] = []): Promise<Run> {
  const chunks: Buffer[] = [];
  let at = 0;
  for (const c of cuts) {
    if (at >= bytes.length) break;
    chunks.push(bytes.subarray(at, at + c));
    at += c;
  }
  if (at < bytes.length) chunks.push(bytes.subarray(at));
  const core = new FilterCore(CFG);
  const outcomes: Outcome[] = [];
  let error: SynthfilterError | null = null;
  try {
    for await (const batch of readSources(['-'], readOptionsOf(CFG.input), Readable.from(chunks))) outcomes.push(...(await core.processBatch(batch)));
  } catch (e) {
    if (!(e instanceof SynthfilterError) || e.code !== 'E_INPUT') throw e; // anything else is a crash
    error = e;
  }
  outcomes.push(...(await core.end()));
  const s = core.stats;
  assert.equal(s.seen, outcomes.length, 'one outcome per input item');
  assert.equal(s.seen, s.accept + s.reject + s.quarantine, 'counts reconcile');
  for (const o of outcomes) {
    if (o.annotation.decision !== 'quarantine') continue;
    assert.equal(o.annotation.reasons.length, 1);
    assert.match(o.annotation.reasons[0]!, /^[a-z_0-9]+$/);
    assert.ok((o.annotation as { detail?: string }).detail, 'a quarantine record says why');
  }
  return { outcomes, error };
}

const kept = (r: Run) => new Set(r.outcomes.filter((o) => o.annotation.decision !== 'quarantine').map((o) => o.id));
const reasonAt = (r: Run, line: number) => r.outcomes.find((o) => o.pos.line === line)?.annotation.reasons;

/** A good record: unique id, text a few words long. */
const good = (i: number) => ({ id: `g${i}`, text: `record number ${i} says "hello" \\ [to] {all}` });
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const cutsArb = fc.array(fc.integer({ min: 1, max: 300 }), { maxLength: 8 });

test('random bytes: no crash, counts reconcile, every quarantine has a reason', async () => {
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 3000 }), cutsArb, async (b, cuts) => {
      await throughLibrary(Buffer.from(b), cuts);
    }),
    { numRuns: 100 },
  );
  // random bytes after a "[" (a JSON array is sniffed) and after a gzip magic
  await fc.assert(
    fc.asyncProperty(fc.uint8Array({ maxLength: 2000 }), fc.constantFrom('[', '[{"text":"a"},', '\x1f\x8b'), cutsArb, async (b, head, cuts) => {
      await throughLibrary(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(b)]), cuts);
    }),
    { numRuns: 100 },
  );
});

/** One JSONL line: good, or one of the hostile kinds; `bad` lines must be quarantined with `reason` (if set). */
const lineArb = fc.oneof(
  { weight: 4, arbitrary: fc.constant({ kind: 'good' as const }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 80 }).map((s) => ({ kind: 'junk' as const, text: s.replace(/[\n\r]/g, ' ') })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 * MAX_DEPTH }).map((d) => ({ kind: 'deep' as const, depth: d })) },
  { weight: 1, arbitrary: fc.integer({ min: MAX_LINE - 40, max: 3 * MAX_LINE }).map((n) => ({ kind: 'huge' as const, n })) },
  { weight: 1, arbitrary: fc.integer({ min: 1, max: 30 }).map((cut) => ({ kind: 'cut' as const, cut })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'utf8' as const }) },
);

test('JSONL with broken, deep and huge lines: every good line is kept, every other line is one quarantine record', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(lineArb, { maxLength: 40 }), cutsArb, async (kinds, cuts) => {
      const lines: Buffer[] = [Buffer.from(JSON.stringify(good(0)))];
      const expect: Array<[number, string, string | null]> = [[1, 'g0', null]]; // [line, id, quarantine reason or null]
      kinds.forEach((k, i) => {
        const id = `g${i + 1}`;
        if (k.kind === 'good') {
          lines.push(Buffer.from(JSON.stringify(good(i + 1))));
          expect.push([lines.length, id, null]);
        } else if (k.kind === 'deep') {
          const line = `{"id":"${id}","text":"deep","a":${nested(k.depth)}}`;
          lines.push(Buffer.from(line));
          expect.push([lines.length, id, k.depth + 1 > MAX_DEPTH ? 'too_deep' : null]);
        } else if (k.kind === 'huge') {
          const line = JSON.stringify({ id, text: 'x'.repeat(k.n) });
          lines.push(Buffer.from(line));
          expect.push([lines.length, id, Buffer.byteLength(line) > MAX_LINE ? 'line_too_long' : null]);
        } else if (k.kind === 'cut') {
          const line = JSON.stringify(good(i + 1));
          lines.push(Buffer.from(line.slice(0, Math.min(k.cut, line.length - 1))));
        } else if (k.kind === 'utf8') {
          lines.push(Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]));
        } else if (k.text.trim()) lines.push(Buffer.from(k.text));
      });
      const r = await throughLibrary(Buffer.from(Buffer.concat(lines.flatMap((l) => [l, Buffer.from('\n')]))), cuts);
      assert.equal(r.error, null);
      assert.equal(r.outcomes.length, lines.length, 'one outcome per non-blank line');
      const ok = kept(r);
      for (const [line, id, reason] of expect) {
        if (reason === null) assert.ok(ok.has(id), `${id} kept`);
        else assert.deepEqual(reasonAt(r, line), [reason], `line ${line}`);
      }
    }),
    { numRuns: 80 },
  );
});

/** A JSON array of n good records; the byte offset of the separator (`,` or `]`) after each element. */
function arrayText(n: number, big: number[] = [], deep: number[] = []): { text: string; ends: number[]; ids: string[] } {
  let text = '[';
  const ends: number[] = [];
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r: Record<string, unknown> = good(i);
    if (big[i]) r.pad = 'y'.repeat(big[i]!);
    if (deep[i]) r.a = JSON.parse(nested(deep[i]!));
    text += (i ? ',' : '') + JSON.stringify(r);
    ends.push(text.length);
    ids.push(r.id as string);
  }
  return { text: text + ']', ends, ids };
}

test('JSON arrays with a fault at a random offset: every element before the fault is kept', async () => {
  const fault = fc.oneof(
    fc.record({ kind: fc.constant('truncate' as const) }),
    fc.record({ kind: fc.constant('insert' as const), junk: fc.constantFrom('x', '}', ']', '[', '{', '"', ',', '\\', ' ', '\u0000', ',,', '}]') }),
    fc.record({ kind: fc.constant('delete' as const), n: fc.integer({ min: 1, max: 5 }) }),
  );
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 1, noNaN: true }), fault, cutsArb, async (n, where, f, cuts) => {
      const { text, ends, ids } = arrayText(n);
      const p = Math.floor(where * text.length);
      const broken = f.kind === 'truncate' ? text.slice(0, p) : f.kind === 'insert' ? text.slice(0, p) + f.junk + text.slice(p) : text.slice(0, p) + text.slice(p + f.n);
      const r = await throughLibrary(Buffer.from(broken), cuts);
      const ok = kept(r);
      ends.forEach((end, i) => {
        // untouched with its separator: the scanner saw exactly the bytes of the valid array up to here
        if (end < p) assert.ok(ok.has(ids[i]!), `element ${i + 1} (ends at ${end}) before the fault at ${p} is kept`);
      });
      if (r.error) assert.equal(r.outcomes.at(-1)!.annotation.reasons[0], 'malformed_json_array', 'a stop is announced by a quarantine record');
    }),
    { numRuns: 200 },
  );
});

test('JSON array elements over maxLineBytes or maxDepth are quarantined; the others are kept', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.tuple(fc.oneof(fc.constant(0), fc.integer({ min: MAX_LINE - 80, max: 3 * MAX_LINE })), fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2 * MAX_DEPTH }))), { minLength: 1, maxLength: 12 }),
      cutsArb,
      async (spec, cuts) => {
        const { text, ids } = arrayText(spec.length, spec.map((s) => s[0]), spec.map((s) => s[1]));
        const r = await throughLibrary(Buffer.from(text), cuts);
        assert.equal(r.error, null);
        assert.equal(r.outcomes.length, spec.length);
        const ok = kept(r);
        spec.forEach(([pad, depth], i) => {
          const r0: Record<string, unknown> = good(i);
          if (pad) r0.pad = 'y'.repeat(pad);
          if (depth) r0.a = JSON.parse(nested(depth));
          const bytes = Buffer.byteLength(JSON.stringify(r0));
          const want = bytes > MAX_LINE ? 'too_large' : depth + 1 > MAX_DEPTH ? 'too_deep' : null;
          if (want) assert.deepEqual(reasonAt(r, i + 1), [want], `element ${i + 1}`);
          else assert.ok(ok.has(ids[i]!), `element ${i + 1} kept`);
        });
      },
    ),
    { numRuns: 60 },
  );
});

test('library objects nested at random depths: too_deep over the limit, kept under it, never a crash', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.integer({ min: 0, max: 3 * MAX_DEPTH }), { minLength: 1, maxLength: 10 }), fc.boolean(), async (depths, withText) => {
      const records = depths.map((d, i) => ({ ...(withText ? { text: `nested record ${i} text` } : {}), id: `n${i}`, a: JSON.parse(nested(d) || 'null') }));
      const outs: Outcome[] = [];
      for await (const o of filterRecords(records, { ...CORE_ONLY, dedup: { enabled: false }, input: LIMITS })) outs.push(o);
      assert.equal(outs.length, records.length);
      depths.forEach((d, i) => {
        const o = outs.find((x) => x.pos.line === i + 1)!;
        if (d + 1 > MAX_DEPTH) assert.deepEqual(o.annotation.reasons, ['too_deep']);
        else assert.equal(o.annotation.decision === 'quarantine', !withText, `record ${i + 1}`);
      });
    }),
    { numRuns: 40 },
  );
});

test('truncated gzip and zstd streams: an input error after a prefix of the good records, never garbage', async () => {
  const rows = Array.from({ length: 400 }, (_, i) => JSON.stringify(good(i))).join('\n') + '\n';
  const d = tmp();
  writeFileSync(join(d, 'rows.jsonl'), rows);
  execFileSync('zstd', ['-q', '-f', join(d, 'rows.jsonl'), '-o', join(d, 'rows.zst')]);
  const streams = { gzip: gzipSync(rows), zstd: readFileSync(join(d, 'rows.zst')) };
  await fc.assert(
    fc.asyncProperty(fc.constantFrom('gzip', 'zstd' as const), fc.double({ min: 0, max: 1, noNaN: true }), cutsArb, async (kind, where, cuts) => {
      const full = streams[kind as 'gzip' | 'zstd'];
      const cut = full.subarray(0, Math.floor(where * full.length));
      const r = await throughLibrary(Buffer.from(cut), cuts);
      if (cut.length < (kind === 'gzip' ? 2 : 4)) return; // shorter than the magic bytes: plain (bad) text, checked above
      r.outcomes.forEach((o, i) => assert.equal(o.id, `g${i}`, 'a prefix of the good records, in order'));
      if (cut.length >= 4 && cut.length < full.length) assert.ok(r.error, 'the truncation is reported');
    }),
    { numRuns: 50 },
  );
});

test('the built CLI on hostile files: exit 0 or 3, counts reconcile, complete iff exit 0, reasons on every quarantine', async () => {
  const hostile = fc.oneof(
    fc.uint8Array({ maxLength: 2000 }).map((b) => Buffer.from(b)),
    fc.tuple(fc.integer({ min: 1, max: 20 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom('}', 'x', '')).map(([n, w, junk]) => {
      const { text } = arrayText(n, [], [0, 3 * MAX_DEPTH]);
      const p = Math.floor(w * text.length);
      return Buffer.from(text.slice(0, p) + junk + (junk ? text.slice(p) : ''));
    }),
    fc.array(fc.integer({ min: 0, max: 3 * MAX_DEPTH }), { maxLength: 10 }).map((ds) => Buffer.from(ds.map((dd, i) => `{"text":"line ${i}","a":${nested(dd) || 0}}`).join('\n') + '\n{oops\n')),
  );
  const flags = [...CORE_ONLY_FLAGS, '--set', `input.maxDepth=${MAX_DEPTH}`, '--set', `input.maxLineBytes=${MAX_LINE}`];
  await fc.assert(
    fc.asyncProperty(hostile, async (bytes) => {
      const d = tmp();
      writeFileSync(join(d, 'in.data'), bytes);
      const r = await runCli([...flags, '--out', join(d, 'out'), join(d, 'in.data')]);
      assert.ok(r.code === 0 || r.code === 3, `exit ${r.code}: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      const m = JSON.parse(readFileSync(join(d, 'out', 'manifest.json'), 'utf8'));
      assert.equal(m.counts.input, m.counts.accept + m.counts.reject + m.counts.quarantine);
      assert.equal(m.complete, r.code === 0);
      let quarantined = 0;
      for (const f of m.quarantine as Array<{ file: string }>) {
        const text = execFileSync('gzip', ['-dc', join(d, 'out', f.file)]).toString();
        for (const line of text.split('\n').filter(Boolean)) {
          const rec = JSON.parse(line);
          assert.equal(rec.synthfilter.reasons.length, 1);
          quarantined++;
        }
      }
      assert.equal(quarantined, m.counts.quarantine);
    }),
    { numRuns: 5 },
  );
});
