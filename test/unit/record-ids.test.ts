/** RecordIds (src/scale/record-ids.ts): a night's ids by seq in one buffer. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecordIds } from '../../src/scale/record-ids.js';

test('RecordIds: every id back by seq (skipped seqs empty, non-ASCII, past several growths)', () => {
  const ids = new RecordIds();
  const want: string[] = [];
  for (let s = 0; s < 20000; s++) {
    if (s % 7 === 3) {
      want.push('');
      continue;
    }
    const id = s % 11 === 0 ? `doc-ünï-${s}-😀` : `doc-${s}-${'x'.repeat(s % 13)}`;
    ids.add(s, id);
    want.push(id);
  }
  assert.equal(ids.length, want.length - (want.at(-1) === '' ? 1 : 0));
  for (let s = 0; s < ids.length; s++) assert.equal(ids.get(s), want[s], `seq ${s}`);
});

test('RecordIds: seqs go forward; an unknown seq is an error', () => {
  const ids = new RecordIds();
  ids.add(0, 'a');
  ids.add(2, 'c');
  assert.equal(ids.get(1), '');
  assert.throws(() => ids.add(1, 'b'), /seq 1 added after seq 2/);
  assert.throws(() => ids.get(3), /no seq 3/);
});
