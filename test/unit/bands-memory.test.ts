/** Bounded memory in the batch dedup (src/scale/bands): the radix external sort with spills gives the bytes of an
 * in-memory sort, and the bounded cluster task (memoryBytes) writes the in-memory clusterNight's verdicts byte for
 * byte, on generated graphs of several shapes, for every dedup.keep, with budgets that force spills. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExternalSorter, radixSortRows } from '../../src/scale/bands/external-sort.js';
import { MessageQueue } from '../../src/scale/bands/message-queue.js';
import { RowWriter } from '../../src/scale/bands/rows.js';
import { clusterNight, VERDICT, VERDICT_WIDTH } from '../../src/scale/bands/cluster.js';
import { HISTORY, simWords } from '../../src/scale/bands/params.js';
import { tmp } from '../helpers.js';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** Reference: rows as arrays, a stable comparator sort on the key words, optional whole-row unique. */
function referenceSort(rows: number[][], keyWords: number, unique: boolean): number[] {
  const sorted = rows.map((r, i) => ({ r, i })).sort((x, y) => {
    for (let k = 0; k < keyWords; k++) if (x.r[k] !== y.r[k]) return x.r[k]! - y.r[k]!;
    return x.i - y.i;
  });
  const out: number[][] = [];
  for (const { r } of sorted) if (!unique || out.length === 0 || out[out.length - 1]!.some((v, k) => v !== r[k])) out.push(r);
  return out.flat();
}

function words(path: string): number[] {
  const b = readFileSync(path);
  return Array.from(new Uint32Array(b.buffer, b.byteOffset, b.byteLength / 4));
}

for (const [width, keyWords, unique] of [[3, 3, false], [2, 2, true], [5, 1, false], [4, 2, false]] as const) {
  test(`external sort (width ${width}, key ${keyWords}${unique ? ', unique' : ''}): spilled runs merge to the in-memory sort's bytes`, () => {
    const rnd = rng(width * 100 + keyWords);
    // small value ranges give ties and duplicate rows; high words exercise both 16-bit digits
    const rows = Array.from({ length: 20000 }, () => Array.from({ length: width }, (_, k) => (k % 2 ? Math.floor(rnd() * 7) * 0x10001 : Math.floor(rnd() * 2 ** 32)) >>> 0));
    if (width === 2) for (let i = 0; i < 500; i++) rows.push([...rows[Math.floor(rnd() * rows.length)]!]);
    const dir = tmp('sf-sort-');
    const run = (memoryBytes: number, name: string) => {
      const s = new ExternalSorter({ width, keyWords, memoryBytes, tmpDir: join(dir, `${name}.spill`), unique });
      for (const r of rows) s.push(r);
      const spilled = s.spilled;
      s.finish(join(dir, name));
      return { spilled, words: words(join(dir, name)) };
    };
    const whole = run(1 << 24, 'whole');
    const spilled = run(width * 8 * 400, 'spilled');
    // the buffers start at 16,384 rows: 'whole' grows once, to its budget; 'grown' grows to its 18,000 rows, then spills
    const grown = run(width * 8 * 18000, 'grown');
    assert.equal(whole.spilled, 0);
    assert.ok(spilled.spilled >= 2, `the small budget spills (${spilled.spilled})`);
    assert.ok(grown.spilled >= 1, `the grown buffer spills (${grown.spilled})`);
    const want = referenceSort(rows, keyWords, unique);
    assert.deepEqual(whole.words, want);
    assert.deepEqual(spilled.words, want);
    assert.deepEqual(grown.words, want);
  });
}

test('radix sort: an empty buffer and a one-valued digit are fine', () => {
  const a = Uint32Array.from([5, 1, 5, 0, 5, 2]);
  const out = radixSortRows(a, new Uint32Array(6), 3, 2, 2);
  assert.deepEqual(Array.from(out), [5, 0, 5, 1, 5, 2]);
  assert.equal(radixSortRows(new Uint32Array(0), new Uint32Array(0), 0, 3, 3).length, 0);
});

test('message queue: rows pop by time across spilled runs; rows of a passed time are dropped', () => {
  const dir = tmp('sf-queue-');
  const q = new MessageQueue(3, 3 * 4 * 8, dir); // 8 rows in memory
  const rnd = rng(7);
  const got: number[][] = [];
  const want: number[][] = [];
  let id = 0;
  for (let t = 0; t < 200; t++) {
    q.popTime(t, (r) => got.push(Array.from(r)));
    for (let k = 0; k < 3; k++) {
      const row = [t + 1 + Math.floor(rnd() * 20), id++, t];
      if (row[0]! < 200) want.push(row);
      q.push(row);
    }
  }
  assert.ok(q.spilled >= 2, `spilled ${q.spilled}`);
  q.close();
  const key = (r: number[]) => r[0]! * 1e6 + r[1]!;
  assert.deepEqual(got.map(key).sort((x, y) => x - y), want.map(key).sort((x, y) => x - y));
  for (let i = 1; i < got.length; i++) assert.ok(got[i]![0]! >= got[i - 1]![0]!, 'pops in time order');
});

