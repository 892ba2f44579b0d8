/**
 * The batch dedup engine in `clean` (`dedup.engine: "batch"`, docs/scale.md): the LSH band shuffle run as the
 * night's tasks (bands, reduce per band group, cluster) gives byte-identical output for one process, --workers 2
 * and 4 and 2 ranks; it keeps about as many records as the index engine and no two kept records are near
 * duplicates; a second night dedups against the first night's band history; synthetic reuse and faults (kill -9,
 * a failing task) behave as the index engine's night; --memory is checked and reaches the cluster task.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { FilterCore } from '../../src/stage/core.js';
import { cleanAsTasks } from '../../src/scale/clean-tasks.js';
import { readGenerationFile, readHead } from '../../src/state/generation.js';
import { CORE_ONLY_FLAGS, fakeText, jsonl, runCli, tmp } from '../helpers.js';
import { assertSame, claimsOf, killRankAndRestart, published, ranks } from './night-helpers.js';

/** A planted corpus over `files` files: originals (80-110 words), near copies (one or two words changed, some
 * with words appended), exact copies; every record declares a source (`src`: human or gpt). */
function planted(dir: string, n: number, seed: number, files = 4, idPrefix = 'r'): Array<{ id: string; text: string; src: string }> {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const texts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (texts.length > 0 && r < 0.1) texts.push(texts[Math.floor(rnd() * texts.length)]!);
    else if (texts.length > 0 && r < 0.4) {
      const w = texts[Math.floor(rnd() * texts.length)]!.split(' ');
      const edits = 1 + Math.floor(rnd() * 2);
      for (let e = 0; e < edits; e++) w[Math.floor(rnd() * w.length)] = `w${Math.floor(rnd() * 1e6)}`;
      if (rnd() < 0.3) w.push(`tail${Math.floor(rnd() * 1e6)}`, `more${Math.floor(rnd() * 1e6)}`);
      texts.push(w.join(' '));
    } else texts.push(fakeText(Math.floor(rnd() * 1e9) + 1, 80 + Math.floor(rnd() * 30)));
  }
  const rows = texts.map((text, i) => ({ id: `${idPrefix}${i}`, text, src: rnd() < 0.3 ? 'gpt' : 'human' }));
  mkdirSync(dir, { recursive: true });
  const per = Math.ceil(n / files);
  for (let f = 0; f < files; f++) writeFileSync(join(dir, `part-${f}.jsonl`), jsonl(rows.slice(f * per, (f + 1) * per)));
  return rows;
}

/** Labels from the declared source; no cap in the way of the dedup under test. */
const FLAGS = [...CORE_ONLY_FLAGS, '--set', 'origin.declared.field=src', '--set', 'origin.declared.synthetic=["gpt"]', '--set', 'origin.declared.human=["human"]', '--set', 'route.maxSyntheticShare=1'];
const BATCH = ['--set', 'dedup.engine=batch'];
const clean = (inp: string, out: string, state: string, ...extra: string[]) => ['clean', '--in', inp, '--out', out, '--state', state, ...FLAGS, ...extra];

/** Records of the published output's shards (kept) or rejects, with their annotation when written. */
function recordsOf(out: string, kind: 'shard' | 'rejects'): Array<{ id: string; text: string; synthfilter?: { reasons?: string[]; dup?: { of: string | null } } }> {
  const files = published(out);
  const keys = Object.keys(files).filter((k) => (kind === 'shard' ? /\/shard-[^/]*$/.test(k) : k.includes('/rejects/')));
  return keys.flatMap((k) => files[k]!.split('\n').filter(Boolean).map((l) => JSON.parse(l)));
}

/** Pairs of kept records whose shingle sets (the stage's own featuriser) have Jaccard >= 0.8: brute force over
 * the pairs that share a shingle. */
