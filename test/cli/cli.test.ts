import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync, readdirSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { BIN, ROOT, runCli, tmp, jsonl, fakeText, CORE_ONLY_FLAGS } from '../helpers.js';

const parseLines = (s: string) => s.split('\n').filter(Boolean).map((l) => JSON.parse(l));

test('stdout is empty on empty input, and the summary goes to stderr', async () => {
  const r = await runCli([]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /input=0 accept=0/);
});

test('stdout is valid JSONL of accepted records only; logs never reach stdout', async () => {
  const r = await runCli(['samples/mixed.jsonl']);
  assert.equal(r.code, 0);
  const recs = parseLines(r.stdout);
  assert.ok(recs.length > 10);
  for (const x of recs) assert.equal(typeof x.text, 'string');
  assert.ok(!/"level":|synthfilter: /.test(r.stdout));
});

test('accounting: input = accept + reject + quarantine, with rejects file holding the rest', async () => {
  const d = tmp();
  const rej = join(d, 'rej.jsonl');
  const r = await runCli(['samples/mixed.jsonl', '--rejects', rej]);
  assert.equal(r.code, 0);
  const input = readFileSync(join(ROOT, 'samples/mixed.jsonl'), 'utf8').split('\n').filter((l) => l.trim()).length;
  const kept = parseLines(r.stdout).length;
  const rejected = parseLines(readFileSync(rej, 'utf8'));
  assert.equal(kept + rejected.length, input);
  for (const x of rejected) assert.ok(['reject', 'quarantine'].includes(x.synthfilter.decision) && x.synthfilter.reasons.length > 0);
  const q = rejected.filter((x) => x.synthfilter.decision === 'quarantine');
  assert.ok(q.every((x) => x.synthfilter.source.file === 'samples/mixed.jsonl' && x.synthfilter.source.line > 0));
});

test('score writes every record in input order with annotation and decision', async () => {
  const rows = [{ id: 'a', text: 'one two' }, { id: 'b', text: 'ONE  two' }, { id: 'c' }, { id: 'd', text: 'three' }];
  const r = await runCli(['score', ...CORE_ONLY_FLAGS], jsonl(rows) + 'garbage\n');
  assert.equal(r.code, 0);
  const out = parseLines(r.stdout);
  assert.equal(out.length, 5);
  assert.deepEqual(out.slice(0, 4).map((x) => x.id), ['a', 'b', 'c', 'd']);
  assert.deepEqual(out.map((x) => x.synthfilter.decision), ['accept', 'reject', 'quarantine', 'accept', 'quarantine']);
  assert.equal(out[1].synthfilter.dup.of, 'a');
  assert.equal(out[4].raw, 'garbage');
});

test('--annotate adds the annotation under the configured key; flags override config', async () => {
  const d = tmp();
  const cfg = join(d, 'c.json');
  writeFileSync(cfg, JSON.stringify({ output: { annotationKey: 'sf' }, input: { textField: 'body' } }));
  const r = await runCli(['--config', cfg, '--annotate', '--text-field', 'doc.t', ...CORE_ONLY_FLAGS], jsonl([{ doc: { t: 'hi there' } }]));
  assert.equal(r.code, 0, r.stderr);
  const [x] = parseLines(r.stdout);
  assert.equal(x.sf.decision, 'accept');
});

test('bad configuration exits 2 naming the key and the value; unknown flags exit 2', async () => {
  const r = await runCli(['--set', 'dedup.threshold=7']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /dedup\.threshold.*7/);
  assert.equal(r.stdout, '');
  const u = await runCli(['--bogus']);
  assert.equal(u.code, 2);
  const d = tmp();
  writeFileSync(join(d, 'bad.json'), '{ not json');
  const b = await runCli(['--config', join(d, 'bad.json')]);
  assert.equal(b.code, 2);
  assert.match(b.stderr, /bad\.json/);
});