interface Shape {
  name: string;
  n: number;
  /** exact hashes drawn from this many values (small: large exact groups) */
  hashes: number;
  /** tonight pairs per record, history pairs per record */
  degree: number;
  history: number;
  /** pairs join records at most this far apart (chains) or anywhere (0) */
  span: number;
  /** verdict statuses the shape cannot produce */
  lacks: number[];
}

const SHAPES: Shape[] = [
  { name: 'sparse', n: 1500, hashes: 1e9, degree: 0.6, history: 0.05, span: 0, lacks: [VERDICT.EXACT] },
  { name: 'dense with exact groups', n: 1200, hashes: 700, degree: 3, history: 0.1, span: 0, lacks: [] },
  { name: 'chains', n: 1500, hashes: 1300, degree: 1.5, history: 0.02, span: 4, lacks: [] },
  { name: 'few huge exact groups', n: 900, hashes: 40, degree: 1, history: 0.01, span: 30, lacks: [VERDICT.UNIQUE] },
];

/** A generated night: exact runs (tonight's, split in two, and a history run), pair files (overlapping: the same
 * pair in two files), per-record preference data with ties; quarantined records (node 0). */
function night(sh: Shape, seed: number) {
  const rnd = rng(seed);
  const dir = tmp('sf-cluster-');
  const n = sh.n;
  const sortedFile = (path: string, rows: number[][], width: number, keyWords = width) => {
    rows.sort((x, y) => {
      for (let k = 0; k < keyWords; k++) if (x[k] !== y[k]) return x[k]! - y[k]!;
      return 0;
    });
    const w = new RowWriter(path, width);
    for (const r of rows) w.write(r);
    w.close();
    return path;
  };
  const hashOf = Array.from({ length: n }, () => Math.floor(rnd() * sh.hashes));
  const exactRows = hashOf.map((h, s) => [h >>> 16, h & 0xffff, s]);
  const histExact = Array.from({ length: Math.floor(n * sh.history) }, (_, i) => {
    const h = hashOf[Math.floor(rnd() * n)]!;
    return [h >>> 16, h & 0xffff, (HISTORY | Math.floor(rnd() * 50 + i)) >>> 0];
  });
  const cut = Math.floor(n / 3);
  const exact = [sortedFile(join(dir, 'e0'), exactRows.slice(0, cut), 3), sortedFile(join(dir, 'e1'), exactRows.slice(cut), 3), sortedFile(join(dir, 'eh'), histExact, 3)];
  const simOf = (a: number, b: number) => 0.8 + ((Math.imul(a, 2654435761) ^ Math.imul(b, 40503)) >>> 0) / 2 ** 32 / 5;
  const pairs = new Map<string, [number, number]>();
  for (let i = 0; i < n * sh.degree; i++) {
    const a = Math.floor(rnd() * n);
    const b = sh.span ? a + 1 + Math.floor(rnd() * sh.span) : Math.floor(rnd() * n);
    if (a === b || b >= n) continue;
    pairs.set(`${Math.min(a, b)},${Math.max(a, b)}`, [Math.min(a, b), Math.max(a, b)]);
  }
  for (let i = 0; i < n * sh.history * 2; i++) {
    const a = Math.floor(rnd() * n);
    const h = (HISTORY | Math.floor(rnd() * 80)) >>> 0;
    pairs.set(`${a},${h}`, [a, h]);
  }
  const all = [...pairs.values()];
  const pairRow = ([a, b]: [number, number]) => {
    const w = new Uint32Array(4);
    simWords(simOf(a, b), w, 2);
    return [a, b, w[2]!, w[3]!];
  };
  const pairFiles = [0, 1, 2].map((f) => sortedFile(join(dir, `p${f}`), all.filter((_, i) => i % 3 === f || (i * 7) % 5 === f).map(pairRow), 4, 2));
  const lengths = [0, -0, 1, 2.5, 100, 100, 2 ** 40, 7];
  return {
    dir,
    count: n,
    node: Uint8Array.from({ length: n }, () => (rnd() < 0.93 ? 1 : 0)),
    clean: Uint8Array.from({ length: n }, () => (rnd() < 0.8 ? 1 : 0)),
    labelRank: Uint8Array.from({ length: n }, () => Math.floor(rnd() * 3)),
    length: Float64Array.from({ length: n }, () => lengths[Math.floor(rnd() * lengths.length)]!),
    exact,
    pairs: pairFiles,
  };
}

