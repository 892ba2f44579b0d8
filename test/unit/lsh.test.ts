/**
 * LSH maths (integration, S-curve, derivation), empirical band-collision rates against the analytic S-curve, the
 * in-memory index (earliest verified match, removal, never-throwing queries, snapshots), the exact-hash set and
 * the shingle sketch.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bandKeys, deriveBandsRows, integrate, lshErrors, sCurve } from '../../src/score/dedup/lsh.js';
import { MinHasher, exactJaccard } from '../../src/score/dedup/minhash.js';
import { MemoryNearDupIndex, deserializeNearDupIndex, type NearDupIndexParams } from '../../src/score/dedup/memory-index.js';
import { ExactSet } from '../../src/score/dedup/exact-set.js';
import { encodeSketch, sketchJaccard } from '../../src/score/dedup/sketch.js';
import { Rng, pairWithJaccard } from '../bench/gen-dedup-corpus.js';

test('Simpson integration matches closed forms', () => {
  for (const r of [1, 2, 5, 9]) assert.ok(Math.abs(integrate((s) => s ** r, 0, 1) - 1 / (r + 1)) < 1e-9);
  assert.ok(Math.abs(integrate(Math.sin, 0, Math.PI, 101) - 2) < 1e-6);
  assert.equal(integrate((s) => s, 1, 1), 0);
  // one band: P(s) = s^r, so FP = t^(r+1)/(r+1) and FN = (1-t) - (1 - t^(r+1))/(r+1)
  for (const [t, r] of [[0.8, 5], [0.5, 3], [0.9, 12]] as const) {
    const { fp, fn } = lshErrors(t, 1, r);
    assert.ok(Math.abs(fp - t ** (r + 1) / (r + 1)) < 1e-9, `fp t=${t} r=${r}`);
    assert.ok(Math.abs(fn - ((1 - t) - (1 - t ** (r + 1)) / (r + 1))) < 1e-9, `fn t=${t} r=${r}`);
  }
});

test('the S-curve is monotone from 0 to 1', () => {
  let prev = -1;
  for (let s = 0; s <= 1.0000001; s += 0.01) {
    const p = sCurve(Math.min(1, s), 12, 5);
    assert.ok(p >= prev - 1e-15 && p >= 0 && p <= 1);
    prev = p;
  }
  assert.equal(sCurve(0, 12, 5), 0);
  assert.equal(sCurve(1, 12, 5), 1);
});

test('deriveBandsRows returns the grid minimum of the weighted error, within the lane budget', () => {
  for (const [t, k, w] of [[0.8, 64, 0.99], [0.8, 128, 0.5], [0.5, 32, 0.9], [0.9, 48, 0.7]] as const) {
    const { bands, rows } = deriveBandsRows(t, k, w);
    assert.ok(bands * rows <= k);
    const err = (b: number, r: number) => {
      const e = lshErrors(t, b, r);
      return (1 - w) * e.fp + w * e.fn;
    };
    const chosen = err(bands, rows);
    for (let b = 1; b <= k; b++) for (let r = 1; b * r <= k; r++) assert.ok(chosen <= err(b, r) + 1e-12, `t=${t} k=${k}: ${b}x${r} beats ${bands}x${rows}`);
  }
  // pinned: threshold 0.8 with 64 lanes, fnWeight 0.99 -> 12 bands of 5 rows; the default 48 lanes, 0.998 -> 12x4
  assert.deepEqual(deriveBandsRows(0.8, 64, 0.99), { bands: 12, rows: 5 });
  assert.deepEqual(deriveBandsRows(0.8, 48, 0.998), { bands: 12, rows: 4 });
  // weighting misses more moves the knee left: higher candidate probability at the threshold
  const lo = deriveBandsRows(0.8, 128, 0.5);
  const hi = deriveBandsRows(0.8, 128, 0.99);
  assert.ok(sCurve(0.8, hi.bands, hi.rows) > sCurve(0.8, lo.bands, lo.rows));
  assert.throws(() => deriveBandsRows(1, 64), RangeError);
});

test('empirical band-collision probability follows the analytic S-curve', () => {
  const rng = new Rng(21);
  const mh = new MinHasher(64, 1);
  const N = 300;
  for (const [b, r] of [[12, 5], [8, 8]] as const) {
    const ka = new Uint32Array(b);
    const kb = new Uint32Array(b);
    for (const target of [0.3, 0.5, 0.7, 0.8, 0.9]) {
      let hits = 0;
      let expected = 0;
      for (let rep = 0; rep < N; rep++) {
        const p = pairWithJaccard(rng, 160, target);
        bandKeys(mh.signature(p.a), b, r, 1, ka);
        bandKeys(mh.signature(p.b), b, r, 1, kb);
        let any = false;
        for (let i = 0; i < b; i++) if (ka[i] === kb[i]) any = true;
        if (any) hits++;
        expected += sCurve(p.jaccard, b, r) / N;
      }
      const rate = hits / N;
      const sd = Math.sqrt(Math.max(expected * (1 - expected), 0.25 / N) / N);
      assert.ok(Math.abs(rate - expected) <= 4 * sd + 0.005, `${b}x${r} J=${target}: empirical ${rate.toFixed(3)} vs S-curve ${expected.toFixed(3)}`);
    }
  }
});

const PARAMS: NearDupIndexParams = { numPerm: 64, bands: 12, rows: 5, threshold: 0.8, verify: 'exact', seed: 1, sketchSize: 256, maxCandidates: 2048 };

for (const verify of ['exact', 'estimate'] as const) {
  test(`index (${verify}): earliest verified match, threshold respected, removal`, () => {
    const rng = new Rng(31);
    const mh = new MinHasher(64, 1);
    const idx = new MemoryNearDupIndex({ ...PARAMS, verify });
    const { a, b } = pairWithJaccard(rng, 200, 0.95);
    const far = pairWithJaccard(rng, 200, 0.5); // J ~ 0.5: must never verify
    assert.equal(idx.query(mh.signature(a), a), null);
    idx.insert(5, mh.signature(far.a), far.a);
    assert.equal(idx.query(mh.signature(far.b), far.b), null, 'J=0.5 pair must not verify');
    idx.insert(7, mh.signature(a), a);
    idx.insert(9, mh.signature(a), a);
    const m = idx.query(mh.signature(b), b);
    assert.ok(m !== null);
    assert.equal(m.id, 7);
    assert.ok(m.similarity >= 0.8 && m.similarity <= 1);
    if (verify === 'exact') assert.equal(m.similarity, exactJaccard(a, b));
    assert.equal(idx.size, 3);
    assert.equal(idx.remove(7), true);
    assert.equal(idx.remove(7), false);
    assert.equal(idx.query(mh.signature(b), b)?.id, 9);
    assert.equal(idx.size, 2);
    assert.ok(idx.bytesPerRecord() > 0);
  });

  test(`index (${verify}): queries never throw on arbitrary input`, () => {
    const rng = new Rng(41);
    const mh = new MinHasher(64, 1);
    const idx = new MemoryNearDupIndex({ ...PARAMS, verify });
    for (let i = 0; i < 50; i++) {
      const p = pairWithJaccard(rng, 20 + rng.int(200), 0.9);
      idx.insert(i, mh.signature(p.a), p.a);
    }
    const u32 = fc.array(fc.integer({ min: 0, max: 0xffffffff }), { maxLength: 300 }).map((xs) => Uint32Array.from(xs));
    const anything = fc.oneof(u32, fc.constant(undefined), fc.constant(null), fc.anything(), fc.constant(new Uint32Array(64)));
    fc.assert(
      fc.property(anything, anything, (sig, sh) => {
        const m = idx.query(sig as Uint32Array, sh as Uint32Array);
        assert.ok(m === null || (m.id >= 0 && m.id < 50 && m.similarity >= 0.8 && m.similarity <= 1));
      }),
      { numRuns: 400, seed: 7 },
    );
    // random inserts interleaved with random queries (valid shapes, random content)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), u32), { maxLength: 40 }), (ops) => {
        const j = new MemoryNearDupIndex({ ...PARAMS, verify });
        let id = 0;
        for (const [ins, raw] of ops) {
          const sh = Uint32Array.from(new Set(raw)).sort();
          const sig = mh.signature(sh);
          if (ins && sh.length > 0) j.insert(id++, sig, sh);
          else j.query(sig, sh);
        }
        return true;
      }),
      { numRuns: 100, seed: 8 },
    );
  });

  test(`index (${verify}): serialize/deserialize round trip`, () => {
    const rng = new Rng(51);
    const mh = new MinHasher(64, 1);
    const idx = new MemoryNearDupIndex({ ...PARAMS, verify });
    const queries: Array<[Uint32Array, Uint32Array]> = [];
    for (let i = 0; i < 300; i++) {
      const p = pairWithJaccard(rng, 50 + rng.int(400), 0.7 + 0.3 * rng.float());
      idx.insert(1000 + i, mh.signature(p.a), p.a);
      queries.push([mh.signature(p.b), p.b]);
    }
    idx.remove(1003);
    const bytes = idx.serialize();
    const back = deserializeNearDupIndex(bytes);
    assert.equal(back.size, idx.size);
    assert.deepEqual(back.params, idx.params);
    assert.deepEqual(back.serialize(), bytes);
    let matches = 0;
    for (const [sig, sh] of queries) {
      const x = idx.query(sig, sh);
      assert.deepEqual(back.query(sig, sh), x);
      if (x) matches++;
    }
    assert.ok(matches > 100, `only ${matches} matches: the round trip test is not exercising verification`);
    // the restored index keeps working
    const p = pairWithJaccard(rng, 100, 0.95);
    back.insert(5000, mh.signature(p.a), p.a);
    assert.equal(back.query(mh.signature(p.b), p.b)?.id, 5000);
    // damaged snapshots are rejected, not half-loaded
    assert.throws(() => deserializeNearDupIndex(bytes.subarray(0, bytes.length - 10)), RangeError);
    const bad = bytes.slice();
    bad[0] = 0x41;
    assert.throws(() => deserializeNearDupIndex(bad), RangeError);
  });
}

test('damaged snapshots either fail to load with RangeError or load into an index that still answers', () => {
  const rng = new Rng(81);
  const mh = new MinHasher(64, 1);
  for (const verify of ['exact', 'estimate'] as const) {
    const idx = new MemoryNearDupIndex({ ...PARAMS, verify });
    const probes: Array<[Uint32Array, Uint32Array]> = [];
    for (let i = 0; i < 40; i++) {
      const p = pairWithJaccard(rng, 30 + rng.int(100), 0.9);
      idx.insert(i, mh.signature(p.a), p.a);
      probes.push([mh.signature(p.b), p.b]);
    }
    const bytes = idx.serialize();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { minLength: 1, maxLength: 8 }), (flips) => {
        const bad = bytes.slice();
        for (const [at, v] of flips) bad[at] = v;
        let loaded: MemoryNearDupIndex;
        try {
          loaded = deserializeNearDupIndex(bad);
        } catch (e) {
          assert.ok(e instanceof RangeError, String(e));
          return;
        }
        for (const [sig, sh] of probes) loaded.query(sig, sh);
      }),
      { numRuns: 300, seed: 9 },
    );
  }
});

test('index rejects bad parameters and bad inserts', () => {
  assert.throws(() => new MemoryNearDupIndex({ ...PARAMS, bands: 20, rows: 5 }), RangeError);
  const idx = new MemoryNearDupIndex(PARAMS);
  assert.throws(() => idx.insert(-1, new Uint32Array(64), Uint32Array.of(1)), RangeError);
  assert.throws(() => idx.insert(1, new Uint32Array(10), Uint32Array.of(1)), TypeError);
  assert.throws(() => idx.insert(1, new Uint32Array(64)), TypeError);
});

test('exact set behaves like a Map of 64-bit keys (insert keep-first, get, delete, growth)', () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.constantFrom('add', 'del', 'get'), fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 3 })), { maxLength: 400 }),
      (ops) => {
        const s = new ExactSet(16);
        const model = new Map<string, number>();
        let slot = 0;
        for (const [op, lo, hi] of ops) {
          // few distinct keys with colliding halves to stress probing and backward-shift deletion
          const H = (hi * 0x9e3779b9) >>> 0;
          const L = lo * 16; // many share low bits
          const k = `${H}:${L}`;
          if (op === 'add') {
            const got = s.add(H, L, slot);
            if (!model.has(k)) model.set(k, slot);
            assert.equal(got, model.get(k));
            slot++;
          } else if (op === 'del') assert.equal(s.delete(H, L), model.delete(k));
          else assert.equal(s.get(H, L), model.get(k) ?? -1);
        }
        assert.equal(s.size, model.size);
        for (const [k, v] of model) {
          const [H, L] = k.split(':').map(Number) as [number, number];
          assert.equal(s.get(H, L), v);
        }
      },
    ),
    { numRuns: 300, seed: 3 },
  );
  const big = new ExactSet(16);
  for (let i = 0; i < 5000; i++) big.add(i * 7919, i, i);
  for (let i = 0; i < 5000; i++) assert.equal(big.get(i * 7919, i), i);
  assert.equal(big.get(1, 1), -1);
});

/** Reference for a truncated sketch: both sets restricted to codes below the stored set's last code. */
function referenceTruncated(a: Uint32Array, b: Uint32Array, k: number): number {
  const last = b[k - 1]!;
  const bits = 32 - Math.clz32(last);
  const shift = bits > 16 ? bits - 16 : 0;
  const cut = last >>> shift;
  const ca = Array.from(a, (x) => x >>> shift).filter((c) => c < cut);
  const cb = Array.from(b.subarray(0, k), (x) => x >>> shift).filter((c) => c < cut);
  const count = new Map<number, number>();
  for (const c of cb) count.set(c, (count.get(c) ?? 0) + 1);
  let inter = 0;
  for (const c of ca) {
    const m = count.get(c) ?? 0;
    if (m > 0) {
      inter++;
      count.set(c, m - 1);
    }
  }
  return inter / (ca.length + cb.length - inter);
}

