/**
 * The dedup scorer end to end: golden keep-first decisions on a committed fixture (checked against a brute-force
 * reference as well), short texts, purity of score(), removal, snapshots, config validation and memory per record.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createFeaturizer } from '../../src/text/features.js';
import type { DupScore, Features } from '../../src/types.js';
import { DEDUP_DEFAULTS, createDedupScorer, dedupTextOptions, resolveBandsRows, type DedupConfig } from '../../src/score/dedup/index.js';
import { exactJaccard } from '../../src/score/dedup/minhash.js';
import { ByteWriter, concatParts, handOver } from '../../src/score/dedup/bytes.js';
import { generateCorpus } from '../bench/gen-dedup-corpus.js';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

const golden = fixture('dedup-golden.jsonl') as Array<{ id: string; text: string }>;
const expected = fixture('dedup-golden.expected.jsonl') as Array<{ id: string; kind: 'exact' | 'near' | null; of: string | null }>;

/** Streaming keep-first through the scorer: commit every record it does not flag. */
function run(cfg: DedupConfig, records: Array<{ id: string; text: string }>) {
  const feat = createFeaturizer(dedupTextOptions(cfg));
  const scorer = createDedupScorer(cfg);
  const out: Array<{ id: string } & DupScore> = [];
  records.forEach((r, i) => {
    const f = feat(r.text);
    const s = scorer.score(r, f, { recordIndex: i });
    if (s.kind === null) scorer.commit(r.id, f);
    out.push({ id: r.id, ...s });
  });
  return { out, scorer, feat };
}

test('golden fixture: the expected file agrees with a brute-force keep-first reference', () => {
  const feat = createFeaturizer(dedupTextOptions(DEDUP_DEFAULTS));
  const F = golden.map((r) => feat(r.text));
  const kept: number[] = [];
  golden.forEach((r, i) => {
    const f = F[i]!;
    let kind: 'exact' | 'near' | null = null;
    let of: string | null = null;
    const ex = kept.find((j) => F[j]!.norm === f.norm);
    if (ex !== undefined) [kind, of] = ['exact', golden[ex]!.id];
    else if (f.shingles.length > 0) {
      const near = kept.find((j) => F[j]!.shingles.length > 0 && exactJaccard(f.shingles, F[j]!.shingles) >= DEDUP_DEFAULTS.threshold);
      if (near !== undefined) [kind, of] = ['near', golden[near]!.id];
    }
    if (kind === null) kept.push(i);
    assert.deepEqual({ id: r.id, kind, of }, expected[i], `fixture line ${i + 1}`);
  });
  // the fixture covers every decision type
  const kinds = new Set(expected.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ['exact', 'near', null].sort());
});

for (const verify of ['exact', 'estimate'] as const) {
  test(`golden fixture: scorer decisions (verify '${verify}')`, () => {
    const cfg: DedupConfig = { ...DEDUP_DEFAULTS, verify, numPerm: verify === 'estimate' ? 256 : DEDUP_DEFAULTS.numPerm };
    const { out } = run(cfg, golden);
    assert.equal(out.length, expected.length);
    out.forEach((o, i) => {
      assert.deepEqual({ id: o.id, kind: o.kind, of: o.of }, expected[i], `record ${o.id}: got ${JSON.stringify(o)}`);
      if (o.kind === 'exact') assert.equal(o.similarity, 1);
      if (o.kind === 'near') assert.ok(o.similarity! >= 0.8 && o.similarity! <= 1);
      if (o.kind === null) assert.equal(o.similarity, null);
    });
  });
}

test('short texts: exact hashing only, flagged short, never collapsed together', () => {
  const { out } = run(DEDUP_DEFAULTS, [
    { id: 'a', text: 'Thanks!' },
    { id: 'b', text: 'great post' },
    { id: 'c', text: 'see you next week' },
    { id: 'd', text: 'THANKS!' },
    { id: 'e', text: 'see you next weeks' },
  ]);
  assert.deepEqual(out.map((o) => [o.kind, o.of, o.short]), [
    [null, null, true],
    [null, null, true],
    [null, null, true],
    ['exact', 'a', true],
    [null, null, true],
  ]);
});

test('score() is pure: repeated scoring without commit changes nothing', () => {
  const feat = createFeaturizer();
  const scorer = createDedupScorer(DEDUP_DEFAULTS);
  const f0 = feat(golden[0]!.text);
  scorer.commit('first', f0);
  const f = feat(golden[5]!.text); // near duplicate of golden[0]
  const s1 = scorer.score({}, f, { recordIndex: 1 });
  const s2 = scorer.score({}, f, { recordIndex: 1 });
  assert.deepEqual(s1, s2);
  assert.equal(s1.kind, 'near');
  assert.equal(s1.of, 'first');
  assert.equal(scorer.size, 1);
  const other = feat(golden[1]!.text);
  assert.equal(scorer.score({}, other, { recordIndex: 2 }).kind, null);
  assert.equal(scorer.score({}, other, { recordIndex: 2 }).kind, null);
  assert.equal(scorer.size, 1);
});

