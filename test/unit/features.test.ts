import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { createFeaturizer, normalize, TEXT_DEFAULTS } from '../../src/text/features.js';
import { hash64, hashString } from '../../src/text/hash.js';

const reference = (text: string, seed = TEXT_DEFAULTS.seed) => {
  const norm = normalize(text, TEXT_DEFAULTS);
  const words = norm === '' ? [] : norm.split(' ');
  return { norm, words: Array.from(words, (w) => hashString(w, seed)), exact: Array.from(hash64(norm, seed)) };
};

test('normalisation: lower-case, NFC, whitespace collapsed and trimmed', () => {
  assert.equal(normalize('  Hello\t\n  WORLD\u00a0 Cafe\u0301 ', TEXT_DEFAULTS), 'hello world café');
});

test('the fused one-pass scanner equals the reference path (normalise, split, hash) on arbitrary text', () => {
  const f = createFeaturizer();
  const samples = ['', ' ', 'a', 'ab', 'abc def', '  Two  words ', 'İstanbul Straße ΣΊΣΥΦΟΣ', 'emoji 😀 mixed\u2003spaces\u3000here', 'tab\tnew\nline\r\nend'];
  for (const t of samples) {
    const feat = f(t);
    const ref = reference(t);
    assert.deepEqual(Array.from(feat.wordHashes), ref.words, JSON.stringify(t));
    assert.deepEqual(Array.from(feat.exactHash), ref.exact, JSON.stringify(t));
  }
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (t) => {
      const feat = f(t);
      const ref = reference(t);
      assert.deepEqual(Array.from(feat.wordHashes), ref.words);
      assert.deepEqual(Array.from(feat.exactHash), ref.exact);
    }),
    { numRuns: 2000, seed: 7 },
  );
});

test('shingles: word 5-grams, unique and sorted; empty when shorter than one shingle', () => {
  const f = createFeaturizer();
  assert.equal(f('one two three four').shingles.length, 0);
  const s = f('a b c d e f a b c d e').shingles;
  assert.equal(s.length, 6); // 7 windows, one repeated
  for (let i = 1; i < s.length; i++) assert.ok(s[i]! > s[i - 1]!);
  assert.deepEqual(Array.from(f('A  B c d E f').shingles), Array.from(f('a b c d e f').shingles));
  const c = createFeaturizer({ shingleUnit: 'char', shingleSize: 3 })('abcab').shingles;
  assert.equal(c.length, 3); // abc, bca, cab
});

test('exact hash is 64-bit hex, seeded', () => {
  const a = createFeaturizer({ seed: 1 })('Hello world');
  const b = createFeaturizer({ seed: 2 })('Hello world');
  assert.match(a.exactHex, /^[0-9a-f]{16}$/);
  assert.notEqual(a.exactHex, b.exactHex);
  assert.equal(a.exactHex, createFeaturizer({ seed: 1 })('hello   WORLD').exactHex);
});