function nearPairs(texts: string[]): number {
  const core = new FilterCore(resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } }));
  const sets = texts.map((t) => core.featuresOf(t).shingles);
  const byShingle = new Map<number, number[]>();
  sets.forEach((sh, i) => sh.forEach((h) => (byShingle.get(h) ?? byShingle.set(h, []).get(h)!).push(i)));
  let pairs = 0;
  for (let i = 0; i < sets.length; i++) {
    const seen = new Set<number>();
    for (const h of sets[i]!) for (const j of byShingle.get(h)!) if (j > i) seen.add(j);
    const a = new Set(sets[i]);
    for (const j of seen) {
      const inter = sets[j]!.filter((h) => a.has(h)).length;
      if (inter / (a.size + sets[j]!.length - inter) >= 0.8) pairs++;
    }
  }
  return pairs;
}

test('batch engine: one process, --workers 2 and 4 and 2 ranks publish identical bytes; kept within 3% of the index engine, no near duplicates kept', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  const rows = planted(inp, 1600, 7);
  const ref = await runCli(clean(inp, join(d, 'o1'), join(d, 's1'), ...BATCH, '--workers', '1'));
  assert.equal(ref.code, 0, ref.stderr);
  const want = published(join(d, 'o1'));
  assert.ok(Object.keys(want).some((k) => k.includes('shard-')), 'shards were published');
  for (const w of ['2', '4']) {
    const r = await runCli(clean(inp, join(d, `w${w}`), join(d, `sw${w}`), ...BATCH, '--workers', w));
    assert.equal(r.code, 0, r.stderr);
    assertSame(published(join(d, `w${w}`)), want, `--workers ${w}`);
  }
  const rs = await ranks(2, clean(inp, join(d, 'r2'), join(d, 'sr2'), ...BATCH));
  rs.forEach((r, i) => assert.equal(r.code, 0, `rank ${i}: ${r.stderr}`));
  assertSame(published(join(d, 'r2')), want, '2 ranks');

  const idx = await runCli(clean(inp, join(d, 'oi'), join(d, 'si')));
  assert.equal(idx.code, 0, idx.stderr);
  const keptBatch = recordsOf(join(d, 'o1'), 'shard');
  const keptIndex = recordsOf(join(d, 'oi'), 'shard');
  assert.ok(keptBatch.length < rows.length * 0.85, `the planted duplicates were removed (${keptBatch.length} of ${rows.length} kept)`);
  assert.ok(Math.abs(keptBatch.length - keptIndex.length) <= keptIndex.length * 0.03, `kept ${keptBatch.length} (batch) vs ${keptIndex.length} (index)`);
  assert.equal(nearPairs(keptBatch.map((r) => r.text)), 0, 'no two kept records are near duplicates');
});

test('batch engine: a second night rejects copies of the first night\'s records (band history), naming the record', async () => {
  const d = tmp();
  const [in1, in2, out, state] = [join(d, 'in1'), join(d, 'in2'), join(d, 'out'), join(d, 'state')];
  planted(in1, 400, 3, 2);
  const n1 = await runCli(clean(in1, out, state, ...BATCH, '--annotate'));
  assert.equal(n1.code, 0, n1.stderr);
  const kept1 = recordsOf(out, 'shard');
  const orig = kept1.find((r) => r.text.split(' ').length > 90)!;
  const words = orig.text.split(' ');
  words[10] = 'changedword';
  mkdirSync(in2);
  const fresh = fakeText(987654321, 100);
  writeFileSync(join(in2, 'night2.jsonl'), jsonl([
    { id: 'copy', text: orig.text, src: 'human' },
    { id: 'near', text: words.join(' '), src: 'human' },
    { id: 'fresh', text: fresh, src: 'human' },
  ]));
  const n2 = await runCli(clean(in2, out, state, ...BATCH, '--annotate'));
  assert.equal(n2.code, 0, n2.stderr);
  assert.equal(readdirSync(out).filter((x) => /^run-[0-9a-f]{16}$/.test(x)).length, 2, 'two nights published');
  const all = recordsOf(out, 'rejects');
  const copy = all.find((r) => r.id === 'copy');
  const near = all.find((r) => r.id === 'near');
  assert.ok(copy, 'the exact copy of night 1 was rejected');
  assert.ok(near, 'the near copy of night 1 was rejected');
  assert.equal(copy.synthfilter?.dup?.of, orig.id);
  assert.equal(near.synthfilter?.dup?.of, orig.id);
  assert.ok(recordsOf(out, 'shard').some((r) => r.id === 'fresh'), 'a new record of night 2 is kept');
  assert.ok(existsSync(join(state, 'bands')), 'the history lives under the state folder');
});