for (const sh of SHAPES) {
  test(`bounded cluster (${sh.name}): the in-memory verdicts byte for byte, every dedup.keep, budgets that spill`, () => {
    for (const seed of [1, 2]) {
      const x = night(sh, seed * 31 + sh.n);
      for (const keep of ['first', 'human-first', 'longest']) {
        const base = { ...x, keep };
        const mem = clusterNight({ ...base, out: join(x.dir, `v-mem-${keep}`) });
        const want = readFileSync(join(x.dir, `v-mem-${keep}`));
        assert.equal(want.length, sh.n * VERDICT_WIDTH * 4);
        const v = new Uint32Array(want.buffer, want.byteOffset, want.length / 4);
        const statuses = new Set(Array.from({ length: sh.n }, (_, s) => v[s * VERDICT_WIDTH + 1]));
        for (const st of Object.values(VERDICT)) if (!sh.lacks.includes(st)) assert.ok(statuses.has(st), `${sh.name}: the night has status ${st}`);
        for (const memoryBytes of [8192, 1 << 20]) {
          const ext = clusterNight({ ...base, out: join(x.dir, `v-ext-${keep}-${memoryBytes}`), memoryBytes });
          const got = readFileSync(join(x.dir, `v-ext-${keep}-${memoryBytes}`));
          assert.ok(got.equals(want), `${sh.name} seed ${seed} keep ${keep} budget ${memoryBytes}: first differing record ${firstDiff(got, want)}`);
          const { spills, ...rest } = ext;
          assert.deepEqual(rest, mem);
          if (memoryBytes === 8192) assert.ok(spills! >= 2, `a small budget spills (${spills})`);
        }
      }
    }
  });
}

function firstDiff(a: Buffer, b: Buffer): string {
  for (let i = 0; i < Math.min(a.length, b.length); i += VERDICT_WIDTH * 4) {
    if (!a.subarray(i, i + VERDICT_WIDTH * 4).equals(b.subarray(i, i + VERDICT_WIDTH * 4))) {
      const w = (x: Buffer) => Array.from(new Uint32Array(x.buffer, x.byteOffset + i, VERDICT_WIDTH));
      return `${i / (VERDICT_WIDTH * 4)}: got ${w(a)} want ${w(b)}`;
    }
  }
  return `length ${a.length} vs ${b.length}`;
}

test('history commit: kept flags and the verdict file give the same run set; ids follow seq order', async () => {
  const { commitNight } = await import('../../src/scale/bands/history.js');
  const { mapPart } = await import('../../src/scale/bands/map.js');
  const { bandParamsOf } = await import('../../src/scale/bands/params.js');
  const { dedupConfigOf } = await import('../../src/score/build.js');
  const { resolveConfig } = await import('../../src/config/index.js');
  const p = bandParamsOf(dedupConfigOf(resolveConfig()), 2);
  const rnd = rng(5);
  const n = 300;
  const records = Array.from({ length: n }, (_, s) => ({ ref: s, exactHash: [s % 97, 7], shingles: Uint32Array.from(new Set(Array.from({ length: 40 }, () => Math.floor(rnd() * 5000)))).sort() }));
  const dir = tmp('sf-commit-');
  const part = await mapPart(records, { params: p, dir, name: 'part', memoryBytes: 1 << 16 });
  const kept = Uint8Array.from({ length: n }, () => (rnd() < 0.6 ? 1 : 0));
  const verdicts = join(dir, 'verdicts');
  const w = new RowWriter(verdicts, VERDICT_WIDTH);
  for (let s = 0; s < n; s++) w.write([s, kept[s] ? VERDICT.KEPT : VERDICT.NEAR, 0, 0, 0]);
  w.close();
  const a = commitNight(join(dir, 'ha'), p, [part], kept)!;
  const b = commitNight(join(dir, 'hb'), p, [part], verdicts)!;
  assert.equal(a.end - a.first, kept.reduce((t, x) => t + x, 0));
  assert.equal(a.name, b.name);
  for (const f of ['band-0.run', 'band-1.run', 'exact.run', 'sig', 'set.json']) assert.ok(readFileSync(join(a.path, f)).equals(readFileSync(join(b.path, f))), f);
  // the signature rows are tonight's kept records in seq order, renamed to HISTORY | id
  const sig = words(join(a.path, 'sig'));
  const width = sig.length / (a.end - a.first);
  const keptSeqs = Array.from(kept.keys()).filter((s) => kept[s]);
  keptSeqs.forEach((s, i) => assert.equal(sig[i * width], (HISTORY | i) >>> 0, `record ${s}`));
});
