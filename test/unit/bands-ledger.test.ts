/** The batch engine's provenance ledger as run sets (src/scale/bands/ledger-runs.ts): folded across nights and
 * compactions it gives what the index engine's in-memory Ledger (src/state/ledger.ts) gives for the same notes;
 * a crashed night's set is dropped and rewritten to the same bytes; the note sort's spill path writes the same
 * bytes; the synthetic-reuse join names the records the Ledger would. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Ledger } from '../../src/state/ledger.js';
import type { LedgerNote } from '../../src/state/backend.js';
import type { OriginLabel } from '../../src/types.js';
import { ExternalSorter } from '../../src/scale/bands/external-sort.js';
import { commitLedgerNight, compactLedger, dropSetsFrom, FoldedLedger, joinSyntheticReuse, ledgerSets, SYNTHETIC_WIDTH } from '../../src/scale/bands/ledger-runs.js';
import { tmp } from '../helpers.js';

const BIG = 64 * 2 ** 20;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

/** A pool of hashes over the whole u32 range (hi above 2^31 too, some sharing a hi). */
function hashPool(n: number, rnd: () => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < n; i++) {
    const hi = i % 7 === 0 && i > 0 ? out[i - 1]![0] : Math.floor(rnd() * 2 ** 32);
    out.push([hi, Math.floor(rnd() * 2 ** 32)]);
  }
  return out;
}

/** A night's notes: hashes drawn from the pool (repeats within and across nights), labels mostly unknown at
 * first, p_ai null or a number, emitted or not. */
function night(pool: Array<[number, number]>, n: number, run: string, rnd: () => number): LedgerNote[] {
  const labels: OriginLabel[] = ['unknown', 'unknown', 'human', 'synthetic'];
  return Array.from({ length: n }, () => {
    const h = pool[Math.floor(rnd() * pool.length)]!;
    return { hash: Uint32Array.of(h[0], h[1]), run, label: labels[Math.floor(rnd() * labels.length)]!, pAi: rnd() < 0.3 ? null : rnd(), emitted: rnd() < 0.5 };
  });
}

/** Every entry the sets hold, folded, checked against the Ledger; returns how many. */
function assertSameAsLedger(sets: ReturnType<typeof ledgerSets>, ref: Ledger, what: string): number {
  const f = new FoldedLedger(sets);
  let n = 0;
  let prev: [number, number] | null = null;
  try {
    while (f.next()) {
      const [hi, lo] = [f.row[0]!, f.row[1]!];
      if (prev) assert.ok(prev[0] < hi || (prev[0] === hi && prev[1] < lo), `${what}: hashes in increasing order, once each`);
      prev = [hi, lo];
      assert.deepEqual(f.entry(), ref.get(hi, lo), `${what}: entry of ${hi}/${lo}`);
      n++;
    }
  } finally {
    f.close();
  }
  assert.equal(n, ref.size, `${what}: every hash of the Ledger`);
  return n;
}

