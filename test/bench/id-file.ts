/**
 * Id files (src/scale/bands/id-file.ts, `npm run bench -- id-file`): writing N record ids, reading them back in
 * order (what a commit and a compaction do), at random (what naming history duplicates does), and the heap they
 * leave behind (none per id). Ids like `doc-000123456-<random suffix>` (~25 bytes).
 * Usage: node --expose-gc --import tsx test/bench/id-file.ts [--sizes 1000000,5000000]
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { IdFileReader, idsOf, writeIdFile } from '../../src/scale/bands/id-file.js';
import { tmp } from '../helpers.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const SIZES = (args.includes('--sizes') ? args[args.indexOf('--sizes') + 1]! : '1000000,5000000').split(',').map(Number);
const RANDOM_READS = 200_000;
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});

function* ids(n: number): Generator<string> {
  let s = 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    yield `doc-${String(i).padStart(9, '0')}-${s.toString(36)}`;
  }
}

const rows: Array<Record<string, unknown>> = [];
for (const n of SIZES) {
  const dir = tmp('sf-bench-idfile-');
  const path = join(dir, 'ids');
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  let t = performance.now();
  writeIdFile(path, ids(n));
  const writeS = (performance.now() - t) / 1000;
  const r = new IdFileReader(path);
  t = performance.now();
  let bytes = 0;
  for (const id of idsOf(r)) bytes += id.length;
  const seqS = (performance.now() - t) / 1000;
  let s = 7;
  t = performance.now();
  for (let k = 0; k < RANDOM_READS; k++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    bytes += r.get(s % n).length;
  }
  const randUs = ((performance.now() - t) * 1000) / RANDOM_READS;
  gc();
  const heapMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
  r.close();
  rmSync(dir, { recursive: true, force: true });
  rows.push({ ids: n, write_s: +writeS.toFixed(2), read_in_order_s: +seqS.toFixed(2), random_get_us: +randUs.toFixed(1), heap_after_mb: +heapMb.toFixed(1), checksum_chars: bytes });
}
report('id-file', {
  scope: `id files (ids ~25 B): write N ids, read them in order, ${RANDOM_READS} random gets; heap growth after (gc) with the reader open`,
  rows,
});
