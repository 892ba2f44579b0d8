/**
 * One conformance suite for the state interface (src/state/backend.ts), run against all three backends: memory,
 * file (a temporary state directory) and redis (a private redis-server on a random loopback port).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fingerprint, resolveConfig, type Config } from '../../src/config/index.js';
import { FilterCore } from '../../src/stage/core.js';
import { FileBackend, MemoryBackend, type DedupItem, type StateBackend } from '../../src/state/index.js';
import { RedisBackend } from '../../src/state/redis-backend.js';
import type { PendingRun, RunSummary } from '../../src/state/file-store.js';
import { fakeText } from '../helpers.js';
import { startRedis, type RedisServer } from '../redis-server.js';

const cfgOf = (over: unknown = {}): Config => resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } }, over);
const CFG = cfgOf();
const core = new FilterCore(CFG);
const item = (id: string, text: string, insert = true): DedupItem => ({ id, features: core.featuresOf(text), insert });
const para = (seed: number) => fakeText(seed, 120);
const summary = (runId: string): RunSummary => ({ runId, startedAt: '2024-01-01T00:00:00.000Z', inputs: 3, files: 1, accept: 2, reject: 1, quarantine: 0, synthetic_share: 0, tail_retention: null, reasons: { exact_dup: 1 } });

interface Kind {
  name: 'memory' | 'file' | 'redis';
  persistent: boolean;
  /** a fresh state; `make` opens instances on it */
  fresh(): { make(partition?: string, cfg?: Config): StateBackend };
}

let redis: RedisServer | null = null;
let prefixNo = 0;

const KINDS: Kind[] = [
  {
    name: 'memory',
    persistent: false,
    fresh() {
      const work = mkdtempSync(join(tmpdir(), 'sf-conf-'));
      let n = 0;
      // every memory backend is its own (unpersisted) state; partitions still lock within the process
      return { make: (partition = `mem-${++n}-${Math.random()}`, cfg = CFG) => new MemoryBackend({ cfg, fingerprint: fingerprint(cfg), partition, workDir: work }) };
    },
  },
  {
    name: 'file',
    persistent: true,
    fresh() {
      const root = mkdtempSync(join(tmpdir(), 'sf-conf-'));
      // the file backend's partition is its directory
      return { make: (partition = 'p0', cfg = CFG) => new FileBackend({ cfg, fingerprint: fingerprint(cfg), partition }, join(root, partition)) };
    },
  },
  {
    name: 'redis',
    persistent: true,
    fresh() {
      const prefix = `conf${++prefixNo}`;
      return {
        make: (partition = 'p0', cfg = CFG) =>
          new RedisBackend({ cfg, fingerprint: fingerprint(cfg), partition, workDir: mkdtempSync(join(tmpdir(), 'sf-conf-')), url: redis!.url, prefix, retryMs: 3000, bucketBits: 12, lanes: 64 }),
      };
    },
  },
];

before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis?.stop();
});

async function opened(b: StateBackend): Promise<StateBackend> {
  await b.lock();
  await b.open();
  return b;
}

