/**
 * The batch engine's route and write tasks (docs/scale.md): the route task decides once, in input order; each
 * output file is written by one `write:<part>` task; the finish publishes what they wrote. On input without
 * duplicates the batch engine must publish exactly the shards, rejects and quarantine files the index engine
 * publishes (same router, same decisions), also when the synthetic cap holds records back across shards; every
 * file of the manifest is written by exactly one write task; kill -9 of a rank during the write tasks, then
 * restarting it, publishes the same bytes; a full disk in a write task exits 4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_ONLY_FLAGS, fakeText, ROOT, runCli, tmp } from '../helpers.js';
import { assertSame, claimsOf, killRankAndRestart, published, ranks } from './night-helpers.js';

/** `n` distinct records over 3 files, a third declared synthetic, with a few lines that are not JSON. */
function unique(dir: string, n: number, seed: number): void {
  mkdirSync(dir, { recursive: true });
  const per = Math.ceil(n / 3);
  for (let f = 0; f < 3; f++) {
    const lines: string[] = [];
    for (let i = f * per; i < Math.min(n, (f + 1) * per); i++) {
      if (i % 97 === 13) lines.push(`{"id": "bad${i}", "text": oops`);
      else lines.push(JSON.stringify({ id: `u${i}`, text: fakeText(seed * 100000 + i, 60 + (i % 40)), src: i % 3 === 0 ? 'gpt' : 'human' }));
    }
    writeFileSync(join(dir, `part-${f}.jsonl`), lines.join('\n') + '\n');
  }
}

/** Small shards and side files; a synthetic cap that holds synthetic records back for quota. */
const FLAGS = [...CORE_ONLY_FLAGS, '--set', 'origin.declared.field=src', '--set', 'origin.declared.synthetic=["gpt"]', '--set', 'origin.declared.human=["human"]', '--set', 'route.maxSyntheticShare=0.2', '--set', 'output.shardMaxRecords=40', '--set', 'route.syntheticBuffer=30'];
const BATCH = ['--set', 'dedup.engine=batch'];
const clean = (inp: string, out: string, state: string, ...extra: string[]) => ['clean', '--in', inp, '--out', out, '--state', state, ...FLAGS, ...extra];

