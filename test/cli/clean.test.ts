import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { BIN, runCli, tmp, jsonl, fakeText } from '../helpers.js';
import { readHead } from '../../src/state/generation.js';
import { FileStateStore } from '../../src/state/file-store.js';

const lines = (buf: Buffer) => gunzipSync(buf).toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const runDirs = (out: string) => (existsSync(out) ? readdirSync(out).filter((d) => d.startsWith('run-') || d.startsWith('night')).sort() : []);

function readRun(dir: string) {
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const kept = m.shards.flatMap((s: any) => lines(readFileSync(join(dir, s.file))));
  const rejected = m.rejects.flatMap((s: any) => lines(readFileSync(join(dir, s.file))));
  return { m, kept, rejected };
}

const para = (seed: number, words = 80) => fakeText(seed, words);

test('clean: incremental nights, dedup against history with dup.of, nothing new exits 0', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), jsonl([{ id: 'a1', text: para(1) }, { id: 'a2', text: para(2) }, { id: 'a3', text: para(3) }]));
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night1']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(readRun(join(out, 'night1')).kept.length, 3);
  // the JSON summary line says where the time went: every phase, in order
  const summary = r.stderr.trim().split('\n').map((l) => JSON.parse(l)).find((l) => l.phases);
  assert.ok(summary, r.stderr);
  const order = ['start', 'planned', 'deduped', 'settled', 'written', 'published', 'committed'];
  const at = order.map((k) => summary.phases[k]);
  assert.ok(at.every((x) => typeof x === 'number' && x > 0), JSON.stringify(summary.phases));
  assert.deepEqual([...at].sort((a, b) => a - b), at, 'phases end in order');
  // night 2: a near-duplicate of a2 (one word appended) and an exact duplicate of a3, in a new file
  writeFileSync(join(inp, 'b.jsonl'), jsonl([{ id: 'b1', text: para(2) + ' extra' }, { id: 'b2', text: para(3).toUpperCase() }, { id: 'b3', text: para(4) }]));
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night2']);
  assert.equal(r.code, 0, r.stderr);
  const n2 = readRun(join(out, 'night2'));
  assert.equal(n2.m.counts.input, 3, 'only the new file was processed');
  assert.deepEqual(n2.kept.map((x: any) => x.id), ['b3']);
  const byId = Object.fromEntries(n2.rejected.map((x: any) => [x.id, x.synthfilter]));
  assert.equal(byId.b1.dup.kind, 'near');
  assert.equal(byId.b1.dup.of, 'a2');
  assert.equal(byId.b2.dup.kind, 'exact');
  assert.equal(byId.b2.dup.of, 'a3');
  // night 3: nothing new
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state]);
  assert.equal(r.code, 0);
  assert.match(r.stderr, /nothing to do/);
  assert.deepEqual(runDirs(out), ['night1', 'night2']);
  // a touched file with the same content is not reprocessed; a changed one is
  const t = new Date(Date.now() + 5000);
  utimesSync(join(inp, 'a.jsonl'), t, t);
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state]);
  assert.match(r.stderr, /nothing to do/);
  writeFileSync(join(inp, 'b.jsonl'), jsonl([{ id: 'b9', text: para(9) }]));
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night4']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readRun(join(out, 'night4')).m.counts.input, 1);
});

test('clean: a near-duplicate cluster keeps its best member (human-first, then longest)', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  const base = para(7, 120);
  const rows = [
    { id: 'short', text: base, meta: { source: 'human' } },
    { id: 'longest', text: base + ' and a little more text at the end', meta: { source: 'human' } },
    { id: 'synthetic-longer', text: base + ' and a little more text at the end of it all', meta: { source: 'gpt-4' } },
    { id: 'other', text: para(8, 120), meta: { source: 'human' } },
  ];
  writeFileSync(join(inp, 'a.jsonl'), jsonl(rows));
  const cfg = join(d, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ origin: { enabled: true, declared: { field: 'meta.source', synthetic: ['gpt-4'], human: ['human'] } } }));
  const r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'n1', '--config', cfg, '--set', 'route.maxSyntheticShare=1']);
  assert.equal(r.code, 0, r.stderr);
  const run = readRun(join(out, 'n1'));
  assert.deepEqual(run.kept.map((x: any) => x.id).sort(), ['longest', 'other']);
  for (const x of run.rejected) assert.equal(x.synthfilter.dup.of, 'longest', x.id);
  // keep=first keeps the earliest
  const r2 = await runCli(['clean', '--in', inp, '--out', join(d, 'out2'), '--state', join(d, 'state2'), '--run-id', 'n1', '--config', cfg, '--set', 'dedup.keep="first"', '--set', 'route.maxSyntheticShare=1']);
  assert.equal(r2.code, 0, r2.stderr);
  assert.deepEqual(readRun(join(d, 'out2', 'n1')).kept.map((x: any) => x.id).sort(), ['other', 'short']);
});