test('a truncated gzip file: records before it are flushed, exit 3 names the file', async () => {
  const d = tmp();
  const good = join(d, 'a.jsonl');
  writeFileSync(good, jsonl([{ text: 'first file' }]));
  const rows = Array.from({ length: 4000 }, (_, i) => JSON.stringify({ text: `line ${i} ${Math.cos(i)}` })).join('\n');
  const gz = gzipSync(rows);
  const bad = join(d, 'b.jsonl.gz');
  writeFileSync(bad, gz.subarray(0, gz.length >> 1));
  const r = await runCli([...CORE_ONLY_FLAGS, good, bad]);
  assert.equal(r.code, 3);
  assert.match(r.stderr, /b\.jsonl\.gz/);
  const out = parseLines(r.stdout);
  assert.equal(out[0].text, 'first file');
  assert.ok(out.length > 1, 'decoded part of the truncated file was flushed');
});

test('EPIPE: | head ends quietly with exit 0', async () => {
  const rows = Array.from({ length: 50000 }, (_, i) => JSON.stringify({ id: i, text: fakeText(i + 1, 20) })).join('\n') + '\n';
  const d = tmp();
  const f = join(d, 'big.jsonl');
  writeFileSync(f, rows);
  const r = await new Promise<{ code: number | null; stderr: string; out: string }>((resolve) => {
    const p = spawn('bash', ['-c', `set -o pipefail; node ${BIN} --quiet ${CORE_ONLY_FLAGS.join(' ')} ${f} | head -n 2; echo "codes=\${PIPESTATUS[*]}" >&2`]);
    let stderr = '';
    let out = '';
    p.stderr.on('data', (x) => (stderr += x));
    p.stdout.on('data', (x) => (out += x));
    p.on('close', (code) => resolve({ code, stderr, out }));
  });
  assert.equal(r.out.trim().split('\n').length, 2);
  assert.match(r.stderr, /codes=0 0/);
  assert.ok(!/EPIPE|Error/.test(r.stderr), r.stderr);
});

test('SIGTERM: stops reading, flushes, writes the manifest, exits 143', async () => {
  const d = tmp();
  const out = join(d, 'out');
  const p = spawn(process.execPath, [BIN, '--out', out, ...CORE_ONLY_FLAGS], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  p.stderr.on('data', (x) => (stderr += x));
  p.stdin.write(jsonl(Array.from({ length: 100 }, (_, i) => ({ id: i, text: fakeText(i + 1, 15) }))));
  // stdin stays open: the process is blocked reading when the signal arrives. The output folder appears once the
  // run has started (its signal handlers are installed by then): a fixed delay is too short on a loaded machine
  while (!existsSync(out)) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  p.kill('SIGTERM');
  const code = await new Promise((r) => p.on('close', r));
  assert.equal(code, 143, stderr);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(m.counts.input, 100);
  assert.equal(m.counts.accept, 100);
  assert.equal(m.complete, false);
  assert.equal(m.stopped_by, 'signal');
  const shard = gunzipSync(readFileSync(join(out, 'shard-00000.jsonl.gz'))).toString().trim().split('\n');
  assert.equal(shard.length, 100);
});

test('directory mode: rotated shards, rejects, quarantine, manifest with sha256 that match, no temp files', async () => {
  const d = tmp();
  const out = join(d, 'out');
  const r = await runCli(['--out', out, '--set', 'output.shardMaxRecords=5', 'samples/mixed.jsonl']);
  assert.equal(r.code, 0, r.stderr);
  const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  assert.equal(m.counts.input, m.counts.accept + m.counts.reject + m.counts.quarantine);
  assert.ok(m.shards.length >= 3);
  let total = 0;
  for (const f of [...m.shards, ...m.rejects, ...m.quarantine]) {
    const buf = readFileSync(join(out, f.file));
    assert.equal(createHash('sha256').update(buf).digest('hex'), f.sha256, f.file);
    assert.equal(buf.length, f.bytes);
    const n = gunzipSync(buf).toString().trim().split('\n').length;
    assert.equal(n, f.records);
    total += n;
  }
  assert.equal(total, m.counts.input);
  for (const s of m.shards) assert.ok(s.records <= 5);
  const all = [out, join(out, 'rejects'), join(out, 'quarantine')].flatMap((p) => (existsSync(p) ? readdirSync(p) : []));
  assert.ok(!all.some((f) => f.includes('.tmp')), all.join(','));
});

test('--help and --version go to stderr, exit 0', async () => {
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  assert.equal(h.stdout, '');
  assert.match(h.stderr, /Exit codes/);
});