/** The bytes of every file under `dir`, by relative path. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p, `${rel}${name}/`);
      else out[`${rel}${name}`] = readFileSync(p).toString('base64');
    }
  };
  walk(dir, '');
  return out;
}

test('ledger sets: folded over nights and compactions, every entry equals the in-memory Ledger', () => {
  const dir = tmp();
  const rnd = rng(19);
  const pool = hashPool(1500, rnd);
  const ref = new Ledger();
  let levels = 0;
  for (let g = 0; g < 11; g++) {
    const run = `run-${g}`;
    const notes = night(pool, 200 + Math.floor(rnd() * 900), run, rnd);
    for (const x of notes) ref.note(x.hash[0]!, x.hash[1]!, x.run, x.label, x.pAi, x.emitted);
    // in batches, as the finish reads them; a small budget so some nights spill
    const batches = [notes.slice(0, 100), notes.slice(100)];
    commitLedgerNight(dir, batches, { run, generation: g, memoryBytes: g % 2 ? 4096 : BIG });
    const sets = compactLedger(dir, 2);
    levels = Math.max(levels, ...sets.map((s) => s.level));
    assertSameAsLedger(ledgerSets(dir), ref, `after night ${g}`);
  }
  assert.ok(levels >= 2, `compaction reached level ${levels}`);
});

test('ledger sets: emitted counts cap at 0xffff within a night and across nights', () => {
  const dir = tmp();
  const ref = new Ledger();
  const hot = Uint32Array.of(0xfffffff0, 7);
  for (let g = 0; g < 2; g++) {
    const notes: LedgerNote[] = Array.from({ length: 40000 }, (_, i) => ({ hash: hot, run: `r${g}`, label: i === 5 && g === 1 ? 'human' : 'unknown', pAi: g === 0 ? null : 0.5, emitted: true }));
    for (const x of notes) ref.note(x.hash[0]!, x.hash[1]!, x.run, x.label, x.pAi, x.emitted);
    commitLedgerNight(dir, [notes], { run: `r${g}`, generation: g, memoryBytes: BIG });
  }
  assert.equal(ref.get(hot[0]!, hot[1]!)!.emitted, 0xffff);
  assertSameAsLedger(ledgerSets(dir), ref, 'two hot nights');
  compactLedger(dir, 1);
  assert.equal(ledgerSets(dir).length, 1);
  assertSameAsLedger(ledgerSets(dir), ref, 'merged');
});

test('ledger sets: the note sort spilling under a tiny budget writes the same bytes', () => {
  const rnd = rng(7);
  const pool = hashPool(300, rnd);
  const notes = night(pool, 5000, 'r', rnd);
  const [a, b] = [tmp(), tmp()];
  commitLedgerNight(a, [notes], { run: 'r', generation: 3, memoryBytes: BIG });
  commitLedgerNight(b, [notes], { run: 'r', generation: 3, memoryBytes: 6 * 8 * 32 }); // 32 notes per spill
  const sa = snapshot(a);
  assert.ok(Object.keys(sa).some((k) => k.endsWith('/rows')));
  assert.deepEqual(snapshot(b), sa);
});

test('ledger sets: a crashed night is dropped (and not read below its generation); the redo writes the same bytes', () => {
  const dir = tmp();
  const rnd = rng(3);
  const pool = hashPool(400, rnd);
  const ref = new Ledger();
  for (let g = 0; g < 5; g++) {
    const notes = night(pool, 500, `run-${g}`, rnd);
    for (const x of notes) ref.note(x.hash[0]!, x.hash[1]!, x.run, x.label, x.pAi, x.emitted);
    commitLedgerNight(dir, [notes], { run: `run-${g}`, generation: g, memoryBytes: BIG });
    compactLedger(dir, 2);
  }
  const before = snapshot(dir);
  const tonight = night(pool, 500, 'run-5', rnd);
  commitLedgerNight(dir, [tonight], { run: 'run-5', generation: 5, memoryBytes: BIG });
  const attempt = snapshot(dir);
  assert.notDeepEqual(attempt, before);
  // the night's tasks read the ledger as the night first saw it, crashed set or not
  assertSameAsLedger(ledgerSets(dir, 5), ref, 'below the crashed generation');
  dropSetsFrom(dir, 5);
  assert.deepEqual(snapshot(dir), before);
  commitLedgerNight(dir, [tonight], { run: 'run-5', generation: 5, memoryBytes: 4096 });
  assert.deepEqual(snapshot(dir), attempt);
  // a rerun of the commit with the set in place keeps it
  assert.equal(commitLedgerNight(dir, [[]], { run: 'run-5', generation: 5, memoryBytes: BIG })?.first, 5);
  assert.deepEqual(snapshot(dir), attempt);
  assert.equal(commitLedgerNight(tmp(), [[]], { run: 'x', generation: 0, memoryBytes: BIG }), null, 'no notes, no set');
});

test('ledger sets: the synthetic-reuse join names exactly the records the Ledger saw emitted maxReuse times', () => {
  const dir = tmp();
  const rnd = rng(11);
  const pool = hashPool(600, rnd);
  const ref = new Ledger();
  for (let g = 0; g < 6; g++) {
    const notes = night(pool, 700, `run-${g}`, rnd);
    for (const x of notes) ref.note(x.hash[0]!, x.hash[1]!, x.run, x.label, x.pAi, x.emitted);
    commitLedgerNight(dir, [notes], { run: `run-${g}`, generation: g, memoryBytes: BIG });
    compactLedger(dir, 2);
  }
  // tonight: hashes of the pool (some repeated) and new ones, in seq order
  const extra = hashPool(200, rnd);
  const tonight = Array.from({ length: 1500 }, (_, seq) => ({ seq, h: rnd() < 0.7 ? pool[Math.floor(rnd() * pool.length)]! : extra[Math.floor(rnd() * extra.length)]! }));
  const work = tmp();
  const sorter = new ExternalSorter({ width: SYNTHETIC_WIDTH, keyWords: SYNTHETIC_WIDTH, memoryBytes: 2048, tmpDir: join(work, 'spill') });
  for (const x of tonight) sorter.push([x.h[0], x.h[1], x.seq]);
  sorter.finish(join(work, 'synthetic.run'));
  for (const maxReuse of [1, 2, 4]) {
    const got: number[] = [];
    const n = joinSyntheticReuse({ sets: ledgerSets(dir), synthetic: join(work, 'synthetic.run'), maxReuse, onReuse: (s) => got.push(s) });
    const want = tonight.filter((x) => (ref.get(x.h[0], x.h[1])?.emitted ?? 0) >= maxReuse).map((x) => x.seq);
    assert.ok(want.length > 0 && want.length < tonight.length, `maxReuse ${maxReuse}: some records reused, not all (${want.length})`);
    assert.deepEqual(got.sort((a, b) => a - b), want, `maxReuse ${maxReuse}`);
    assert.equal(n, want.length);
  }
});
