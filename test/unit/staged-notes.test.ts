/** The ledger notes a backend stages until its commit (src/state/staged-notes.ts): kept in columns, given back in
 * order with every field as staged, and holding no view on the buffer a note's hash came from. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LedgerNote } from '../../src/state/index.js';
import { StagedNotes } from '../../src/state/staged-notes.js';

const LABELS = ['human', 'unknown', 'synthetic'] as const;

function note(i: number): LedgerNote {
  return { hash: [(i * 2654435761) >>> 0, 0xffffffff - i], run: `run-${i % 3}`, label: LABELS[i % 3]!, pAi: i % 4 === 0 ? null : i / 7, emitted: i % 5 !== 0 };
}

test('StagedNotes: every note comes back in staging order with its fields (past several growths)', () => {
  const staged = new StagedNotes();
  const n = 5000;
  for (let i = 0; i < n; i++) staged.push(note(i));
  assert.equal(staged.length, n);
  const back = [...staged].map((x) => ({ ...x, hash: Array.from(x.hash) }));
  assert.deepEqual(back, Array.from({ length: n }, (_, i) => note(i)));
});

test('StagedNotes: a hash that is a view on a larger buffer is copied, not kept', () => {
  const block = new Uint32Array(1 << 16);
  block[100] = 7;
  block[101] = 9;
  const staged = new StagedNotes();
  staged.push({ hash: block.subarray(100, 102), run: 'r', label: 'human', pAi: 0.25, emitted: true });
  block.fill(0);
  const [x] = [...staged];
  assert.deepEqual(Array.from(x!.hash), [7, 9]);
  assert.ok(!(x!.hash instanceof Uint32Array && x!.hash.buffer === block.buffer));
});

test('StagedNotes: empty', () => {
  assert.deepEqual([...new StagedNotes()], []);
});
