/**
 * A night as tasks (docs/scale.md): the same published bytes for one process, `--workers N` and `--world-size N
 * --rank R` run as local processes; faults (kill -9 of a rank, a rank with another config, an input whose task
 * keeps failing, a full disk). Processes are real and stopped by their pid.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CORE_ONLY_FLAGS, fakeText, jsonl, runCli, tmp } from '../helpers.js';
import { assertSame, claimsOf, killRankAndRestart, published, ranks, startRank } from './night-helpers.js';

/** Four input files with exact and near duplicates across them, and one bad line. */
function corpus(d: string, rows = 400): string {
  const inp = join(d, 'in');
  mkdirSync(inp);
  for (let f = 0; f < 4; f++) {
    const data = Array.from({ length: rows }, (_, i) => {
      const k = f * rows + i;
      return { id: `f${f}-${i}`, text: fakeText((k * 7) % (rows * 3) + 1, 50) + (k % 3 === 0 ? ' extra' : '') };
    });
    writeFileSync(join(inp, `part-${f}.jsonl`), jsonl(data) + (f === 1 ? 'not json\n' : ''));
  }
  return inp;
}

const clean = (inp: string, out: string, state: string, ...extra: string[]) => ['clean', '--in', inp, '--out', out, '--state', state, ...CORE_ONLY_FLAGS, ...extra];

test('scale: one process, --workers 2 and 4, 2 and 4 ranks, and a rerun publish byte-identical output', async () => {
  const d = tmp();
  const inp = corpus(d);
  const ref = await runCli(clean(inp, join(d, 'o1'), join(d, 's1')));
  assert.equal(ref.code, 0, ref.stderr);
  const want = published(join(d, 'o1'));
  const run = Object.keys(want)[0]!.split('/')[1]!;
  assert.match(run, /^run-[0-9a-f]{16}$/, 'the run id is derived from the plan');
  assert.ok(Object.keys(want).some((k) => k.includes('shard-')), 'shards were published');
  for (const w of ['2', '4']) {
    const r = await runCli(clean(inp, join(d, `w${w}`), join(d, `sw${w}`), '--workers', w));
    assert.equal(r.code, 0, r.stderr);
    assertSame(published(join(d, `w${w}`)), want, `--workers ${w}`);
  }
  for (const n of [2, 4]) {
    const rs = await ranks(n, clean(inp, join(d, `r${n}`), join(d, `sr${n}`)));
    rs.forEach((r, i) => assert.equal(r.code, 0, `rank ${i}: ${r.stderr}`));
    assertSame(published(join(d, `r${n}`)), want, `${n} ranks`);
  }
  const again = await runCli(clean(inp, join(d, 'o2'), join(d, 's2')));
  assert.equal(again.code, 0, again.stderr);
  assertSame(published(join(d, 'o2')), want, 'rerun');
  // the next night over the same state: nothing new, every rank exits 0
  const next = await ranks(2, clean(inp, join(d, 'r2'), join(d, 'sr2')));
  next.forEach((r) => assert.equal(r.code, 0, r.stderr));
});

test('scale: kill -9 of a rank mid-night, then restarting it, publishes the same output', async () => {
  const d = tmp();
  const inp = corpus(d, 1500);
  const ref = await runCli(clean(inp, join(d, 'ref'), join(d, 'sref')));
  assert.equal(ref.code, 0, ref.stderr);
  const want = published(join(d, 'ref'));
  const [out, state] = [join(d, 'out'), join(d, 'state')];
  const base = clean(inp, out, state, '--world-size', '2');
  // kill rank 1 as soon as it holds a task (or, at the latest, after 1.5 s)
  await killRankAndRestart(base, out, want, () => claimsOf(state).length > 0, 1500);
});

