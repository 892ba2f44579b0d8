/** Id files (src/scale/bands/id-file.ts): ids on disk by index, read by position. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, truncateSync, statSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { IdFileReader, IdFileWriter, SeqIds, endPath, idsOf, writeIdFile } from '../../src/scale/bands/id-file.js';
import { SynthfilterError } from '../../src/errors.js';
import { tmp } from '../helpers.js';

/** ids of every shape: empty, non-ASCII (2-, 3- and 4-byte UTF-8), long (past a 64 KiB block), short */
function sample(n: number, seed = 1): string[] {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => {
    const r = rnd();
    if (r < 0.1) return '';
    if (r < 0.2) return `dóc-ünï-${i}-😀-日本`;
    if (r < 0.2005) return `long-${i}-${'x'.repeat(70_000 + Math.floor(rnd() * 1000))}`;
    return `doc-${i}-${'y'.repeat(Math.floor(rnd() * 40))}`;
  });
}

const isState = (e: unknown) => e instanceof SynthfilterError && e.code === 'E_STATE';

test('id file: round trip of 100k ids (empty, non-ASCII, longer than a block), in order and at random', () => {
  const dir = tmp('sf-idfile-');
  const want = sample(100_000);
  const path = join(dir, 'ids');
  assert.equal(writeIdFile(path, want), want.length);
  assert.deepEqual(readdirSync(dir).sort(), ['ids', 'ids.end'], 'no temporary files left');
  const r = new IdFileReader(path);
  assert.equal(r.count, want.length);
  assert.deepEqual([...idsOf(r)], want);
  let s = 7;
  for (let k = 0; k < 20_000; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const i = s % want.length;
    assert.equal(r.get(i), want[i], `id ${i}`);
  }
  for (let i = want.length - 1; i >= want.length - 3000; i--) assert.equal(r.get(i), want[i], `backwards, id ${i}`);
  assert.throws(() => r.get(want.length), RangeError);
  assert.throws(() => r.get(-1), RangeError);
  r.close();
});

test('id file: no ids, and only empty ids', () => {
  const dir = tmp('sf-idfile-');
  writeIdFile(join(dir, 'none'), []);
  const none = new IdFileReader(join(dir, 'none'));
  assert.equal(none.count, 0);
  assert.deepEqual([...idsOf(none)], []);
  none.close();
  writeIdFile(join(dir, 'empty'), ['', '', '']);
  const empty = new IdFileReader(join(dir, 'empty'));
  assert.deepEqual([...idsOf(empty)], ['', '', '']);
  empty.close();
});

test('id file: a rerun writes the same bytes; an abandoned write leaves nothing', () => {
  const dir = tmp('sf-idfile-');
  const ids = sample(5000, 3);
  const path = join(dir, 'ids');
  writeIdFile(path, ids);
  const first = [readFileSync(path), readFileSync(endPath(path))];
  writeIdFile(path, ids);
  assert.ok(first[0]!.equals(readFileSync(path)));
  assert.ok(first[1]!.equals(readFileSync(endPath(path))));
  const w = new IdFileWriter(join(dir, 'other'));
  w.add('a');
  w.abandon();
  assert.deepEqual(readdirSync(dir).sort(), ['ids', 'ids.end']);
  assert.throws(() => writeIdFile(join(dir, 'bad'), (function* () { yield 'a'; throw new Error('source failed'); })()), /source failed/);
  assert.deepEqual(readdirSync(dir).sort(), ['ids', 'ids.end']);
});

test('id file: missing or cut short is an E_STATE error naming the file', () => {
  const dir = tmp('sf-idfile-');
  assert.throws(() => new IdFileReader(join(dir, 'nothing')), (e) => isState(e) && /nothing: it is missing/.test((e as Error).message));
  const path = join(dir, 'ids');
  writeIdFile(path, sample(3000, 5));
  truncateSync(path, statSync(path).size - 1);
  assert.throws(() => new IdFileReader(path), (e) => isState(e) && /cut short/.test((e as Error).message));
  writeIdFile(path, sample(3000, 5));
  truncateSync(endPath(path), statSync(endPath(path)).size - 3);
  assert.throws(() => new IdFileReader(path), isState);
  writeIdFile(path, sample(3000, 5));
  truncateSync(endPath(path), statSync(endPath(path)).size - 8);
  assert.throws(() => new IdFileReader(path), isState);
  rmSync(endPath(path));
  assert.ok(existsSync(path));
  assert.throws(() => new IdFileReader(path), (e) => isState(e) && /\.end is missing/.test((e as Error).message));
});

test('SeqIds: a night of parts (some empty) by seq', () => {
  const dir = tmp('sf-idfile-');
  const parts = [sample(1000, 11), [], sample(1, 12), sample(2500, 13), []];
  let first = 0;
  const files = parts.map((ids, k) => {
    const path = join(dir, `p${k}.ids`);
    writeIdFile(path, ids);
    const f = { path, first };
    first += ids.length;
    return f;
  });
  const all = parts.flat();
  const seqIds = new SeqIds(files);
  for (let s = 0; s < all.length; s++) assert.equal(seqIds.idOf(s), all[s], `seq ${s}`);
  assert.equal(seqIds.idOf(1500), all[1500]);
  assert.equal(seqIds.idOf(3), all[3]);
  assert.throws(() => seqIds.idOf(all.length), RangeError);
  assert.throws(() => seqIds.idOf(-1), RangeError);
  seqIds.close();
});

test('nightSeqIds: the parts\' id files in input order, first seqs from their counts, checked against the rank files', async () => {
  const { nightSeqIds, idFilePath } = await import('../../src/scale/batch-tasks.js');
  const { RowWriter } = await import('../../src/scale/bands/rows.js');
  type Plan = Parameters<typeof nightSeqIds>[1];
  const work = tmp('sf-idfile-night-');
  const parts = { '000000-0000': sample(700, 21), '000000-0001': [] as string[], '000001-0000': sample(300, 22) };
  const plan = { runId: 'run-test', parts: [[{ name: '000000-0000.spool' }, { name: '000000-0001.spool' }], [{ name: '000001-0000.spool' }]] } as unknown as Plan;
  const writeNight = (rankFirst: (base: number) => number) => {
    let base = 0;
    for (const [name, ids] of Object.entries(parts)) {
      writeIdFile(idFilePath(work, name), ids);
      const rank = new RowWriter(join(work, `${name}.rank`), 6);
      for (let i = 0; i < ids.length; i++) rank.write([rankFirst(base) + i, 0, 0, 0, 0, 0]);
      rank.close();
      base += ids.length;
    }
  };
  writeNight((base) => base);
  const all = Object.values(parts).flat();
  const seqIds = nightSeqIds(work, plan);
  for (let s = 0; s < all.length; s++) assert.equal(seqIds.idOf(s), all[s], `seq ${s}`);
  assert.throws(() => seqIds.idOf(all.length), RangeError);
  seqIds.close();
  writeNight((base) => (base > 0 ? base + 1 : base));
  assert.throws(() => nightSeqIds(work, plan), (e) => isState(e) && /000001-0000 has ids from seq 700, its rank file from seq 701/.test((e as Error).message));
  rmSync(idFilePath(work, '000000-0001'));
  assert.throws(() => nightSeqIds(work, plan), (e) => isState(e) && /000000-0001\.ids: it is missing/.test((e as Error).message));
});