test('clean: lock held by a live process exits 5; a stale lock is taken over', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  mkdirSync(state);
  writeFileSync(join(inp, 'a.jsonl'), jsonl([{ text: para(1) }]));
  writeFileSync(join(state, 'lock'), JSON.stringify({ pid: process.pid, host: hostname(), started: 'now' }));
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state]);
  assert.equal(r.code, 5);
  assert.match(r.stderr, /locked by pid \d+.*another run is active/);
  writeFileSync(join(state, 'lock'), JSON.stringify({ pid: 2 ** 22 + 12345, host: hostname(), started: 'long ago' }));
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!existsSync(join(state, 'lock')), 'lock released');
});

test('clean: a state built with other dedup parameters is refused with exit 6', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), jsonl([{ text: para(1) }]));
  assert.equal((await runCli(['clean', '--in', inp, '--out', out, '--state', state])).code, 0);
  writeFileSync(join(inp, 'b.jsonl'), jsonl([{ text: para(2) }]));
  const r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--set', 'dedup.threshold=0.9']);
  assert.equal(r.code, 6);
  assert.match(r.stderr, /fingerprint .* differ/);
});

test('clean: usage errors exit 2', async () => {
  const r = await runCli(['clean', '--in', '/x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--out DIR, --state DIR/);
});

/** Everything a run leaves behind, with wall-clock fields removed, as one comparable object. */
function snapshotOf(out: string, state: string) {
  const files: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.name === 'lock') continue;
      else {
        let s = readFileSync(p).toString('base64');
        if (e.name.endsWith('.json') || e.name.endsWith('.html')) s = readFileSync(p, 'utf8').replace(/"started_?[aA]t":\s*"[^"]*"/g, '"startedAt":"-"').replace(/started [0-9T:.\-Z]+/g, 'started -')
          // checksums of files holding a start time (runs.json's footer, and its entry in STATE.json) vary with it
          .replace(/crc32=[0-9a-f]{8}/g, 'crc32=-').replace(/"runs\.json":"[0-9a-f]{8}"/g, '"runs.json":"-"');
        files[r] = s;
      }
    }
  };
  walk(out, 'out');
  walk(state, 'state');
  return files;
}

function corpusDir(d: string): string {
  const inp = join(d, 'in');
  mkdirSync(inp);
  for (let f = 0; f < 4; f++) {
    const rows = Array.from({ length: 1500 }, (_, i) => {
      const k = f * 1500 + i;
      return { id: `f${f}-${i}`, text: para(k % 5000 === 0 ? 1 : (k * 7) % 4000 + 1, 60) + (k % 3 === 0 ? ' x' : '') };
    });
    writeFileSync(join(inp, `part-${f}.jsonl`), jsonl(rows) + (f === 2 ? 'not json\n' : ''));
  }
  return inp;
}

test('clean: --workers 2 gives byte-identical output and state to --workers 1', async () => {
  const d = tmp();
  const inp = corpusDir(d);
  const a = await runCli(['clean', '--in', inp, '--out', join(d, 'o1'), '--state', join(d, 's1'), '--run-id', 'n', '--workers', '1']);
  const b = await runCli(['clean', '--in', inp, '--out', join(d, 'o2'), '--state', join(d, 's2'), '--run-id', 'n', '--workers', '2']);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const sa = snapshotOf(join(d, 'o1'), join(d, 's1'));
  const sb = snapshotOf(join(d, 'o2'), join(d, 's2'));
  assert.deepEqual(Object.keys(sb).sort(), Object.keys(sa).sort());
  for (const k of Object.keys(sa)) assert.equal(sb[k], sa[k], k);
});

