/**
 * `synthfilter clean` with shared state in Redis: several worker processes on disjoint partitions deduplicate as
 * one, and a Redis outage either waits (within state.retryMs) or stops the run with exit 7 and nothing committed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { runCli, tmp, jsonl, fakeText, type RunOut } from '../helpers.js';
import { startRedis, type RedisServer } from '../redis-server.js';

let srv: RedisServer;
before(async () => {
  srv = await startRedis({ persist: true });
});
after(async () => {
  await srv?.stop();
});

const lines = (buf: Buffer) => gunzipSync(buf).toString().trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));
const runDirs = (out: string) => (existsSync(out) ? readdirSync(out).filter((d) => !d.startsWith('.')).sort() : []);

interface Rec {
  id: string;
  text: string;
  synthfilter?: { decision: string; dup: { kind: string | null; of: string | null } };
}
function readOut(out: string) {
  const kept: Rec[] = [];
  const rejected: Rec[] = [];
  let quarantined = 0;
  const counts = { input: 0, accept: 0, reject: 0, quarantine: 0 };
  for (const run of runDirs(out)) {
    const m = JSON.parse(readFileSync(join(out, run, 'manifest.json'), 'utf8'));
    for (const s of m.shards) kept.push(...lines(readFileSync(join(out, run, s.file))));
    for (const s of m.rejects) rejected.push(...lines(readFileSync(join(out, run, s.file))));
    for (const s of m.quarantine) quarantined += lines(readFileSync(join(out, run, s.file))).length;
    for (const k of Object.keys(counts) as Array<keyof typeof counts>) counts[k] += m.counts[k];
  }
  return { kept, rejected, quarantined, counts };
}

/** Word 5-gram shingles of the normalised text (lower case, whitespace collapsed), as the dedup config defines. */
function shingles(text: string): Set<string> {
  const w = text.toLowerCase().normalize('NFC').trim().split(/\s+/).filter(Boolean);
  const s = new Set<string>();
  for (let i = 0; i + 5 <= w.length; i++) s.add(w.slice(i, i + 5).join(' '));
  if (w.length < 5 && w.length) s.add(w.join(' '));
  return s;
}

