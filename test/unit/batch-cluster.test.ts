/** Step "cluster" alone (src/stage/batch/cluster.ts): tonight's duplicates form clusters that keep their best
 * member by `dedup.keep`; duplicates of earlier nights are final. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fingerprint, resolveConfig, type Config } from '../../src/config/index.js';
import { FilterCore, type Prepared } from '../../src/stage/core.js';
import { StopWatch } from '../../src/stage/stop.js';
import { better, dedupRun, dupFor, keepBest, settleClusters, type ClusterLink, type Member, type RecordSource } from '../../src/stage/batch/cluster.js';
import { MemoryBackend } from '../../src/state/index.js';
import type { OriginLabel } from '../../src/types.js';
import { fakeText, tmp } from '../helpers.js';
import { jaccardSorted } from '../bench/near-pairs.js';

const member = (seq: number, label: OriginLabel, length: number, clean = true): Member => ({ seq, id: `r${seq}`, label, length, clean });

test('better: clean beats failing rules, then the policy, then the earlier record', () => {
  assert.equal(better(member(5, 'synthetic', 10), member(1, 'human', 99, false), 'human-first'), true);
  assert.equal(better(member(5, 'human', 10), member(1, 'synthetic', 99), 'human-first'), true);
  assert.equal(better(member(5, 'human', 10), member(1, 'synthetic', 99), 'longest'), false);
  assert.equal(better(member(5, 'human', 100), member(1, 'human', 99), 'longest'), true);
  assert.equal(better(member(5, 'human', 100), member(1, 'human', 99), 'first'), false);
  assert.equal(better(member(1, 'human', 10), member(5, 'human', 10), 'human-first'), true);
});

test('keepBest: each cluster keeps its best member by dedup.keep, and counts its size', () => {
  const members = [member(0, 'synthetic', 50), member(1, 'human', 40), member(2, 'unknown', 90), member(3, 'human', 10), member(4, 'human', 5)];
  const clusterOf = new Map<number, ClusterLink>([
    [1, { root: 0, kind: 'near', similarity: 0.9 }],
    [2, { root: 0, kind: 'near', similarity: 0.9 }],
    [4, { root: 3, kind: 'exact', similarity: 1 }],
  ]);
  const human = keepBest(clusterOf, members, 'human-first');
  assert.deepEqual([...human.best], [[0, 1]]); // root 3 keeps itself (no entry)
  assert.deepEqual([...human.sizes].sort(), [[0, 3], [3, 2]]);
  assert.deepEqual([...keepBest(clusterOf, members, 'longest').best], [[0, 2]]);
  assert.deepEqual([...keepBest(clusterOf, members, 'first').best], []);
});

const cfgOf = (keep: string): Config => resolveConfig({ diversity: { enabled: false }, origin: { enabled: false }, dedup: { keep } });

/** A night of records as the scoring step would hand them over, one list per file. */
function source(core: FilterCore, files: Array<Array<{ id: string; text: string }>>): RecordSource {
  const prepared = files.map((rows, f) => rows.map((r, k) => core.prepare({ kind: 'record', record: r, pos: { file: `f${f}`, line: k + 1 }, bytes: r.text.length }, 0)));
  return {
    fileCount: files.length,
    async *records(i: number): AsyncGenerator<Prepared> {
      yield* prepared[i]!;
    },
    fileDone: async () => ({ error: null }),
  };
}

async function cluster(keep: string, files: Array<Array<{ id: string; text: string }>>, history: Array<{ id: string; text: string }> = []) {
  const cfg = cfgOf(keep);
  const core = new FilterCore(cfg);
  const backend = new MemoryBackend({ cfg, fingerprint: fingerprint(cfg), partition: `p-${Math.random()}`, workDir: tmp('sf-cluster-') });
  await backend.open();
  if (history.length) await backend.checkAndInsert(history.map((h) => ({ id: h.id, features: core.featuresOf(h.text), insert: true })));
  const stop = new StopWatch();
  const c = await dedupRun({ source: source(core, files), backend, cfg, labelOf: () => 'unknown', batchSize: 2, inFlight: 1, stop });
  await settleClusters(backend, cfg, c);
  return c;
}

const base = fakeText(7, 80);
const shortTwin = { id: 'short', text: base };
const longTwin = { id: 'long', text: base + ' ' + fakeText(8, 4) };
const other = { id: 'other', text: fakeText(9, 80) };

