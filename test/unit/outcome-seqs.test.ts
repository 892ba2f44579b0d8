/** OutcomeSeqs (src/stage/batch/outcome-seqs.ts): the seq of a routed record's outcome by its id, as a map that
 * kept every id would answer, holding only the ids with records in flight. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutcomeSeqs } from '../../src/stage/batch/outcome-seqs.js';

test('OutcomeSeqs: outcomes at once leave nothing behind', () => {
  const o = new OutcomeSeqs();
  for (let s = 0; s < 1000; s++) {
    o.register(`r${s}`, s);
    assert.equal(o.take(`r${s}`), s);
  }
  assert.equal(o.size, 0);
});

test('OutcomeSeqs: held records and a repeated id answer as a map of every id (the latest seq under the id)', () => {
  const o = new OutcomeSeqs();
  const all = new Map<string, number>();
  const reg = (id: string, s: number) => {
    o.register(id, s);
    all.set(id, s);
  };
  reg('a', 0); // held back
  reg('b', 1);
  assert.equal(o.take('b'), all.get('b'));
  reg('a', 2); // same id while the first is held
  assert.equal(o.take('a'), all.get('a'));
  assert.equal(o.size, 1, 'a has one record in flight');
  assert.equal(o.take('a'), all.get('a'));
  assert.equal(o.size, 0);
  assert.equal(o.take('zzz'), undefined);
});