for (const kind of KINDS) {
  describe(`state conformance: ${kind.name}`, () => {
    test('check-and-insert: unique records are indexed; exact and near duplicates name the indexed record; a batch is sequential', async () => {
      const b = await opened(kind.fresh().make());
      try {
        const v1 = await b.checkAndInsert([item('a', para(1)), item('b', para(2)), item('c', para(3), false)]);
        for (const v of v1) assert.equal(v.dup.kind, null);
        assert.ok(v1[0]!.ref !== null && v1[1]!.ref !== null, 'unique records with insert are indexed');
        assert.equal(v1[2]!.ref, null, 'a check-only record is not indexed');
        const v2 = await b.checkAndInsert([
          item('a-exact', para(1).toUpperCase()),
          item('b-near', para(2) + ' and one more'),
          item('c-again', para(3) + ' tail'),
          item('d', para(4)),
          item('d-near', 'so ' + para(4)),
        ]);
        assert.deepEqual([v2[0]!.dup.kind, v2[0]!.dup.of, v2[0]!.dup.similarity, v2[0]!.matchRef], ['exact', 'a', 1, v1[0]!.ref]);
        assert.equal(v2[1]!.dup.kind, 'near');
        assert.equal(v2[1]!.dup.of, 'b');
        assert.equal(v2[1]!.matchRef, v1[1]!.ref);
        assert.ok(v2[1]!.dup.similarity! >= 0.8 && v2[1]!.dup.similarity! <= 1, String(v2[1]!.dup.similarity));
        assert.equal(v2[2]!.dup.kind, null, 'c was never indexed, so its twin is unique');
        assert.equal(v2[3]!.dup.kind, null);
        assert.equal(v2[4]!.dup.kind, 'near', 'a record sees the records inserted before it in the same batch');
        assert.equal(v2[4]!.dup.of, 'd');
        assert.equal(v2[4]!.matchRef, v2[3]!.ref);
        // short texts: exact only
        const v3 = await b.checkAndInsert([item('s1', 'tiny text'), item('s2', 'Tiny  text')]);
        assert.equal(v3[0]!.dup.kind, null);
        assert.equal(v3[0]!.dup.short, true);
        assert.equal(v3[1]!.dup.kind, 'exact');
        assert.equal(v3[1]!.dup.of, 's1');
      } finally {
        await b.close();
      }
    });

    test('remove: a removed record no longer matches', async () => {
      const b = await opened(kind.fresh().make());
      try {
        const [v] = await b.checkAndInsert([item('x', para(10))]);
        assert.equal((await b.checkAndInsert([item('x2', para(10), false)]))[0]!.dup.of, 'x');
        await b.remove([v!.ref!]);
        const [w] = await b.checkAndInsert([item('x3', para(10) + ' again')]);
        assert.equal(w!.dup.kind, null);
        assert.ok(w!.ref !== null);
      } finally {
        await b.close();
      }
    });

    test('settle: the chosen member represents its cluster (indexed now, or by join)', async () => {
      const b = await opened(kind.fresh().make());
      try {
        const [r] = await b.checkAndInsert([item('root', para(20))]);
        const member = item('member', para(20) + ' with a longer ending', true);
        const [m] = await b.checkAndInsert([member]);
        assert.equal(m!.dup.of, 'root');
        const [s] = await b.settle([{ root: r!.ref!, best: member }]);
        assert.equal(s!.best, true);
        if (!s!.indexed) {
          await b.join([member]);
          await b.remove([r!.ref!]);
        }
        const [t] = await b.checkAndInsert([item('twin', para(20) + ' with a longer ending.', false)]);
        assert.equal(t!.dup.of, 'member');
      } finally {
        await b.close();
      }
    });

    test('ledger: notes are staged until persist; first-seen facts stay, emissions count, unknown labels upgrade', async () => {
      const st = kind.fresh();
      const b = await opened(st.make());
      const h1 = core.featuresOf(para(30)).exactHash;
      const h2 = core.featuresOf(para(31)).exactHash;
      try {
        await b.ledgerNote([
          { hash: h1, run: 'r1', label: 'synthetic', pAi: 0.93, emitted: true },
          { hash: h2, run: 'r1', label: 'unknown', pAi: null, emitted: false },
        ]);
        assert.deepEqual(await b.ledgerGet([h1]), [null], 'not visible before persist');
        await b.persist();
        const [e1, e2] = await b.ledgerGet([h1, h2]);
        assert.deepEqual(e1, { firstRun: 'r1', label: 'synthetic', pAi: 0.93, emitted: 1 });
        assert.deepEqual(e2, { firstRun: 'r1', label: 'unknown', pAi: null, emitted: 0 });
        await b.ledgerNote([
          { hash: h1, run: 'r2', label: 'human', pAi: 0.1, emitted: true },
          { hash: h2, run: 'r2', label: 'human', pAi: 0.2, emitted: true },
        ]);
        await b.persist();
        const [f1, f2] = await b.ledgerGet([h1, h2]);
        assert.deepEqual(f1, { firstRun: 'r1', label: 'synthetic', pAi: 0.93, emitted: 2 });
        assert.deepEqual(f2, { firstRun: 'r1', label: 'human', pAi: null, emitted: 1 });
      } finally {
        await b.close();
      }
    });

    test('registry, run history, tail statistics and pending run', async () => {
      const st = kind.fresh();
      const b = await opened(st.make());
      try {
        assert.deepEqual(await b.registryGet(), {});
        assert.deepEqual(await b.runsList(), []);
        assert.equal(await b.readPending(), null);
        const g0 = b.generation;
        const pending: PendingRun = { runId: 'r1', startedAt: 'x', fingerprint: fingerprint(CFG), generation: g0, files: [{ path: '/in/a.jsonl', rel: 'a.jsonl', size: 1, mtimeMs: 2, sha256: 'ff' }] };
        await b.writePending(pending);
        assert.deepEqual(await b.readPending(), pending);
        await b.beginRun('r1');
        const entry = { size: 1, mtimeMs: 2, sha256: 'ff', runId: 'r1' };
        await b.registrySet({ 'a.jsonl': entry });
        await b.runsAppend(summary('r1'));
        const df = new Uint32Array(1 << 12);
        df[7] = 3;
        df[4000] = 1;
        await b.tailSet({ docs: 5, df });
        assert.deepEqual(await b.registryGet(), {}, 'staged until persist');
        await b.persist();
        await b.clearPending('r1');
        assert.ok(b.generation > g0);
        assert.deepEqual(await b.registryGet(), { 'a.jsonl': entry });
        assert.deepEqual(await b.runsList(), [summary('r1')]);
        const t = await b.tailGet();
        assert.equal(t!.docs, 5);
        assert.deepEqual([t!.df.length, t!.df[7], t!.df[4000]], [1 << 12, 3, 1]);
        if (kind.persistent) {
          await b.close();
          const c = await opened(st.make());
          try {
            assert.equal(await c.readPending(), null, 'the commit cleared the pending run');
            assert.deepEqual(await c.registryGet(), { 'a.jsonl': entry });
            assert.deepEqual(await c.runsList(), [summary('r1')]);
            assert.equal(c.generation, b.generation);
          } finally {
            await c.close();
          }
        }
      } finally {
        await b.close();
      }
    });

    test('lock: one holder per partition; released on close', async () => {
      const st = kind.fresh();
      const a = await opened(st.make('part-a'));
      const other = st.make('part-b');
      await other.lock(); // another partition is independent
      await other.close();
      const b = st.make('part-a');
      await assert.rejects(b.lock(), (e: Error & { code?: string }) => e.code === 'E_LOCKED' && /locked/.test(e.message));
      await a.close();
      await b.lock();
      await b.close();
    });

    test('persist and reopen: a persistent backend keeps the index; an interrupted run is forgotten', async () => {
      const st = kind.fresh();
      const a = await opened(st.make());
      await a.beginRun('r1');
      const [v] = await a.checkAndInsert([item('kept', para(40))]);
      assert.ok(v!.ref);
      await a.registrySet({ 'a.jsonl': { size: 1, mtimeMs: 1, sha256: 'aa', runId: 'r1' } });
      await a.runsAppend(summary('r1'));
      await a.persist();
      // an interrupted run: indexes a record, never commits
      await a.beginRun('r2');
      await a.checkAndInsert([item('lost', para(41))]);
      await a.close();
      const b = await opened(st.make());
      try {
        await b.beginRun('r2');
        const [k, l] = await b.checkAndInsert([item('kept-again', para(40), false), item('lost-again', para(41), false)]);
        if (kind.persistent) assert.equal(k!.dup.of, 'kept');
        else assert.equal(k!.dup.kind, null, 'memory persists nothing');
        assert.equal(l!.dup.kind, null, 'what an uncommitted run indexed is gone');
      } finally {
        await b.close();
      }
      if (kind.persistent) {
        // another dedup configuration cannot reuse the state
        const c = st.make('p0', cfgOf({ dedup: { threshold: 0.9 } }));
        await assert.rejects(
          (async () => {
            await c.lock();
            await c.open();
          })(),
          (e: Error & { code?: string }) => e.code === 'E_STATE' && /fingerprint/.test(e.message),
        );
        await c.close();
      }
    });
  });
}