test('dedupRun + settle: a near-duplicate cluster across files keeps the longest member under "longest"', async () => {
  const c = await cluster('longest', [[shortTwin, other], [longTwin]]);
  // seqs: short 0, other 1, long 2
  assert.deepEqual([...c.clusterOf.keys()], [2]);
  assert.equal(c.best.get(0), 2);
  assert.equal(dupFor(c, 2), null, 'the kept member is no duplicate');
  // the root lost to the kept member: reported with the similarity of their pair
  const d0 = dupFor(c, 0);
  assert.equal(d0?.kind, 'near');
  assert.equal(d0?.of, 'long');
  assert.ok(d0!.similarity! >= 0.8 && d0!.similarity! < 1, `similarity ${d0?.similarity}`);
  assert.equal(dupFor(c, 1), null);
  assert.deepEqual([...c.sizes], [[0, 2]]);
});

test('dedupRun + settle: under "first" the first seen member stays', async () => {
  const c = await cluster('first', [[shortTwin, other], [longTwin]]);
  assert.equal(c.best.has(0), false);
  assert.equal(dupFor(c, 0), null);
  assert.equal(dupFor(c, 2)?.of, 'short');
});

test('dedupRun: a duplicate of an earlier night is final and forms no cluster', async () => {
  const c = await cluster('longest', [[{ id: 'again', text: other.text }, shortTwin]], [{ id: 'old', text: other.text }]);
  assert.equal(c.clusterOf.size, 0);
  assert.deepEqual(dupFor(c, 0), { kind: 'exact', of: 'old', similarity: 1 });
  assert.equal(dupFor(c, 1), null);
  assert.equal(c.tonight.size, 1, 'only the unique record is indexed tonight');
});

// A chain: p near-duplicates the root r, x near-duplicates p but not r. The backend check compares x with r only
// (p is a duplicate, never indexed), so before the graph regrouping "longest" kept p (promoted over r) and x: a
// near-duplicate pair among kept records.
const W = fakeText(7, 80).split(' ');
const E = fakeText(8, 8).split(' ');
const F = fakeText(10, 6).split(' ');
const chainR = { id: 'r', text: W.join(' ') };
const chainP = { id: 'p', text: [...W, ...E].join(' ') };
const chainX = { id: 'x', text: [...W.slice(8), ...E, ...F].join(' ') };

test('chain case: the texts are what the test says (p ~ r, x ~ p, x !~ r, p longest)', () => {
  const core = new FilterCore(cfgOf('longest'));
  const sh = (t: string) => core.featuresOf(t).shingles;
  assert.ok(jaccardSorted(sh(chainP.text), sh(chainR.text)) >= 0.8);
  assert.ok(jaccardSorted(sh(chainX.text), sh(chainP.text)) >= 0.8);
  assert.ok(jaccardSorted(sh(chainX.text), sh(chainR.text)) < 0.8);
  assert.ok(chainP.text.length > chainX.text.length && chainX.text.length > chainR.text.length);
});

for (const keep of ['longest', 'human-first']) {
  test(`dedupRun + settle (${keep}): a chain leaves no two kept records that are near duplicates`, async () => {
    const c = await cluster(keep, [[chainR, chainX], [chainP, other]]);
    // seqs: r 0, x 1, p 2, other 3
    const kept = [0, 1, 2, 3].filter((s) => dupFor(c, s) === null).map((s) => c.members[s]!.id);
    assert.deepEqual(kept, ['p', 'other']);
    assert.equal(dupFor(c, 0)?.of, 'p');
    assert.equal(dupFor(c, 1)?.of, 'p');
    assert.equal(dupFor(c, 1)?.kind, 'near');
    assert.deepEqual([...c.sizes.values()], [3]);
  });
}

test('dedupRun + settle (first): a chain keeps the backend answer (each record against the first kept)', async () => {
  const c = await cluster('first', [[chainR, chainX], [chainP, other]]);
  const kept = [0, 1, 2, 3].filter((s) => dupFor(c, s) === null).map((s) => c.members[s]!.id);
  assert.deepEqual(kept, ['r', 'x', 'other']);
  assert.equal(dupFor(c, 2)?.of, 'r');
});

test('dedupRun + settle (longest): an exact group loses as a whole to a kept near duplicate', async () => {
  // r twice (exact), then p: p is kept, both copies of r lose (the first near, the second exact or near)
  const c = await cluster('longest', [[chainR, { id: 'r2', text: chainR.text }], [chainP]]);
  assert.deepEqual([0, 1, 2].filter((s) => dupFor(c, s) === null), [2]);
  assert.equal(dupFor(c, 0)?.of, 'p');
  assert.equal(dupFor(c, 1)?.of, 'p');
});