test('remove() forgets a record (with and without features)', () => {
  const feat = createFeaturizer();
  const scorer = createDedupScorer(DEDUP_DEFAULTS);
  const a = feat(golden[0]!.text);
  const b = feat(golden[1]!.text);
  scorer.commit('A', a);
  scorer.commit('B', b);
  assert.equal(scorer.score({}, feat(golden[0]!.text)).kind, 'exact');
  assert.equal(scorer.remove('A', a), true);
  assert.equal(scorer.score({}, feat(golden[0]!.text)).kind, null);
  assert.equal(scorer.score({}, feat(golden[5]!.text)).kind, null, 'near duplicate of a removed record');
  assert.equal(scorer.remove('B'), true);
  assert.equal(scorer.score({}, feat(golden[1]!.text)).kind, null);
  assert.equal(scorer.remove('B'), false);
  assert.equal(scorer.size, 0);
});

test('snapshot: a restored scorer continues with the same decisions and ids', () => {
  const half = Math.floor(golden.length / 2);
  const full = run(DEDUP_DEFAULTS, golden).out;
  const first = run(DEDUP_DEFAULTS, golden.slice(0, half));
  const restored = createDedupScorer(DEDUP_DEFAULTS, first.scorer.serialize());
  assert.equal(restored.size, first.scorer.size);
  const feat = createFeaturizer();
  golden.slice(half).forEach((r, k) => {
    const f = feat(r.text);
    const s = restored.score(r, f, { recordIndex: half + k });
    if (s.kind === null) restored.commit(r.id, f);
    assert.deepEqual({ kind: s.kind, of: s.of }, { kind: full[half + k]!.kind, of: full[half + k]!.of }, r.id);
  });
  assert.throws(() => createDedupScorer({ ...DEDUP_DEFAULTS, numPerm: 128 }, first.scorer.serialize()), RangeError);
  assert.throws(() => createDedupScorer(DEDUP_DEFAULTS, new Uint8Array(10)), RangeError);
});

test('snapshot handed over (zero-copy views of the bytes) restores and continues exactly like a copied one', () => {
  const half = Math.floor(golden.length / 2);
  const full = run(DEDUP_DEFAULTS, golden).out;
  const first = run(DEDUP_DEFAULTS, golden.slice(0, half));
  // an 8-aligned fresh buffer, as readFileSync gives for a state file
  const snap = first.scorer.serialize();
  const owned = new Uint8Array(new ArrayBuffer(snap.length));
  owned.set(snap);
  const before = owned.slice();
  const restored = createDedupScorer(DEDUP_DEFAULTS, handOver(owned));
  const copied = createDedupScorer(DEDUP_DEFAULTS, before.slice());
  const feat = createFeaturizer();
  golden.slice(half).forEach((r, k) => {
    const f = feat(r.text);
    const s = restored.score(r, f, { recordIndex: half + k });
    assert.deepEqual(s, copied.score(r, f, { recordIndex: half + k }), r.id);
    if (s.kind === null) {
      restored.commit(r.id, f);
      copied.commit(r.id, f);
    }
    assert.deepEqual({ kind: s.kind, of: s.of }, { kind: full[half + k]!.kind, of: full[half + k]!.of }, r.id);
  });
  assert.ok(restored.remove(golden[0]!.id) && copied.remove(golden[0]!.id));
  assert.deepEqual(restored.serialize(), copied.serialize());
  // the views really alias the handed-over bytes (the index was built in place): removing a record wrote into them
  assert.notDeepEqual(owned, before);
});

test('config: derived bands x rows, validation, disabled scorer', () => {
  assert.deepEqual(resolveBandsRows(DEDUP_DEFAULTS), { bands: 12, rows: 4 });
  assert.deepEqual(resolveBandsRows({ ...DEDUP_DEFAULTS, bands: 16, rows: 4 }), { bands: 16, rows: 4 });
  assert.throws(() => createDedupScorer({ ...DEDUP_DEFAULTS, bands: 10, rows: 5 }), RangeError);
  assert.throws(() => createDedupScorer({ ...DEDUP_DEFAULTS, threshold: 0 }), RangeError);
  assert.throws(() => createDedupScorer({ ...DEDUP_DEFAULTS, verify: 'magic' as 'exact' }), RangeError);
  const off = run({ ...DEDUP_DEFAULTS, enabled: false }, golden).out;
  assert.ok(off.every((o) => o.kind === null));
  const exactOnly = run({ ...DEDUP_DEFAULTS, near: false }, golden).out;
  assert.ok(exactOnly.every((o) => o.kind !== 'near'));
  assert.ok(exactOnly.some((o) => o.kind === 'exact'));
  const nearOnly = run({ ...DEDUP_DEFAULTS, exact: false }, golden).out;
  assert.ok(nearOnly.every((o) => o.kind !== 'exact'));
  // identical long texts are still caught as near duplicates (similarity 1) without the exact stage
  assert.equal(nearOnly[2]!.kind, 'near');
  assert.equal(nearOnly[2]!.similarity, 1);
});

