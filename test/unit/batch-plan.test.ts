/** Step "plan" alone (src/stage/batch/plan.ts): which inputs a night picks up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listInputs, planRun } from '../../src/stage/batch/plan.js';
import type { RegistryEntry } from '../../src/state/file-store.js';
import { jsonl, tmp } from '../helpers.js';

function inputs(): string {
  const dir = tmp('sf-plan-');
  writeFileSync(join(dir, 'a.jsonl'), jsonl([{ text: 'alpha' }]));
  writeFileSync(join(dir, 'b.jsonl'), jsonl([{ text: 'beta' }]));
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'c.ndjson'), jsonl([{ text: 'gamma' }]));
  writeFileSync(join(dir, 'notes.txt'), 'not an input');
  writeFileSync(join(dir, '.hidden.jsonl'), jsonl([{ text: 'hidden' }]));
  return dir;
}

const registryOf = async (dir: string): Promise<Record<string, RegistryEntry>> => {
  const first = await planRun({ inDir: dir, registry: {}, generation: 0, fingerprint: 'fp' });
  return Object.fromEntries(first.files.map((f) => [f.rel, { size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, runId: first.runId }]));
};

test('plan: lists input files in name order, skipping dot files and other extensions', () => {
  const dir = inputs();
  assert.deepEqual(listInputs(dir).map((p) => p.slice(dir.length + 1)), ['a.jsonl', 'b.jsonl', join('sub', 'c.ndjson')]);
});

test('plan: a first night picks every input, with its size and content hash, on the given generation', async () => {
  const dir = inputs();
  const run = await planRun({ inDir: dir, registry: {}, generation: 3, fingerprint: 'fp1', runId: 'night-1' });
  assert.equal(run.runId, 'night-1');
  assert.equal(run.generation, 3);
  assert.equal(run.fingerprint, 'fp1');
  assert.deepEqual(run.files.map((f) => f.rel), ['a.jsonl', 'b.jsonl', join('sub', 'c.ndjson')]);
  assert.equal(run.files[0]!.size, statSync(join(dir, 'a.jsonl')).size);
  assert.match(run.files[0]!.sha256, /^[0-9a-f]{64}$/);
});

test('plan: registered unchanged files are skipped, changed and new ones picked', async () => {
  const dir = inputs();
  const registry = await registryOf(dir);
  assert.equal((await planRun({ inDir: dir, registry, generation: 1, fingerprint: 'fp' })).files.length, 0);
  writeFileSync(join(dir, 'b.jsonl'), jsonl([{ text: 'beta, changed' }]));
  writeFileSync(join(dir, 'd.jsonl'), jsonl([{ text: 'delta' }]));
  const run = await planRun({ inDir: dir, registry, generation: 1, fingerprint: 'fp' });
  assert.deepEqual(run.files.map((f) => f.rel), ['b.jsonl', 'd.jsonl']);
});

test('plan: a touched file with the same content, or known content under a new name, is skipped', async () => {
  const dir = inputs();
  const registry = await registryOf(dir);
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(dir, 'a.jsonl'), later, later);
  writeFileSync(join(dir, 'copy-of-b.jsonl'), jsonl([{ text: 'beta' }]));
  assert.deepEqual((await planRun({ inDir: dir, registry, generation: 1, fingerprint: 'fp' })).files, []);
});

test('plan: a missing input folder is a clear input error', async () => {
  await assert.rejects(planRun({ inDir: join(tmp('sf-plan-'), 'nope'), registry: {}, generation: 0, fingerprint: 'fp' }), { code: 'E_INPUT' });
});