test('clean: SIGKILL at random points, then rerun, ends identical to an uninterrupted run', async () => {
  const d = tmp();
  const inp = corpusDir(d);
  const t0 = Date.now();
  const ref = await runCli(['clean', '--in', inp, '--out', join(d, 'ref-out'), '--state', join(d, 'ref-state'), '--run-id', 'n', '--workers', '2']);
  assert.equal(ref.code, 0, ref.stderr);
  const full = Date.now() - t0;
  const want = snapshotOf(join(d, 'ref-out'), join(d, 'ref-state'));
  // a deterministic sequence of kill delays spread over the run's duration
  let s = 12345;
  const kills: number[] = [];
  for (let trial = 0; trial < 6; trial++) {
    const out = join(d, `out${trial}`);
    const state = join(d, `state${trial}`);
    for (let attempt = 0; attempt < 3; attempt++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      const delay = 60 + (s % Math.max(100, full));
      const p = spawn(process.execPath, [BIN, 'clean', '--quiet', '--in', inp, '--out', out, '--state', state, '--run-id', 'n', '--workers', '2'], { stdio: 'ignore' });
      const timer = setTimeout(() => p.kill('SIGKILL'), delay);
      const code = await new Promise((r) => p.on('close', (c, sig) => r(sig ?? c)));
      clearTimeout(timer);
      kills.push(delay);
      if (code === 0) break;
    }
    const fin = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'n', '--workers', '2']);
    assert.ok(fin.code === 0, fin.stderr);
    const got = snapshotOf(out, state);
    assert.deepEqual(Object.keys(got).sort(), Object.keys(want).sort(), `trial ${trial} (kills at ${kills.join(',')} ms)`);
    for (const k of Object.keys(want)) assert.equal(got[k], want[k], `trial ${trial}: ${k}`);
    assert.ok(!existsSync(join(state, 'pending.json')));
    assert.ok(statSync(join(state, 'STATE.json')).isFile());
  }
});

test('clean: a run committed before its cleanup finished leaves no work files or pending record behind', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), jsonl([{ id: 'a1', text: para(1) }, { id: 'a2', text: para(2) }]));
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night1']);
  assert.equal(r.code, 0, r.stderr);
  // what a SIGKILL between the state commit and the end of its cleanup leaves: the run's pending record (planned on
  // the generation before the commit) and some of its work files
  const head = readHead(state)!; // state files are checked (footer + checksum): read and written through the store
  new FileStateStore(state).writePending({ runId: 'night1', startedAt: new Date().toISOString(), fingerprint: head.fingerprint, generation: head.generation - 1, files: [] });
  mkdirSync(join(state, 'work', 'night1'), { recursive: true });
  writeFileSync(join(state, 'work', 'night1', '000001-0000.spool.feat'), 'x');
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /nothing to do/);
  assert.ok(!existsSync(join(state, 'pending.json')), 'the stale pending record is gone');
  assert.ok(!existsSync(join(state, 'work', 'night1')), 'its work files are gone');
  assert.deepEqual(runDirs(out), ['night1']);
});

test('clean: a large file scored in parts (byte ranges) numbers lines and quarantines exactly as one unsplit read does', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  // ~2.6 MB of JSONL with CRLF endings, blank lines and bad lines spread over every part
  const rows: string[] = [];
  for (let i = 0; rows.join('\r\n').length < 2_600_000; i++) {
    if (i % 97 === 13) rows.push('{"text": broken');
    else if (i % 211 === 50) rows.push('');
    else if (i % 389 === 77) rows.push('[1, 2]');
    else rows.push(JSON.stringify({ id: `r${i}`, text: para(i, 120) }));
  }
  const file = join(inp, 'big.jsonl');
  writeFileSync(file, rows.join('\r\n') + '\r\n');
  const { splitPoints } = await import('../../src/stage/spool.js');
  assert.ok(splitPoints(file, statSync(file).size, 'auto').length >= 2, 'the file is split');
  const off = ['--set', 'diversity.enabled=false', '--set', 'origin.enabled=false'];
  const r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'n1', '--workers', '2', ...off]);
  assert.equal(r.code, 0, r.stderr);
  const dir = join(out, 'n1');
  const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  const quarantined = m.quarantine.flatMap((s: any) => lines(readFileSync(join(dir, s.file))));
  // the reference: `score` reads the file in one piece and annotates every record, in order
  const s = await runCli(['score', file, ...off]);
  assert.equal(s.code, 0, s.stderr);
  const scored = s.stdout.trim().split('\n').map((l) => JSON.parse(l));
  const refQ = scored.filter((x: any) => x.synthfilter.decision === 'quarantine').map((x: any) => `${x.synthfilter.source.line}:${x.synthfilter.reasons[0]}:${x.raw}`);
  const gotQ = quarantined.map((x: any) => `${x.synthfilter.source.line}:${x.synthfilter.reasons[0]}:${x.raw}`);
  assert.ok(refQ.length >= 20, `bad lines in the reference: ${refQ.length}`);
  assert.deepEqual(gotQ, refQ);
  // the lines are the file's own line numbers
  const raw = readFileSync(file, 'utf8').split('\r\n');
  for (const x of quarantined) assert.equal(raw[x.synthfilter.source.line - 1], x.raw);
  assert.equal(m.counts.input, scored.length);
});