test('batch engine: synthetic reuse across nights is decided as by the index engine', async () => {
  const d = tmp();
  const night1 = [
    { id: 's1', text: fakeText(11, 90), src: 'gpt' },
    { id: 'h1', text: fakeText(12, 90), src: 'human' },
  ];
  const night2 = [
    { id: 's1-again', text: night1[0]!.text, src: 'gpt' },
    { id: 'h1-again', text: night1[1]!.text, src: 'human' },
    { id: 'new', text: fakeText(13, 90), src: 'gpt' },
  ];
  const reasons: Record<string, Record<string, string[]>> = {};
  for (const [engine, extra] of [['index', []], ['batch', BATCH]] as const) {
    const [in1, in2, out, state] = ['in1', 'in2', 'out', 'state'].map((x) => join(d, engine, x)) as [string, string, string, string];
    mkdirSync(in1, { recursive: true });
    mkdirSync(in2, { recursive: true });
    writeFileSync(join(in1, 'a.jsonl'), jsonl(night1));
    writeFileSync(join(in2, 'b.jsonl'), jsonl(night2));
    for (const inp of [in1, in2]) {
      const r = await runCli(clean(inp, out, state, ...extra, '--annotate'));
      assert.equal(r.code, 0, r.stderr);
    }
    reasons[engine] = Object.fromEntries(recordsOf(out, 'rejects').map((r) => [r.id, r.synthfilter?.reasons ?? []]));
    // the batch engine keeps its ledger as run sets under <state>/ledger/, none in the state generation's ledger.bin
    const entries = readGenerationFile(state, readHead(state)!, 'ledger.bin').value.size;
    if (engine === 'batch') {
      assert.deepEqual(readdirSync(join(state, 'ledger')).sort(), ['L0-0000000000-0000000001', 'L0-0000000001-0000000002']);
      assert.equal(entries, 0);
    } else assert.ok(entries > 0 && !existsSync(join(state, 'ledger')));
  }
  assert.deepEqual(reasons.index!['s1-again'], ['synthetic_reuse'], 'the index engine rejects the reused synthetic record');
  assert.deepEqual(reasons.batch, reasons.index);
});

test('batch engine: kill -9 of a rank mid-night, then restarting it, publishes the same output', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  planted(inp, 6000, 5);
  const ref = await runCli(clean(inp, join(d, 'ref'), join(d, 'sref'), ...BATCH, '--workers', '1'));
  assert.equal(ref.code, 0, ref.stderr);
  const want = published(join(d, 'ref'));
  const [out, state] = [join(d, 'out'), join(d, 'state')];
  const base = clean(inp, out, state, ...BATCH, '--world-size', '2');
  // kill rank 1 once it holds a band task (or, at the latest, after 5 s)
  const during = await killRankAndRestart(base, out, want, () => claimsOf(state).some((x) => /^(bands|reduce|cluster)/.test(x)), 5000);
  assert.ok(during, 'the kill came while the band tasks ran');
});

test('batch engine: a reduce, cluster, route, write or history task that keeps failing ends the night with exit 6, nothing published; a rerun publishes', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  planted(inp, 300, 9, 2);
  for (const task of ['reduce:1', 'cluster', 'route', 'write:000000-0000', 'history:sig']) {
    const [out, state] = [join(d, `out-${task.replace(':', '-')}`), join(d, `state-${task.replace(':', '-')}`)];
    const r = await runCli(clean(inp, out, state, ...BATCH, '--workers', '1'), '', { env: { SYNTHFILTER_TEST_FAIL_TASK: task } });
    assert.equal(r.code, 6, r.stderr);
    assert.match(r.stderr, new RegExp(`task ${task} failed 3 times.*nothing was published`));
    const runs = existsSync(out) ? readdirSync(out).filter((x) => /^run-[0-9a-f]{16}$/.test(x)) : [];
    assert.deepEqual(runs, [], `${task}: nothing published`);
    const again = await runCli(clean(inp, out, state, ...BATCH, '--workers', '1'));
    assert.equal(again.code, 0, again.stderr);
    assert.equal(readdirSync(out).filter((x) => /^run-[0-9a-f]{16}$/.test(x)).length, 1, `${task}: the rerun published`);
  }
});