test('memory: under 1 KB retained per indexed ~1 KB document', () => {
  const { records } = generateCorpus({ docs: 3000, seed: 5 });
  const { scorer } = run(DEDUP_DEFAULTS, records);
  const bpr = scorer.bytesPerRecord();
  assert.ok(scorer.size > 2000);
  assert.ok(bpr > 100 && bpr < 1024, `bytes per record ${bpr}`);
});

test('the scorer never throws on odd features', () => {
  const scorer = createDedupScorer(DEDUP_DEFAULTS);
  const feat = createFeaturizer();
  for (const t of ['', ' ', '\u0000', 'a'.repeat(100000), 'x y z w v u t s r q p o n m l k j i h g f e d c b a '.repeat(500), '😀 '.repeat(50)]) {
    const f: Features = feat(t);
    scorer.score({}, f, { recordIndex: 0 });
    scorer.commit(`id-${t.length}`, f);
    assert.equal(scorer.score({}, feat(t), { recordIndex: 1 }).kind, 'exact');
  }
});

test('removeMany forgets exactly the named records (exact and near) in one pass', () => {
  const feat = createFeaturizer();
  const s = createDedupScorer(DEDUP_DEFAULTS);
  const texts = ['alpha beta gamma delta epsilon zeta eta theta iota kappa', 'one two three four five six seven eight nine ten', 'red orange yellow green blue indigo violet black white grey'];
  texts.forEach((t, i) => s.commit(`r${i}`, feat(t)));
  assert.equal(s.removeMany(['r0', 'r2', 'missing']), 2);
  assert.equal(s.size, 1);
  assert.equal(s.score({}, feat(texts[0]!)).kind, null);
  assert.equal(s.score({}, feat(texts[2]! + ' extra')).kind, null);
  assert.deepEqual(s.score({}, feat(texts[1]!)), { kind: 'exact', of: 'r1', similarity: 1 });
  assert.equal(s.score({}, feat(texts[1]! + ' more')).of, 'r1');
});

test('snapshot in parts: the pieces join to the same bytes as a copying writer, and a large scorer restores from them', () => {
  // the writer alone: a mix of scalars, odd-length raw strings and sections around the no-copy size (64 KiB)
  const ops: Array<(w: ByteWriter) => void> = [];
  let s = 7;
  const rnd = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) % n);
  for (let i = 0; i < 60; i++) {
    const k = rnd(5);
    if (k === 0) {
      const x = rnd(1 << 30);
      ops.push((w) => w.u32(x));
    } else if (k === 1) {
      const x = rnd(1000) / 7;
      ops.push((w) => w.f64(x));
    } else if (k === 2) {
      const b = Uint8Array.from({ length: 1 + rnd(7) }, () => rnd(256));
      ops.push((w) => w.raw(b));
    } else if (k === 3) {
      const n = [3, 100, 16383, 16384, 20000][rnd(5)]!;
      const a = Uint32Array.from({ length: n }, () => rnd(1 << 30));
      ops.push((w) => w.array(a));
    } else {
      const inner = new ByteWriter(64, { parts: true });
      inner.u32(rnd(99)).array(new Uint16Array(40000).fill(rnd(9))).raw(new Uint8Array([1, 2, 3]));
      const pieces = inner.finishParts();
      ops.push((w) => w.pieces(pieces));
    }
  }
  const copy = new ByteWriter(16);
  const parts = new ByteWriter(16, { parts: true });
  for (const op of ops) {
    op(copy);
    op(parts);
  }
  const pieces = parts.finishParts();
  assert.ok(pieces.length > 3, 'large sections were referenced as their own pieces');
  assert.deepEqual(concatParts(pieces), copy.finish());

  // the scorer: sections well over 64 KiB, restored from the joined pieces, continues like the original
  const { records } = generateCorpus({ docs: 3000, seed: 9 });
  const half = 2000;
  const a = run(DEDUP_DEFAULTS, records.slice(0, half));
  const snapParts = a.scorer.serializeParts();
  assert.ok(snapParts.some((p) => p.byteLength >= 1 << 16));
  const joined = concatParts(snapParts);
  assert.deepEqual(joined, a.scorer.serialize());
  const restored = createDedupScorer(DEDUP_DEFAULTS, joined.slice());
  const full = run(DEDUP_DEFAULTS, records).out;
  const feat = createFeaturizer();
  records.slice(half).forEach((r, k) => {
    const f = feat(r.text);
    const sc = restored.score({ id: r.id, text: r.text }, f, { recordIndex: half + k });
    if (sc.kind === null) restored.commit(r.id, f);
    assert.deepEqual({ kind: sc.kind, of: sc.of }, { kind: full[half + k]!.kind, of: full[half + k]!.of }, r.id);
  });
});