/** The published data files (shards, rejects, quarantine), without the run folder's name. */
function dataFiles(out: string): Record<string, string> {
  const all = published(out);
  return Object.fromEntries(Object.entries(all).filter(([k]) => /(shard-|rejects-|quarantine-)/.test(k)).map(([k, v]) => [k.replace(/^\/?run-[^/]*\//, ''), v]));
}

/** The files each write task of night g0 wrote, from the done markers. */
function writtenByTask(state: string): Map<string, string[]> {
  const done = join(state, 'tasks', 'g0', 'done');
  const out = new Map<string, string[]>();
  for (const t of readdirSync(done).filter((x) => x.startsWith('write'))) {
    const m = JSON.parse(readFileSync(join(done, t), 'utf8')) as { files: Array<{ info: { file: string } }> };
    out.set(t, m.files.map((f) => f.info.file));
  }
  return out;
}

test('batch engine route/write tasks: without duplicates, the same files as the index engine; each file written by one write task', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  unique(inp, 900, 3);
  const idx = await runCli(clean(inp, join(d, 'oi'), join(d, 'si')));
  assert.equal(idx.code, 0, idx.stderr);
  const want = dataFiles(join(d, 'oi'));
  const names = Object.keys(want);
  assert.ok(names.filter((k) => k.startsWith('shard-')).length >= 10, `many shards (${names.join(' ')})`);
  assert.ok(names.some((k) => k.startsWith('rejects/')) && names.some((k) => k.startsWith('quarantine/')), 'rejects and quarantine files');
  const capped = want[names.find((k) => k.startsWith('rejects/'))!]!;
  assert.match(capped, /synthetic_cap/, 'the cap rejected synthetic records');

  const ref = await runCli(clean(inp, join(d, 'o1'), join(d, 's1'), ...BATCH, '--workers', '1'));
  assert.equal(ref.code, 0, ref.stderr);
  assertSame(dataFiles(join(d, 'o1')), want, 'batch engine vs index engine');
  const manifest = JSON.parse(readFileSync(join(join(d, 'o1'), readdirSync(join(d, 'o1')).find((x) => x.startsWith('run-'))!, 'manifest.json'), 'utf8')) as { shards: Array<{ file: string }>; rejects: Array<{ file: string }>; quarantine: Array<{ file: string }> };
  const listed = [...manifest.shards, ...manifest.rejects, ...manifest.quarantine].map((f) => f.file).sort();
  assert.deepEqual(listed, Object.keys(want).sort(), 'the manifest lists every file');

  const byTask = writtenByTask(join(d, 's1'));
  const written = [...byTask.values()].flat();
  assert.deepEqual([...written].sort(), listed, 'every file written by exactly one write task');
  assert.ok([...byTask.values()].filter((f) => f.length > 0).length >= 2, `the files are spread over several write tasks (${[...byTask].map(([t, f]) => `${t}: ${f.length}`).join(', ')})`);

  const w2 = await runCli(clean(inp, join(d, 'o2'), join(d, 's2'), ...BATCH, '--workers', '2'));
  assert.equal(w2.code, 0, w2.stderr);
  assertSame(published(join(d, 'o2')), published(join(d, 'o1')), '--workers 2');
  const rs = await ranks(2, clean(inp, join(d, 'r2'), join(d, 'sr2'), ...BATCH));
  rs.forEach((r, i) => assert.equal(r.code, 0, `rank ${i}: ${r.stderr}`));
  assertSame(published(join(d, 'r2')), published(join(d, 'o1')), '2 ranks');
  assert.ok(!existsSync(join(d, 's1', 'tasks', 'g0', 'route')), 'the route files go once the night commits');
});

test('batch engine: repeated ids and records held for quota land where the index engine puts them', async () => {
  // four copies of the bundled sample: every id repeats, and the synthetic cap holds records back while later
  // records under the same ids arrive (an outcome is matched to its own record, not to the latest under its id)
  const d = tmp();
  const inp = join(d, 'in');
  mkdirSync(inp, { recursive: true });
  const sample = readFileSync(join(ROOT, 'samples', 'mixed.jsonl'));
  for (let i = 1; i <= 4; i++) writeFileSync(join(inp, `p${i}.jsonl`), sample);
  // the bundled samples' config: shards and side files of 10 records, a synthetic cap
  const args = (o: string, s: string, ...extra: string[]) => ['clean', '--in', inp, '--out', join(d, o), '--state', join(d, s), '--config', join(ROOT, 'config', 'samples.json'), ...extra];
  const idx = await runCli(args('oi', 'si'));
  assert.equal(idx.code, 0, idx.stderr);
  const want = dataFiles(join(d, 'oi'));
  assert.match(Object.values(want).join(''), /synthetic_cap/, 'the cap held synthetic records back and rejected some');
  const lines = Object.values(want).join('').split('\n').filter(Boolean).length;
  assert.equal(lines, 4 * sample.toString().split('\n').filter(Boolean).length, 'every input line is published once');
  assert.ok(Object.keys(want).filter((k) => k.startsWith('rejects/')).length >= 3, 'rejects rotate over several files');
  const batch = await runCli(args('ob', 'sb', ...BATCH));
  assert.equal(batch.code, 0, batch.stderr);
  assertSame(dataFiles(join(d, 'ob')), want, 'batch engine vs index engine');
});

test('batch engine: kill -9 of a rank during the write tasks, then restarting it, publishes the same output', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  unique(inp, 6000, 5);
  const ref = await runCli(clean(inp, join(d, 'ref'), join(d, 'sref'), ...BATCH, '--workers', '1'));
  assert.equal(ref.code, 0, ref.stderr);
  const want = published(join(d, 'ref'));
  const [out, state] = [join(d, 'out'), join(d, 'state')];
  const base = clean(inp, out, state, ...BATCH, '--world-size', '2');
  const during = await killRankAndRestart(base, out, want, () => claimsOf(state).some((x) => /^(route|write)/.test(x)), 15000);
  assert.ok(during, 'the kill came while the route or write tasks ran');
});

test('batch engine: a full disk in a write task exits 4 with nothing published', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  unique(inp, 200, 6);
  const out = join(d, 'out');
  const r = await runCli(clean(inp, out, join(d, 'state'), ...BATCH, '--workers', '1'), '', { env: { SYNTHFILTER_TEST_DISK_FULL: 'done/write:' } });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /ENOSPC|no space/i);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(existsSync(out) ? readdirSync(out).filter((f) => /^run-/.test(f)) : [], [], 'nothing published');
});
