/**
 * MinHash kernel: determinism, seeds, reference equivalence, estimator quality (bias, variance of independent
 * lanes, error shrinking with numPerm) and statistical agreement with the `minhash` npm package's estimator.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { EMPTY_LANE, MinHasher, estimateJaccard, exactJaccard, laneHash, laneKeys } from '../../src/score/dedup/minhash.js';
import { createFeaturizer } from '../../src/text/features.js';
import { hashString } from '../../src/text/hash.js';
import { Rng, pairWithJaccard } from '../bench/gen-dedup-corpus.js';

test('identical shingle sets give identical signatures; the kernel is deterministic across instances', () => {
  const feat = createFeaturizer();
  const text = 'the quick brown fox jumps over the lazy dog while the cat watches from the warm windowsill';
  const f1 = feat(text);
  const f2 = feat('  The QUICK brown fox jumps over the lazy dog   while the cat watches from the warm windowsill ');
  const s1 = new MinHasher(128, 1).signature(f1.shingles);
  const s2 = new MinHasher(128, 1).signature(f2.shingles);
  assert.deepEqual(s1, s2);
  assert.equal(estimateJaccard(s1, s2), 1);
});

test('different seeds give different signatures (lanes are re-keyed)', () => {
  const rng = new Rng(3);
  const { a } = pairWithJaccard(rng, 200, 0.5);
  const s1 = new MinHasher(64, 1).signature(a);
  const s2 = new MinHasher(64, 2).signature(a);
  let same = 0;
  for (let i = 0; i < 64; i++) if (s1[i] === s2[i]) same++;
  assert.ok(same <= 2, `seeds 1 and 2 agree on ${same}/64 lanes`);
  assert.notDeepEqual(laneKeys(64, 1), laneKeys(64, 2));
});

test('lane keys are distinct', () => {
  const k = laneKeys(4096, 9);
  assert.equal(new Set(k).size, 4096);
});

test('the unrolled kernel equals the one-lane reference for every lane count (incl. remainders)', () => {
  const rng = new Rng(5);
  for (const numPerm of [1, 3, 4, 7, 13, 64]) {
    const mh = new MinHasher(numPerm, 11);
    for (let rep = 0; rep < 5; rep++) {
      const n = 1 + rng.int(300);
      const set = Uint32Array.from({ length: n }, () => rng.u32());
      const sig = mh.signature(set);
      for (let i = 0; i < numPerm; i++) {
        let m = EMPTY_LANE;
        for (const x of set) m = Math.min(m, laneHash(x, mh.keys[i]!));
        assert.equal(sig[i], m, `numPerm ${numPerm} lane ${i}`);
      }
    }
  }
});

test('partial signatures compute only the requested lanes; empty sets give EMPTY_LANE', () => {
  const mh = new MinHasher(16, 1);
  const out = new Uint32Array(16).fill(7);
  mh.signature(Uint32Array.of(1, 2, 3), out, 10);
  assert.ok(out.subarray(0, 10).every((x) => x !== 7));
  assert.ok(out.subarray(10).every((x) => x === 7));
  assert.ok(mh.signature(new Uint32Array(0)).every((x) => x === EMPTY_LANE));
  assert.throws(() => new MinHasher(0));
});

test('estimates are unbiased and lanes independent (variance matches the binomial J(1-J)/k)', () => {
  const rng = new Rng(7);
  const k = 64;
  const mh = new MinHasher(k, 1);
  for (const target of [0.3, 0.5, 0.8]) {
    const errs: number[] = [];
    let J = 0;
    for (let rep = 0; rep < 400; rep++) {
      const p = pairWithJaccard(rng, 150, target);
      J = p.jaccard;
      errs.push(estimateJaccard(mh.signature(p.a), mh.signature(p.b)) - p.jaccard);
    }
    const mean = errs.reduce((x, y) => x + y, 0) / errs.length;
    const variance = errs.reduce((x, y) => x + (y - mean) ** 2, 0) / (errs.length - 1);
    const binomial = (J * (1 - J)) / k;
    // bias: 4 standard errors of the mean
    assert.ok(Math.abs(mean) < 4 * Math.sqrt(binomial / errs.length), `J=${target}: bias ${mean}`);
    // the sample variance of 400 draws is within ~±25% of the truth with overwhelming probability
    const ratio = variance / binomial;
    assert.ok(ratio > 0.7 && ratio < 1.35, `J=${target}: variance ratio ${ratio.toFixed(3)} (correlated lanes?)`);
  }
});

test('estimate error shrinks with numPerm (~1/sqrt(k))', () => {
  const rng = new Rng(11);
  const pairs = Array.from({ length: 150 }, () => pairWithJaccard(rng, 200, 0.2 + 0.7 * rng.float()));
  const mae: number[] = [];
  for (const k of [16, 64, 256]) {
    const mh = new MinHasher(k, 1);
    let err = 0;
    for (const p of pairs) err += Math.abs(estimateJaccard(mh.signature(p.a), mh.signature(p.b)) - p.jaccard);
    mae.push(err / pairs.length);
  }
  assert.ok(mae[0]! > mae[1]! && mae[1]! > mae[2]!, `MAE by numPerm 16/64/256: ${mae.map((x) => x.toFixed(4))}`);
  // quadrupling k should roughly halve the error
  assert.ok(mae[0]! / mae[1]! > 1.5 && mae[1]! / mae[2]! > 1.5, `MAE ratios: ${mae.map((x) => x.toFixed(4))}`);
  assert.ok(mae[2]! < 0.03, `MAE at 256 lanes ${mae[2]}`);
});

test('exactJaccard merges sorted sets', () => {
  assert.equal(exactJaccard(Uint32Array.of(1, 2, 3), Uint32Array.of(2, 3, 4)), 0.5);
  assert.equal(exactJaccard(new Uint32Array(0), new Uint32Array(0)), 1);
  assert.equal(exactJaccard(Uint32Array.of(1), new Uint32Array(0)), 0);
});

test('estimates agree statistically with the minhash npm package (same shingles, 128 lanes each)', () => {
  const require = createRequire(import.meta.url);
  const { Minhash } = require('minhash') as {
    Minhash: new (o?: { numPerm?: number; seed?: number }) => { update(s: string): void; jaccard(o: unknown): number };
  };
  const rng = new Rng(13);
  const mh = new MinHasher(128, 1);
  let maeOurs = 0;
  let maeNpm = 0;
  let meanDiff = 0;
  const N = 60;
  for (let rep = 0; rep < N; rep++) {
    // shingles as strings ("w1 w2 w3 w4 w5"-like tokens), so both libraries see the same sets
    const p = pairWithJaccard(rng, 120, 0.1 + 0.85 * rng.float());
    const strA = Array.from(p.a, (x) => `tok${x} s${x % 977}`);
    const strB = Array.from(p.b, (x) => `tok${x} s${x % 977}`);
    const hashSet = (ss: string[]) => Uint32Array.from(new Set(ss.map((s) => hashString(s, 1)))).sort();
    const ours = estimateJaccard(mh.signature(hashSet(strA)), mh.signature(hashSet(strB)));
    const ma = new Minhash({ numPerm: 128, seed: 1 });
    const mb = new Minhash({ numPerm: 128, seed: 1 });
    for (const s of strA) ma.update(s);
    for (const s of strB) mb.update(s);
    const theirs = ma.jaccard(mb);
    maeOurs += Math.abs(ours - p.jaccard) / N;
    maeNpm += Math.abs(theirs - p.jaccard) / N;
    meanDiff += (ours - theirs) / N;
  }
  // both estimators: mean absolute error ~ E|N(0, J(1-J)/128)| <= 0.036; allow sampling slack
  assert.ok(maeOurs < 0.05, `ours MAE ${maeOurs}`);
  assert.ok(maeNpm < 0.06, `minhash npm MAE ${maeNpm}`);
  assert.ok(Math.abs(meanDiff) < 0.02, `systematic difference ${meanDiff}`);
  assert.ok(maeOurs <= maeNpm + 0.01, `ours ${maeOurs} vs npm ${maeNpm}`);
});
