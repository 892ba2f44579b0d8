/** Steps "publish" and "commit" alone (src/stage/batch/publish.ts, commit.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fingerprint, resolveConfig } from '../../src/config/index.js';
import { commitRun, nextRegistry } from '../../src/stage/batch/commit.js';
import type { NightReport } from '../../src/stage/batch/manifest.js';
import { publishRun } from '../../src/stage/batch/publish.js';
import { NightStats } from '../../src/report/collect.js';
import { stagingDir } from '../../src/stage/clean-paths.js';
import type { PendingRun, RunSummary } from '../../src/state/file-store.js';
import { FileBackend } from '../../src/state/index.js';
import { tmp } from '../helpers.js';

/** a night's run-history entry, as the report's trend draws it */
const summaryOf = (runId: string) => ({ runId, startedAt: 's', inputs: 0, files: 0, accept: 0, reject: 0, quarantine: 0, synthetic_share: 0, tail_retention: null, reasons: {} });
const report = (runId: string) => ({ version: 'x', run_id: runId, started_at: 's', config_fingerprint: 'fp', inputs: [], counts: { input: 0, accept: 0, reject: 0, quarantine: 0 }, reasons: {}, origin: { input: { human: 0, synthetic: 0, unknown: 0 }, accepted: { human: 0, synthetic: 0, unknown: 0 } }, max_synthetic_share: 0.3, shards: [], rejects: [], quarantine: [], p_ai_hist: { human: [], synthetic: [], unknown: [] }, diversity_hist: {}, tail: { seen: 0, accepted: 0, hard: 0, retention: null }, cluster_sizes: {}, history: [summaryOf(runId)], errors: [], config: {}, warnings: [] }) as unknown as NightReport;

function staged(out: string, runId: string): void {
  mkdirSync(stagingDir(out, runId), { recursive: true });
  writeFileSync(join(stagingDir(out, runId), 'shard-00000.jsonl'), '{"text":"a"}\n');
}

test('publish: the staging folder with its manifest and reports goes into place as OUT/<run-id>', () => {
  const out = tmp('sf-publish-');
  staged(out, 'night-1');
  const final = publishRun({ outDir: out, runId: 'night-1', report: report('night-1'), roots: [out], night: new NightStats(resolveConfig(), []) });
  assert.equal(final, join(out, 'night-1'));
  assert.equal(existsSync(stagingDir(out, 'night-1')), false);
  assert.equal(readFileSync(join(final, 'shard-00000.jsonl'), 'utf8'), '{"text":"a"}\n');
  const manifest = JSON.parse(readFileSync(join(final, 'manifest.json'), 'utf8'));
  assert.equal(manifest.run_id, 'night-1');
  assert.equal(manifest.complete, true);
  assert.equal(manifest.history, undefined, 'the manifest leaves the history to report.json');
  assert.deepEqual(JSON.parse(readFileSync(join(final, 'report.json'), 'utf8')).history, [summaryOf('night-1')]);
  assert.ok(existsSync(join(final, 'report.html')));
});

test("publish: refuses to replace another run's output", () => {
  const out = tmp('sf-publish-');
  mkdirSync(join(out, 'night-1'));
  writeFileSync(join(out, 'night-1', 'manifest.json'), '{"run_id":"someone-else"}');
  staged(out, 'night-1');
  assert.throws(() => publishRun({ outDir: out, runId: 'night-1', report: report('night-1'), roots: [out], night: new NightStats(resolveConfig(), []) }));
  assert.equal(readFileSync(join(out, 'night-1', 'manifest.json'), 'utf8'), '{"run_id":"someone-else"}');
});

const run: PendingRun = {
  runId: 'night-2',
  startedAt: '2026-01-01T00:00:00.000Z',
  fingerprint: 'fp',
  generation: 1,
  files: [
    { path: '/in/a.jsonl', rel: 'a.jsonl', size: 10, mtimeMs: 1, sha256: 'aa' },
    { path: '/in/b.jsonl', rel: 'b.jsonl', size: 20, mtimeMs: 2, sha256: 'bb' },
  ],
};

test('commit: the registry gains the files read completely, not those with a read error', () => {
  const before = { 'old.jsonl': { size: 1, mtimeMs: 0, sha256: 'oo', runId: 'night-1' } };
  const reg = nextRegistry(run, before, ['/in/b.jsonl: line 3: truncated gzip']);
  assert.deepEqual(Object.keys(reg).sort(), ['a.jsonl', 'old.jsonl']);
  assert.deepEqual(reg['a.jsonl'], { size: 10, mtimeMs: 1, sha256: 'aa', runId: 'night-2' });
  assert.equal(Object.keys(before).length, 1, 'the registry the run found is not changed');
});

test('commit: registry, run history and tail statistics become the next generation', async () => {
  const dir = tmp('sf-commit-');
  const cfg = resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } });
  const open = async () => {
    const b = new FileBackend({ cfg, fingerprint: fingerprint(cfg), partition: 'p0' }, dir);
    await b.lock();
    await b.open();
    return b;
  };
  const b = await open();
  const gen0 = b.generation;
  const summary: RunSummary = { runId: 'night-2', startedAt: run.startedAt, inputs: 3, files: 2, accept: 2, reject: 1, quarantine: 0, synthetic_share: 0, tail_retention: null, reasons: {} };
  await commitRun({ backend: b, run, registry: {}, summary, tail: { docs: 7, df: new Uint32Array([1, 2, 3]) }, errors: [] });
  await b.close();
  const again = await open();
  assert.equal(again.generation, gen0 + 1);
  assert.deepEqual(Object.keys(await again.registryGet()).sort(), ['a.jsonl', 'b.jsonl']);
  assert.deepEqual((await again.runsList()).map((r) => r.runId), ['night-2']);
  assert.equal((await again.tailGet())?.docs, 7);
  await again.close();
});