test('batch engine: --memory 1x is exit 2 naming the flag; --memory 64M reaches the cluster task', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  planted(inp, 50, 1, 1);
  const bad = await runCli(clean(inp, join(d, 'o0'), join(d, 's0'), ...BATCH, '--memory', '1x'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--memory must be a size .* got \\?"1x\\?"/);
  const ok = await runCli(clean(inp, join(d, 'o1'), join(d, 's1'), ...BATCH, '--memory', '64M'));
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /cluster task: .*memory budget 67108864 bytes/);
});

test('batch engine: a crash after the band history was written, before the state commit, redoes the night to the same bytes', async () => {
  const d = tmp();
  const inp = join(d, 'in');
  planted(inp, 400, 13, 2);
  const cfg = resolveConfig({ diversity: { enabled: false }, origin: { enabled: false }, dedup: { engine: 'batch' } });
  const night = (out: string, state: string, onPhase?: (p: string) => void) =>
    cleanAsTasks({ spec: { inDir: inp, outDir: out, stateDir: state, cfg }, rank: 0, worldSize: 1, threads: 1, log: () => {}, onPhase });
  const ref = await night(join(d, 'ref'), join(d, 'sref'));
  assert.ok(ref.summary, 'the reference night was published');
  let crashes = 0;
  const r = await night(join(d, 'out'), join(d, 'state'), (p) => {
    if (p === 'history' && crashes++ === 0) throw new Error('crash between the history commit and the state commit');
  });
  assert.equal(crashes, 2, 'the finish ran again after the crash');
  assert.deepEqual({ ...r.summary, startedAt: '-' }, { ...ref.summary, startedAt: '-' });
  assertSame(published(join(d, 'out')), published(join(d, 'ref')), 'after the redo');
  const sets = readdirSync(join(d, 'state', 'bands'));
  assert.deepEqual(sets, readdirSync(join(d, 'sref', 'bands')), 'one history set, as without the crash');
  const ledgerOf = (state: string) => readdirSync(join(state, 'ledger')).flatMap((set) => ['rows', 'set.json'].map((f) => `${set}/${f}: ${readFileSync(join(state, 'ledger', set, f)).toString('base64')}`));
  assert.deepEqual(ledgerOf(join(d, 'state')), ledgerOf(join(d, 'sref')), 'one ledger set, the same bytes as without the crash');
});

test('batch engine: past the merge fan-in, reduce and cluster merge the parts\' runs in passes and publish the same bytes over two nights', async () => {
  const d = tmp();
  const [in1, in2] = [join(d, 'in1'), join(d, 'in2')];
  planted(in1, 900, 21, 9);
  planted(in2, 600, 22, 7, 'n');
  const night = async (label: string, env: NodeJS.ProcessEnv) => {
    for (const inp of [in1, in2]) {
      const r = await runCli(clean(inp, join(d, `o-${label}`), join(d, `s-${label}`), ...BATCH, '--annotate'), '', { env });
      assert.equal(r.code, 0, r.stderr);
    }
    const done = (task: string) => JSON.parse(readFileSync(join(d, `s-${label}`, 'tasks', 'g1', 'done', task), 'utf8'));
    return { files: published(join(d, `o-${label}`)), reduce: done('reduce:0'), cluster: done('cluster') };
  };
  const one = await night('one-pass', {});
  const passes = await night('passes', { SYNTHFILTER_TEST_MERGE_FAN_IN: '2' });
  // night 2 merges its 7 parts' runs and night 1's history set: 8 runs in one pass, or 8 -> 4 -> 2 with fan-in 2
  assert.equal(one.reduce.mergedRuns, 8);
  assert.equal(passes.reduce.mergedRuns, 2);
  assert.equal(one.cluster.exactRuns, 8);
  assert.equal(passes.cluster.exactRuns, 2);
  assert.ok(one.cluster.exact + one.cluster.near > 0, 'the nights have duplicates to find');
  assertSame(passes.files, one.files, 'merge passes');
});