/** Pairs of kept records whose exact shingle Jaccard reaches the threshold (candidates via an inverted index). */
function nearDupPairs(kept: Rec[], threshold = 0.8): string[] {
  const sets = kept.map((r) => shingles(r.text));
  const inv = new Map<string, number[]>();
  sets.forEach((s, i) => s.forEach((g) => (inv.get(g) ?? inv.set(g, []).get(g)!).push(i)));
  const bad: string[] = [];
  const seen = new Set<string>();
  for (const xs of inv.values()) {
    if (xs.length < 2) continue;
    for (let a = 0; a < xs.length; a++)
      for (let b = a + 1; b < xs.length; b++) {
        const key = `${xs[a]},${xs[b]}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const A = sets[xs[a]!]!;
        const B = sets[xs[b]!]!;
        let inter = 0;
        for (const g of A) if (B.has(g)) inter++;
        const j = inter / (A.size + B.size - inter);
        if (j >= threshold) bad.push(`${kept[xs[a]!]!.id} ~ ${kept[xs[b]!]!.id} (J=${j.toFixed(3)})`);
      }
  }
  return bad;
}

/**
 * Partitions with planted near-duplicates: cluster c has variants (the text, one with an extra word, one with a
 * leading word, an upper-cased exact copy) spread over different partitions, plus unique texts, a few
 * empty texts (quarantine) and a malformed line per partition.
 */
function corpus(d: string, parts: number, files: number, perFile: number): { dirs: string[]; inputs: number } {
  const dirs: string[] = [];
  let inputs = 0;
  for (let p = 0; p < parts; p++) {
    const dir = join(d, `in${p}`);
    mkdirSync(dir, { recursive: true });
    dirs.push(dir);
    for (let f = 0; f < files; f++) {
      const rows = [];
      for (let i = 0; i < perFile; i++) {
        const k = (p * files + f) * perFile + i;
        const id = `p${p}-f${f}-${i}`;
        let text: string;
        if (i % 4 === 0) {
          // planted: cluster c, variant v lives in partition (c + v) % parts
          const c = Math.floor(k / 4) % 300;
          const v = (p - (c % parts) + parts) % parts;
          const base = fakeText(50_000 + c, 100);
          text = [base, base + ' indeed', 'so ' + base, base.toUpperCase()][v % 4]!;
        } else if (i % 97 === 5) text = '   ';
        else text = fakeText(k + 1, 90);
        rows.push({ id, text });
      }
      inputs += rows.length + (f === 0 ? 1 : 0);
      writeFileSync(join(dir, `part-${f}.jsonl`), jsonl(rows) + (f === 0 ? '{"broken json\n' : ''));
    }
  }
  return { dirs, inputs };
}

const redisArgs = (prefix: string, extra: string[] = []) => ['--set', 'state.backend="redis"', '--set', `state.url="${srv.url}"`, '--set', `state.prefix="${prefix}"`, ...extra];
const worker = (inDir: string, out: string, part: string, prefix: string, extra: string[] = []) =>
  runCli(['clean', '--in', inDir, '--out', out, '--partition', part, '--workers', '1', ...redisArgs(prefix, extra)]);

function checkInvariants(outs: string[], inputs: number) {
  const all = outs.map(readOut);
  const kept = all.flatMap((x) => x.kept);
  const rejected = all.flatMap((x) => x.rejected);
  const counts = all.reduce((a, x) => ({ input: a.input + x.counts.input, accept: a.accept + x.counts.accept, reject: a.reject + x.counts.reject, quarantine: a.quarantine + x.counts.quarantine }), { input: 0, accept: 0, reject: 0, quarantine: 0 });
  assert.equal(counts.input, inputs, 'every input line was counted once');
  assert.equal(counts.input, counts.accept + counts.reject + counts.quarantine, 'input = accepted + rejected + quarantined');
  assert.equal(kept.length, counts.accept);
  assert.equal(rejected.length, counts.reject);
  assert.equal(all.reduce((a, x) => a + x.quarantined, 0), counts.quarantine);
  const keptIds = new Set(kept.map((r) => r.id));
  assert.equal(keptIds.size, kept.length, 'no record kept twice');
  const dups = rejected.filter((r) => r.synthfilter?.dup.kind);
  for (const r of dups) assert.ok(keptIds.has(r.synthfilter!.dup.of!), `${r.id} is a duplicate of ${r.synthfilter!.dup.of}, which was not kept`);
  assert.deepEqual(nearDupPairs(kept), [], 'no two kept records are near-duplicates');
  return { kept, rejected, dups, counts };
}

test('clean/redis: 3 concurrent workers on disjoint partitions deduplicate as one; rerun is idempotent', async () => {
  const d = tmp();
  const { dirs, inputs } = corpus(d, 3, 2, 600);
  const outs = dirs.map((_, i) => join(d, `out${i}`));
  const prefix = `multi${Date.now()}`;
  const rs = await Promise.all(dirs.map((dir, i) => worker(dir, outs[i]!, `part-${i}`, prefix)));
  rs.forEach((r, i) => assert.equal(r.code, 0, `worker ${i}: ${r.stderr}`));
  const { dups, counts } = checkInvariants(outs, inputs);
  // planted clusters crossed partitions: some duplicates name a record another worker kept
  const keptBy = new Map<string, number>();
  outs.forEach((o, i) => readOut(o).kept.forEach((r) => keptBy.set(r.id, i)));
  const cross = dups.filter((r) => !r.id.startsWith(`p${keptBy.get(r.synthfilter!.dup.of!)}-`));
  assert.ok(cross.length >= 100, `cross-partition duplicates: ${cross.length}`);
  assert.ok(counts.accept > 1000, String(counts.accept));
  // rerun: nothing new anywhere
  const again = await Promise.all(dirs.map((dir, i) => worker(dir, outs[i]!, `part-${i}`, prefix)));
  again.forEach((r, i) => {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /nothing to do/, `worker ${i}`);
    assert.equal(runDirs(outs[i]!).length, 1);
  });
  // a new file in one partition is deduplicated against everything the workers kept
  writeFileSync(join(dirs[1]!, 'late.jsonl'), jsonl([{ id: 'late-1', text: fakeText(50_000 + 7, 100) + ' late' }, { id: 'late-2', text: fakeText(424242, 90) }]));
  const late = await worker(dirs[1]!, outs[1]!, 'part-1', prefix);
  assert.equal(late.code, 0, late.stderr);
  const lateRun = runDirs(outs[1]!).find((x) => !rs[1]!.stderr.includes(x))!;
  const m = JSON.parse(readFileSync(join(outs[1]!, lateRun, 'manifest.json'), 'utf8'));
  assert.equal(m.counts.input, 2);
  assert.equal(m.counts.accept, 1);
  checkInvariants(outs, inputs + 2);
});

/** Run one worker; when its first spool is complete (dedup is about to start), call `fault`. */
async function withFault(args: string[], workDir: string, fault: () => Promise<void>): Promise<RunOut> {
  const p = runCli(args);
  let fired = false;
  const t0 = Date.now();
  while (!fired && Date.now() - t0 < 30_000) {
    const done = existsSync(workDir) && readdirSync(workDir).some((r) => existsSync(join(workDir, r, '000000-0000.spool.done')));
    if (done) {
      fired = true;
      await fault();
    } else await new Promise((r) => setTimeout(r, 10));
  }
  const r = await p;
  assert.ok(fired, `the fault never fired: ${r.stderr}`);
  return r;
}

const keptText = (out: string) => readOut(out).kept.map((r) => r.id).sort();
const rejectsOf = (out: string) => readOut(out).rejected.map((r) => `${r.id}>${r.synthfilter?.dup.of ?? ''}`).sort();

test('clean/redis: a Redis restart within state.retryMs is waited out; the result equals an uninterrupted run', async () => {
  const d = tmp();
  const { dirs, inputs } = corpus(d, 1, 4, 1500);
  const ref = join(d, 'ref');
  const r0 = await worker(dirs[0]!, ref, 'p', `ref${Date.now()}`);
  assert.equal(r0.code, 0, r0.stderr);
  const out = join(d, 'out');
  const r = await withFault(['clean', '--in', dirs[0]!, '--out', out, '--partition', 'p', '--workers', '1', ...redisArgs(`restart${Date.now()}`, ['--set', 'state.retryMs=20000'])], join(out, '.synthfilter-work'), async () => {
    await srv.stop();
    await new Promise((res) => setTimeout(res, 800));
    await srv.start();
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /unreachable .*retrying for up to state\.retryMs=20000 ms/, 'the outage hit the run');
  assert.match(r.stderr, /reachable again after \d+ ms/);
  checkInvariants([out], inputs);
  assert.deepEqual(keptText(out), keptText(ref));
  assert.deepEqual(rejectsOf(out), rejectsOf(ref));
});

test('clean/redis: Redis down for longer than state.retryMs exits 7 with nothing committed; the rerun completes', async () => {
  const d = tmp();
  const { dirs, inputs } = corpus(d, 1, 4, 1500);
  const ref = join(d, 'ref');
  assert.equal((await worker(dirs[0]!, ref, 'p', `ref2${Date.now()}`)).code, 0);
  const out = join(d, 'out');
  const prefix = `down${Date.now()}`;
  const t0 = Date.now();
  const r = await withFault(['clean', '--in', dirs[0]!, '--out', out, '--partition', 'p', '--workers', '1', ...redisArgs(prefix, ['--set', 'state.retryMs=1500'])], join(out, '.synthfilter-work'), () => srv.stop());
  assert.equal(r.code, 7, r.stderr);
  assert.match(r.stderr, /unreachable for more than state\.retryMs=1500 ms/);
  assert.match(r.stderr, /Nothing of this run was committed/);
  assert.ok(Date.now() - t0 < 20_000);
  assert.deepEqual(runDirs(out), [], 'no output was published');
  await srv.start(); // the append-only file kept what the failed attempt indexed
  const again = await worker(dirs[0]!, out, 'p', prefix);
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stderr, /resuming interrupted run/);
  checkInvariants([out], inputs);
  // the aborted attempt's index entries were rolled back: the result is what an uninterrupted run gives
  assert.deepEqual(keptText(out), keptText(ref));
  assert.deepEqual(rejectsOf(out), rejectsOf(ref));
  const rerun = await worker(dirs[0]!, out, 'p', prefix);
  assert.match(rerun.stderr, /nothing to do/);
});

test('clean/redis: a server that comes back empty is detected (exit 7), never used as an empty index', async () => {
  const d = tmp();
  const { dirs } = corpus(d, 1, 3, 1000);
  const empty = await startRedis(); // no persistence
  try {
    const out = join(d, 'out');
    const args = ['clean', '--in', dirs[0]!, '--out', out, '--partition', 'p', '--workers', '1', '--set', 'state.backend="redis"', '--set', `state.url="${empty.url}"`, '--set', 'state.retryMs=20000'];
    const r = await withFault(args, join(out, '.synthfilter-work'), () => empty.restart());
    assert.equal(r.code, 7, r.stderr);
    assert.match(r.stderr, /lost its data/);
    assert.deepEqual(runDirs(out), []);
  } finally {
    await empty.stop();
  }
});

test('clean/redis: configuration and reachability errors', async () => {
  const d = tmp();
  mkdirSync(join(d, 'in'));
  writeFileSync(join(d, 'in', 'a.jsonl'), jsonl([{ text: fakeText(1, 80) }]));
  let r = await runCli(['clean', '--in', join(d, 'in'), '--out', join(d, 'out'), '--set', 'state.backend="redis"']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /state\.url is not set/);
  r = await runCli(['clean', '--in', join(d, 'in'), '--out', join(d, 'out'), '--set', 'state.backend="redis"', '--set', 'state.url="http://x"']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /state\.url: must be null or a redis/);
  r = await runCli(['clean', '--in', join(d, 'in'), '--out', join(d, 'out'), '--set', 'state.backend="redis"', '--set', 'state.url="redis://u:pw@127.0.0.1:1"', '--set', 'state.retryMs=300']);
  assert.equal(r.code, 7);
  assert.match(r.stderr, /127\.0\.0\.1:1 is unreachable/);
  assert.doesNotMatch(r.stderr, /pw@/);
  // a second worker on a locked partition exits 5
  const prefix = `lock${Date.now()}`;
  const cfg = join(d, 'cfg.json');
  writeFileSync(cfg, JSON.stringify({ state: { backend: 'redis', url: srv.url, prefix } }));
  srv.cli('SET', `{${prefix}}:k:${(await import('node:crypto')).createHash('sha1').update('shared').digest('hex').slice(0, 12)}`, JSON.stringify({ token: 'x', pid: 1, host: 'elsewhere', started: 'now' }), 'PX', '60000');
  r = await runCli(['clean', '--in', join(d, 'in'), '--out', join(d, 'out'), '--partition', 'shared', '--config', cfg]);
  assert.equal(r.code, 5, r.stderr);
  assert.match(r.stderr, /partition shared is locked by pid 1 on elsewhere/);
});

test('clean/redis: Redis Cluster: the node serving the index slot works; another node exits 2 naming the right node', async () => {
  // two cluster nodes, half of the slots each, introduced to each other
  const a = await startRedis({ cluster: true });
  const b = await startRedis({ cluster: true });
  try {
    assert.equal(a.cli('CLUSTER', 'ADDSLOTSRANGE', '0', '8191'), 'OK');
    assert.equal(b.cli('CLUSTER', 'ADDSLOTSRANGE', '8192', '16383'), 'OK');
    assert.equal(a.cli('CLUSTER', 'MEET', '127.0.0.1', String(b.port)), 'OK');
    for (let t = 0; !(a.cli('CLUSTER', 'INFO').includes('cluster_state:ok') && b.cli('CLUSTER', 'INFO').includes('cluster_state:ok')); t++) {
      assert.ok(t < 200, 'the two-node cluster did not converge');
      await new Promise((r) => setTimeout(r, 50));
    }
    const prefix = `cluster${Date.now()}`;
    const slot = Number(a.cli('CLUSTER', 'KEYSLOT', `{${prefix}}`));
    const [owner, other] = slot < 8192 ? [a, b] : [b, a];
    const d = tmp();
    mkdirSync(join(d, 'in'));
    writeFileSync(join(d, 'in', 'a.jsonl'), jsonl([{ id: 'a', text: fakeText(1, 80) }, { id: 'b', text: fakeText(2, 80) }]));
    const run = (node: RedisServer, out: string) =>
      runCli(['clean', '--in', join(d, 'in'), '--out', join(d, out), '--partition', 'p', '--set', 'state.backend="redis"', '--set', `state.url="${node.url}"`, '--set', `state.prefix="${prefix}"`, '--set', 'state.retryMs=2000']);
    // the wrong node: MOVED becomes a configuration error (exit 2), not a state error (6), and nothing is published
    let r = await run(other, 'out-other');
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /is a Redis Cluster node that does not serve this state \(it answered MOVED: slot \d+ of the hash tag \{cluster\d+\} is served by 127\.0\.0\.1:\d+\)/);
    assert.ok(r.stderr.includes(`127.0.0.1:${owner.port}`), 'the message names the node that serves the slot');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(other.cli('DBSIZE'), '0', 'nothing was written to the wrong node');
    assert.ok(!existsSync(join(d, 'out-other')) || readdirSync(join(d, 'out-other')).every((f) => !f.startsWith('run-')), 'nothing was published');
    // the node that serves the slot: the run completes, as on a standalone server
    r = await run(owner, 'out-owner');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /is a Cluster node; the whole index lives in the slot of the hash tag/);
    assert.equal(readOut(join(d, 'out-owner')).kept.length, 2);
  } finally {
    await a.stop();
    await b.stop();
  }
});
