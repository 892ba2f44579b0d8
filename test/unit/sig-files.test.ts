/** SigFiles (src/scale/bands/sig-files.ts): lookups by ref over many signature files, with few held open. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { RowWriter } from '../../src/scale/bands/rows.js';
import { OPEN_FILES, SigFiles } from '../../src/scale/bands/sig-files.js';
import { tmp } from '../helpers.js';

/** A signature file of rows [ref, ref * 7, file] for the given refs (in order). */
function sigFile(path: string, refs: number[], file: number): string {
  const w = new RowWriter(path, 3);
  for (const r of refs) w.write([r, (r * 7) >>> 0, file]);
  w.close();
  return path;
}

const openFds = () => readdirSync('/proc/self/fd').length;

test('SigFiles: every ref of hundreds of files is found in its file, with at most OPEN_FILES descriptors open', () => {
  const d = tmp();
  const files = OPEN_FILES + 44;
  const paths: string[] = [];
  const all: Array<[number, number]> = [];
  // parts of 5 consecutive seqs with a gap at every 3rd, then history-like refs (top bit set), listed out of order
  for (let f = 0; f < files; f++) {
    const refs = [0, 1, 2, 4, 5].map((k) => f * 10 + k);
    paths.push(sigFile(join(d, `p${f}.sig`), refs, f));
    for (const r of refs) all.push([r, f]);
  }
  const hist = [0x80000003, 0x80000004, 0x80000009];
  paths.unshift(sigFile(join(d, 'h.sig'), hist, -1 >>> 0));
  for (const r of hist) all.push([r, -1 >>> 0]);
  const before = openFds();
  const sigs = new SigFiles(paths, 3);
  let maxOpen = 0;
  let s = 5;
  for (let i = 0; i < 4000; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const [ref, file] = all[s % all.length]!;
    const row = sigs.get(ref);
    assert.deepEqual(row && [...row], [ref, (ref * 7) >>> 0, file]);
    maxOpen = Math.max(maxOpen, openFds() - before);
  }
  assert.ok(maxOpen <= OPEN_FILES, `${maxOpen} descriptors open`);
  assert.ok(maxOpen >= OPEN_FILES - 5, 'the cache fills before it closes any');
  for (const missing of [3, 8, files * 10, 0x80000005, 0x7fffffff]) assert.equal(sigs.get(missing), null, `ref ${missing}`);
  sigs.close();
  assert.equal(openFds(), before, 'close() closes every descriptor');
  rmSync(d, { recursive: true, force: true });
});

test('SigFiles: a ref two files hold is an error naming both', () => {
  const d = tmp();
  const a = sigFile(join(d, 'a.sig'), [1, 2, 3], 0);
  const b = sigFile(join(d, 'b.sig'), [3, 4], 1);
  assert.throws(() => new SigFiles([a, b], 3), /ref 3 is in two signature files .*a\.sig.*b\.sig/);
  rmSync(d, { recursive: true, force: true });
});
