/**
 * Regression tests for issue 16, defects 5 (deep nesting overflowed the stack while hashing an id) and 6 (a JSON
 * array fault silently lost the elements before it; maxLineBytes did not bound an array element).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { FilterCore } from '../../src/stage/core.js';
import { filterRecords } from '../../src/stage/transform.js';
import { resolveConfig } from '../../src/config/index.js';
import type { Outcome } from '../../src/types.js';
import { BIN, CORE_ONLY, CORE_ONLY_FLAGS, runCli, tmp } from '../helpers.js';

/** `{"a":{"a":...}}` nested n levels: 5,000 levels make the 30 KB line of the report. No text, no id. */
const deepObject = (n: number) => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
const goodRows = (n: number, from = 0) => Array.from({ length: n }, (_, i) => JSON.stringify({ id: `g${from + i}`, text: `good record number ${from + i} with a few words` }));
const gzLines = (file: string) => gunzipSync(readFileSync(file)).toString().split('\n').filter(Boolean).map((l) => JSON.parse(l));

function readOut(out: string) {
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const quarantine = (m.quarantine as Array<{ file: string }>).flatMap((f) => gzLines(join(out, f.file)));
  const accepted = (m.shards as Array<{ file: string }>).flatMap((f) => gzLines(join(out, f.file)));
  return { m, quarantine, accepted };
}

test('defect 5: a 5,000-level JSONL line and JSON array element are quarantined too_deep, the run completes', async () => {
  const d = tmp();
  const line = deepObject(5000);
  assert.ok(line.length >= 30_000);
  writeFileSync(join(d, 'deep.jsonl'), [goodRows(1)[0], line, goodRows(1, 1)[0]].join('\n') + '\n');
  writeFileSync(join(d, 'deep.json'), `[${goodRows(1, 2)[0]}, ${line}, ${goodRows(1, 3)[0]}]`);
  for (const f of ['deep.jsonl', 'deep.json']) {
    const out = join(d, `out-${f}`);
    const r = await runCli([...CORE_ONLY_FLAGS, '--out', out, join(d, f)]);
    assert.equal(r.code, 0, r.stderr);
    const { m, quarantine, accepted } = readOut(out);
    assert.equal(m.complete, true);
    assert.deepEqual(m.counts, { input: 3, accept: 2, reject: 0, quarantine: 1 });
    assert.deepEqual(quarantine.map((q) => q.synthfilter.reasons), [['too_deep']]);
    assert.equal(quarantine[0].synthfilter.source.line, 2);
    assert.equal(accepted.length, 2);
  }
});

test('defect 5: input.maxDepth is a config key; up to its ceiling of 1000 levels every later stage is safe', async () => {
  const d = tmp();
  // 999 levels under the record: depth 1000, written back through JSON.stringify (an array element has no raw line)
  const rec = `{"text":"a deep but allowed record","a":${'['.repeat(999)}${']'.repeat(999)}}`;
  writeFileSync(join(d, 'in.json'), `[${rec}, ${deepObject(1000)}]`);
  let r = await runCli([...CORE_ONLY_FLAGS, '--set', 'input.maxDepth=1000', '--set', 'output.annotate=true', '--out', join(d, 'out'), join(d, 'in.json')]);
  assert.equal(r.code, 0, r.stderr);
  const { m, quarantine } = readOut(join(d, 'out'));
  assert.deepEqual(m.counts, { input: 2, accept: 1, reject: 0, quarantine: 1 });
  assert.deepEqual(quarantine[0].synthfilter.reasons, ['missing_text'], 'the 1000-level record without text got an id and a verdict');
  r = await runCli(['--set', 'input.maxDepth=1001', join(d, 'in.json')]);
  assert.equal(r.code, 2, 'over the ceiling is a configuration error');
  assert.match(r.stderr, /input\.maxDepth/);
});

test('defect 5: clean completes the night with the deep records quarantined, and the next night runs too', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), [...goodRows(3), deepObject(5000), ...goodRows(3, 3)].join('\n') + '\n');
  writeFileSync(join(inp, 'b.json'), `[${goodRows(2, 10).join(',')}, ${deepObject(5000)}]`);
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night1', '--workers', '2', ...CORE_ONLY_FLAGS]);
  assert.equal(r.code, 0, r.stderr);
  const n1 = readOut(join(out, 'night1'));
  assert.deepEqual(n1.m.counts, { input: 10, accept: 8, reject: 0, quarantine: 2 });
  assert.deepEqual(n1.quarantine.map((q) => q.synthfilter.reasons[0]), ['too_deep', 'too_deep']);
  writeFileSync(join(inp, 'c.jsonl'), [deepObject(5000), ...goodRows(1, 20)].join('\n') + '\n');
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night2', ...CORE_ONLY_FLAGS]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readOut(join(out, 'night2')).m.counts, { input: 2, accept: 1, reject: 0, quarantine: 1 });
});