test('scale: a rank with another config exits 2; a full disk exits 4 with nothing published', async () => {
  const d = tmp();
  const inp = corpus(d, 100);
  const [out, state] = [join(d, 'out'), join(d, 'state')];
  // rank 0 plans the night, then its first map task cannot write its done marker: disk full
  const full = await startRank(clean(inp, out, state, '--world-size', '2', '--rank', '0'), { SYNTHFILTER_TEST_DISK_FULL: 'done/map' }).done;
  assert.equal(full.code, 4, full.stderr);
  assert.match(full.stderr, /ENOSPC|no space/i);
  assert.doesNotMatch(full.stderr, /\n\s+at /, 'no stack trace');
  assert.deepEqual(existsSync(out) ? readdirSync(out).filter((f) => !f.startsWith('.')) : [], [], 'nothing published');
  const other = await startRank(clean(inp, out, state, '--world-size', '2', '--rank', '1', '--set', 'route.maxSyntheticShare=0.1')).done;
  assert.equal(other.code, 2, other.stderr);
  assert.match(other.stderr, /config fingerprint [0-9a-f]{16}, this process has [0-9a-f]{16}/);
  // the same config on every rank: the night completes
  const ok = await ranks(2, clean(inp, out, state));
  ok.forEach((r) => assert.equal(r.code, 0, r.stderr));
  assert.equal(readdirSync(out).filter((f) => !f.startsWith('.')).length, 1, 'one night published');
});

test('scale: an input whose task keeps failing is quarantined with its reason after 3 attempts; the night completes', async () => {
  const d = tmp();
  const inp = corpus(d, 100);
  const out = join(d, 'out');
  const r = await runCli(clean(inp, out, join(d, 'state'), '--workers', '2'), '', { env: { SYNTHFILTER_TEST_FAIL_PART: 'part-2.jsonl' } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /failed \(attempt 3 of 3\)/);
  const files = published(out);
  const q = Object.entries(files).filter(([k]) => k.includes('/quarantine/')).flatMap(([, v]) => v.trim().split('\n').map((l) => JSON.parse(l)));
  const failed = q.filter((x) => x.synthfilter.reasons[0] === 'task_failed');
  assert.equal(failed.length, 1, 'one quarantine record for the failed part');
  assert.match(failed[0].synthfilter.detail, /part-2\.jsonl not processed: failed 3 times: test hook SYNTHFILTER_TEST_FAIL_PART/);
  assert.match(failed[0].synthfilter.source.file, /part-2\.jsonl$/);
  const shards = Object.entries(files).filter(([k]) => /shard-/.test(k)).flatMap(([, v]) => v.trim().split('\n').map((l) => JSON.parse(l).id));
  assert.ok(shards.length > 0 && shards.every((id: string) => !id.startsWith('f2-')), 'the other files were processed, the failed one not');
});

test('scale: Redis state with ranks or worker processes exits 2; --rank env reads the job array index', async () => {
  const d = tmp();
  const inp = corpus(d, 20);
  const redis = ['--set', 'state.backend="redis"', '--set', 'state.url="redis://127.0.0.1:1"'];
  const a = await runCli(['clean', '--in', inp, '--out', join(d, 'o'), ...redis, '--world-size', '2', '--rank', '0']);
  assert.equal(a.code, 2, a.stderr);
  assert.match(a.stderr, /not supported with state.backend \\?"redis/);
  const b = await runCli(['clean', '--in', inp, '--out', join(d, 'o'), ...redis, '--workers', '2']);
  assert.equal(b.code, 2, b.stderr);
  const bad = await runCli(clean(inp, join(d, 'o'), join(d, 's'), '--world-size', '2', '--rank', '2'));
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--rank must be an integer from 0 to 1/);
  const env = await runCli(clean(inp, join(d, 'o'), join(d, 's'), '--world-size', '1', '--rank', 'env'), '', { env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '5' } });
  assert.equal(env.code, 0, env.stderr);
  assert.equal(readdirSync(join(d, 'o')).filter((f) => f.startsWith('run-')).length, 1);
});