test('exact verification: J exactly at the threshold matches, just below does not', () => {
  const rng = new Rng(71);
  const mh = new MinHasher(64, 1);
  for (const [c, hit] of [[160, true], [159, false]] as const) {
    // |A| = |B| = 180 with c shared: J = c / (360 - c) = 0.8 for c = 160, 0.791 for c = 159
    const shared = Array.from({ length: c }, () => rng.u32());
    const a = Uint32Array.from([...shared, ...Array.from({ length: 180 - c }, () => rng.u32())]).sort();
    const b = Uint32Array.from([...shared, ...Array.from({ length: 180 - c }, () => rng.u32())]).sort();
    const idx = new MemoryNearDupIndex({ ...PARAMS, bands: 32, rows: 2 }); // loose bands: the pair is always a candidate
    idx.insert(1, mh.signature(a), a);
    const m = idx.query(mh.signature(b), b);
    if (hit) assert.deepEqual(m, { id: 1, similarity: exactJaccard(a, b) });
    else assert.equal(m, null);
  }
});

test('shingle sketch: exact Jaccard for complete sets, bottom-k estimate for truncated ones', () => {
  const rng = new Rng(61);
  const pool = new Uint16Array(4096);
  let maxErr = 0;
  for (let rep = 0; rep < 200; rep++) {
    const p = pairWithJaccard(rng, 20 + rng.int(230), rng.float());
    const { count, meta } = encodeSketch(p.b, 256, pool, 0);
    const est = sketchJaccard(p.a, pool, 0, count, meta);
    maxErr = Math.max(maxErr, Math.abs(est - p.jaccard));
  }
  // 16-bit codes: only cross-set code collisions can add error (expected well under 0.01 here)
  assert.ok(maxErr < 0.02, `complete sketches: max error ${maxErr}`);
  let sum = 0;
  const N = 100;
  for (let rep = 0; rep < N; rep++) {
    const p = pairWithJaccard(rng, 2000, 0.8);
    const { count, meta } = encodeSketch(p.b, 256, pool, 0);
    assert.equal(count, 256);
    const est = sketchJaccard(p.a, pool, 0, count, meta);
    assert.equal(est, referenceTruncated(p.a, p.b, 256));
    assert.ok(Math.abs(est - p.jaccard) < 0.15, `truncated sketch estimate ${est} vs ${p.jaccard}`);
    sum += est - p.jaccard;
  }
  assert.ok(Math.abs(sum / N) < 0.02, `truncated sketch bias ${sum / N}`);
});
