/**
 * Redis backend beyond the shared conformance suite: atomic check-and-insert under concurrent workers, pinning
 * of matched roots, the acknowledged-op replay, and faults (server stopped and restarted, data lost, unreachable).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient, RESP_TYPES } from 'redis';
import { fingerprint, resolveConfig, type Config } from '../../src/config/index.js';
import { FilterCore } from '../../src/stage/core.js';
import { isBackendUnavailable, type DedupItem } from '../../src/state/index.js';
import { RedisBackend } from '../../src/state/redis-backend.js';
import { SCRIPT } from '../../src/state/redis-script.js';
import { resolveBandsRows } from '../../src/score/dedup/index.js';
import { dedupConfigOf } from '../../src/score/build.js';
import { fakeText } from '../helpers.js';
import { startRedis, type RedisServer } from '../redis-server.js';

const CFG: Config = resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } });
const core = new FilterCore(CFG);
const item = (id: string, text: string, insert = true): DedupItem => ({ id, features: core.featuresOf(text), insert });
let srv: RedisServer;
let n = 0;

function backend(o: { prefix?: string; partition?: string; retryMs?: number; url?: string; lanes?: number } = {}): RedisBackend {
  return new RedisBackend({
    cfg: CFG,
    fingerprint: fingerprint(CFG),
    partition: o.partition ?? `p${++n}`,
    workDir: mkdtempSync(join(tmpdir(), 'sf-rs-')),
    url: o.url ?? srv.url,
    prefix: o.prefix ?? `t${n}`,
    retryMs: o.retryMs ?? 5000,
    bucketBits: 12,
    lanes: o.lanes ?? 64,
  });
}
async function opened(b: RedisBackend): Promise<RedisBackend> {
  await b.lock();
  await b.open();
  return b;
}

before(async () => {
  srv = await startRedis({ persist: true });
});
after(async () => {
  await srv?.stop();
});

test('concurrent workers: each cluster of near-duplicates is kept once, and every match names the kept record', async () => {
  const prefix = `conc${Date.now()}`;
  const workers = await Promise.all([0, 1, 2, 3].map((w) => opened(backend({ prefix, partition: `w${w}` }))));
  // 150 clusters of 4 variants each (exact and near), spread over the workers in different orders
  const clusters = Array.from({ length: 150 }, (_, c) => {
    const base = fakeText(1000 + c, 100);
    return [base, base + ' one', 'and ' + base, base.toUpperCase()];
  });
  const perWorker: DedupItem[][] = [[], [], [], []];
  clusters.forEach((vs, c) => vs.forEach((t, v) => perWorker[(c + v) % 4]!.push(item(`c${c}-v${v}`, t))));
  perWorker.forEach((xs, w) => xs.sort((a, b) => ((a.id.length * 7 + w) % 5) - ((b.id.length * 3 + w) % 5) || (a.id < b.id ? -1 : 1)));
  const results = await Promise.all(
    workers.map(async (b, w) => {
      const xs = perWorker[w]!;
      const batches = [];
      for (let i = 0; i < xs.length; i += 16) batches.push(b.checkAndInsert(xs.slice(i, i + 16))); // all in flight
      return (await Promise.all(batches)).flat().map((v, i) => ({ id: xs[i]!.id, v }));
    }),
  );
  const all = results.flat();
  const kept = new Set(all.filter((x) => x.v.ref !== null).map((x) => x.id));
  for (let c = 0; c < clusters.length; c++) {
    const k = [...kept].filter((id) => id.startsWith(`c${c}-`));
    assert.equal(k.length, 1, `cluster ${c} kept ${k.join(',')}`);
  }
  for (const x of all) if (x.v.dup.kind !== null) assert.ok(kept.has(x.v.dup.of!), `${x.id} -> ${x.v.dup.of} is not kept`);
  await Promise.all(workers.map((b) => b.close()));
});

test('settle: a root another worker matched is pinned and stays; an unmatched root is swapped for the chosen member', async () => {
  const prefix = `pin${Date.now()}`;
  const a = await opened(backend({ prefix, partition: 'a' }));
  const b = await opened(backend({ prefix, partition: 'b' }));
  const base1 = fakeText(501, 100);
  const base2 = fakeText(502, 100);
  const [r1, r2] = await a.checkAndInsert([item('r1', base1), item('r2', base2)]);
  const m1 = item('m1', base1 + ' longer');
  const m2 = item('m2', base2 + ' longer');
  await a.checkAndInsert([{ ...m1, insert: true }, { ...m2, insert: true }]);
  const [x] = await b.checkAndInsert([item('other-worker', base1 + ' other')]);
  assert.equal(x!.dup.of, 'r1');
  const [s1, s2] = await a.settle([
    { root: r1!.ref!, best: m1 },
    { root: r2!.ref!, best: m2 },
  ]);
  assert.deepEqual([s1!.best, s1!.ref], [false, r1!.ref], 'r1 was matched by another worker: it stays the representative');
  assert.equal(s2!.best, true);
  assert.notEqual(s2!.ref, r2!.ref);
  const [t1, t2] = await b.checkAndInsert([item('t1', base1 + ' x', false), item('t2', base2 + ' x', false)]);
  assert.equal(t1!.dup.of, 'r1');
  assert.equal(t2!.dup.of, 'm2');
  await a.close();
  await b.close();
});

test('an acknowledged op retried after a lost reply returns the stored reply and is applied once; ops run in order', async () => {
  const c = createClient({ url: srv.url });
  await c.connect();
  const tm = { typeMapping: { [RESP_TYPES.BLOB_STRING]: Buffer } };
  const P = `{ack${Date.now()}}`;
  const sha = (await c.sendCommand(['SCRIPT', 'LOAD', SCRIPT])) as string;
  const ev = (op: number, cmd: string, ...args: Array<string | Buffer>) => c.sendCommand(['EVALSHA', sha, '1', P, 'inst', '1', String(op), cmd, ...args], tm) as Promise<Buffer | Buffer[]>;
  const init = (await ev(0, 'init', 'inst', 'fp', '1', '64', '12', '5', '12', 'now')) as Buffer[];
  assert.equal(init[0]!.toString(), 'inst');
  // one record through the encoder the backend uses (bucketBits 12: exact buckets of 9 bits)
  const { bands } = resolveBandsRows(dedupConfigOf(CFG));
  const rec = (backend() as unknown as { encode(it: DedupItem): Buffer }).encode(item('z', fakeText(77, 80)));
  const params = ['64', String(bands), '52', '100', '3', '12', '9', 'ph'];
  await assert.rejects(ev(2, 'check', ...params, rec), /SF_ORDER/, 'op 2 cannot run before op 1');
  const r1 = (await ev(1, 'check', ...params, rec)) as Buffer;
  const again = (await ev(1, 'check', ...params, rec)) as Buffer;
  assert.equal(r1.toString('latin1', 0, 1), 'U');
  assert.deepEqual(again, r1, 'the retry is answered from the acknowledgement');
  assert.equal(((await c.sendCommand(['GET', `${P}:n`])) as string), '1', 'inserted once');
  const r2 = (await ev(2, 'check', ...params, rec)) as Buffer;
  assert.equal(r2.toString('latin1', 0, 1), 'X', 'a new op sees the record');
  await assert.rejects(
    c.sendCommand(['EVALSHA', sha, '1', P, 'other-instance', '1', '3', 'check', ...params, rec]),
    /SF_STATE_LOST/,
    'another instance id is refused',
  );
  c.destroy();
});

test('server stopped and restarted within state.retryMs: calls wait, then complete in order', async () => {
  const b = await opened(backend({ retryMs: 8000 }));
  await b.checkAndInsert([item('before', fakeText(900, 80))]);
  await srv?.stop();
  const t0 = Date.now();
  // issued while the server is down: retried in order once it is back
  const p1 = b.checkAndInsert([item('d1', fakeText(901, 80)), item('d2', fakeText(902, 80))]);
  const p2 = b.checkAndInsert([item('d3', fakeText(901, 80) + ' near'), item('before-again', fakeText(900, 80))]);
  await new Promise((r) => setTimeout(r, 700));
  await srv.start();
  const [v1, v2] = await Promise.all([p1, p2]);
  assert.ok(Date.now() - t0 >= 600);
  assert.ok(v1.every((v) => v.ref !== null));
  assert.equal(v2[0]!.dup.of, 'd1', 'the second batch ran after the first');
  assert.equal(v2[1]!.dup.of, 'before', 'the data survived the restart (append-only file)');
  await b.close();
});

test('server down for longer than state.retryMs: BackendUnavailableError, and every later call fails fast', async () => {
  const b = await opened(backend({ retryMs: 600 }));
  await srv?.stop();
  const t0 = Date.now();
  await assert.rejects(b.checkAndInsert([item('x', fakeText(950, 80))]), (e: Error) => isBackendUnavailable(e) && /unreachable for more than state\.retryMs=600 ms/.test(e.message));
  assert.ok(Date.now() - t0 < 5000);
  await assert.rejects(b.ledgerGet([[1, 2]]), (e: Error) => isBackendUnavailable(e));
  await b.close();
  await srv.start();
});

test('state lost mid-run (server restarted empty) is detected, never deduplicated against an empty index', async () => {
  const b = await opened(backend({ retryMs: 3000 }));
  await b.checkAndInsert([item('x', fakeText(960, 80))]);
  srv.cli('FLUSHALL');
  await assert.rejects(b.checkAndInsert([item('x2', fakeText(960, 80))]), (e: Error) => isBackendUnavailable(e) && /lost its data/.test(e.message));
  await b.close();
});

test('unreachable at start: fails after state.retryMs with the (password-redacted) URL', async () => {
  const b = backend({ url: 'redis://user:secret@127.0.0.1:1', retryMs: 300 });
  const t0 = Date.now();
  await assert.rejects(b.lock(), (e: Error) => isBackendUnavailable(e) && /127\.0\.0\.1:1/.test(e.message) && !/secret/.test(e.message));
  assert.ok(Date.now() - t0 < 3000);
  await b.close();
});
