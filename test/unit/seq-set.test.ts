/** SeqSet (src/stage/batch/seq-set.ts): a bitset of record seqs answers as a Set would, iterating in order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SeqSet } from '../../src/stage/batch/seq-set.js';

test('SeqSet: has, size and iteration match a Set of the same seqs (past growth, word edges, repeats)', () => {
  const xs = [0, 31, 32, 33, 63, 64, 5, 5, 70000, 1023, 1024, 40000, 31];
  const set = new SeqSet();
  for (const x of xs) set.add(x);
  const ref = new Set(xs);
  assert.equal(set.size, ref.size);
  assert.deepEqual([...set], [...ref].sort((a, b) => a - b));
  for (let s = 0; s < 70100; s++) assert.equal(set.has(s), ref.has(s), `seq ${s}`);
  assert.equal(set.has(10_000_000), false);
});

test('SeqSet: empty', () => {
  const set = new SeqSet();
  assert.equal(set.size, 0);
  assert.deepEqual([...set], []);
});