test('defect 5: library API: deep values are too_deep; a deep record handed to FilterCore directly still gets an id', async () => {
  const cfg = resolveConfig(CORE_ONLY);
  const deep = JSON.parse(deepObject(5000));
  const outs: Outcome[] = [];
  for await (const o of filterRecords([{ text: 'fine words here' }, deep, { text: 'more fine words' }], cfg)) outs.push(o);
  assert.deepEqual(outs.map((o) => o.annotation.decision), ['accept', 'quarantine', 'accept']);
  assert.deepEqual(outs[1]!.annotation.reasons, ['too_deep']);
  // FilterCore does not check depth itself (its input comes from the readers); its id hashing must still be safe
  const core = new FilterCore(cfg);
  const got: Outcome[] = [];
  core.processItem({ kind: 'record', record: JSON.parse(deepObject(100_000)), pos: { file: 'x', line: 1 }, bytes: 0 }, got);
  assert.deepEqual(got[0]!.annotation.reasons, ['missing_text']);
  assert.match(got[0]!.id, /^sf-[0-9a-f]{16}$/);
});

test('defect 6: 96 good elements then a structural fault: all 96 kept, the fault quarantined with its offset, exit 3', async () => {
  const d = tmp();
  const rows = goodRows(96);
  const head = `[\n${rows.join(',\n')},\n`;
  writeFileSync(join(d, 'in.json'), `${head}{"text":"broken"}}, ${goodRows(1, 200)[0]}]\n`);
  const r = await runCli([...CORE_ONLY_FLAGS, '--out', join(d, 'out'), join(d, 'in.json')]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /in\.json: malformed JSON array at byte \d+/);
  const { m, quarantine, accepted } = readOut(join(d, 'out'));
  assert.equal(m.complete, false);
  assert.deepEqual(m.counts, { input: 97, accept: 96, reject: 0, quarantine: 1 });
  assert.deepEqual(accepted.map((x) => x.id), rows.map((_, i) => `g${i}`));
  const q = quarantine[0].synthfilter;
  assert.deepEqual(q.reasons, ['malformed_json_array']);
  assert.equal(q.source.offset, Buffer.byteLength(head) + '{"text":"broken"}'.length, 'the offset of the stray "}"');
  assert.equal(q.source.line, 97);
});

test('defect 6: a bad element among good ones is quarantined and reading resyncs: exit 0, nothing lost', async () => {
  const d = tmp();
  const before = goodRows(96);
  const after = goodRows(3, 96);
  writeFileSync(join(d, 'in.json'), `[${before.join(',')}, {"text": 'single quotes'}, ${after.join(',')}]`);
  const r = await runCli([...CORE_ONLY_FLAGS, '--out', join(d, 'out'), join(d, 'in.json')]);
  assert.equal(r.code, 0, r.stderr);
  const { m, quarantine } = readOut(join(d, 'out'));
  assert.equal(m.complete, true);
  assert.deepEqual(m.counts, { input: 100, accept: 99, reject: 0, quarantine: 1 });
  assert.deepEqual(quarantine[0].synthfilter.reasons, ['malformed_json']);
  assert.equal(quarantine[0].synthfilter.source.line, 97);
});

/** Peak RSS (KiB) of the built CLI under a 200 MB heap cap, read from the child itself at exit. */
function peakRss(dir: string, args: string[]): Promise<{ code: number | null; kib: number; stderr: string }> {
  const hook = join(dir, 'peak-rss.mjs');
  writeFileSync(hook, 'process.on("exit", () => process.stderr.write("PEAK_RSS_KIB " + process.resourceUsage().maxRSS + "\\n"));\n');
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--max-old-space-size=200', '--import', hook, BIN, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (x) => (stderr += x));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, kib: Number(/PEAK_RSS_KIB (\d+)/.exec(stderr)?.[1] ?? NaN), stderr }));
  });
}

test('defect 6: a 50 MB array element is too_large and never buffered whole (peak RSS grows far less than 50 MB)', async () => {
  const d = tmp();
  const small = join(d, 'small.json');
  writeFileSync(small, `[${goodRows(2).join(',')}]`);
  const big = join(d, 'big.json');
  const fd = openSync(big, 'w');
  writeSync(fd, `[${goodRows(1)[0]}, {"text":"`);
  const mib = Buffer.alloc(1 << 20, 'x');
  for (let i = 0; i < 50; i++) writeSync(fd, mib);
  writeSync(fd, `"}, ${goodRows(1, 1)[0]}]`);
  closeSync(fd);
  const base = await peakRss(d, [...CORE_ONLY_FLAGS, '--out', join(d, 'out-small'), small]);
  const r = await peakRss(d, [...CORE_ONLY_FLAGS, '--out', join(d, 'out-big'), big]);
  assert.equal(base.code, 0, base.stderr);
  assert.equal(r.code, 0, r.stderr);
  const { m, quarantine } = readOut(join(d, 'out-big'));
  assert.deepEqual(m.counts, { input: 3, accept: 2, reject: 0, quarantine: 1 });
  assert.deepEqual(quarantine[0].synthfilter.reasons, ['too_large']);
  assert.ok(quarantine[0].raw.length <= 4096, 'only the head is kept');
  // measured: ~25 MB growth now; 160 MB when stream-json assembled the element, 260 MB if it were buffered and parsed
  const growthMb = (r.kib - base.kib) / 1024;
  assert.ok(growthMb < 100, `peak RSS grew ${growthMb.toFixed(0)} MB for a 50 MB element`);
});
