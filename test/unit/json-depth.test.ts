import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { bytesDepthExceeds, skipString, valueDepthExceeds } from '../../src/io/json-depth.js';
import { hash64, hashJson64 } from '../../src/text/hash.js';

/** Reference depth (recursive: only used on the small values fast-check makes). */
const depthOf = (v: unknown): number =>
  typeof v !== 'object' || v === null ? 0 : 1 + Math.max(0, ...(Array.isArray(v) ? v : Object.values(v)).map(depthOf));

const nested = (n: number) => '{"a":' + '['.repeat(n) + '1' + ']'.repeat(n) + '}';

test('bytesDepthExceeds and valueDepthExceeds agree with the recursive depth on random JSON', () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 6 }), fc.integer({ min: 0, max: 8 }), fc.boolean(), (v, max, pretty) => {
      const want = depthOf(v) > max;
      const b = Buffer.from(JSON.stringify(v, null, pretty ? 2 : undefined));
      assert.equal(bytesDepthExceeds(b, 0, b.length, max), want);
      assert.equal(valueDepthExceeds(v, max), want);
    }),
    { numRuns: 300 },
  );
});

test('brackets inside strings, escaped quotes included, do not count as depth', () => {
  const s = Buffer.from(JSON.stringify({ text: '[[[[{{{{ \\" "[[[[ \\\\', b: [[1]] }));
  assert.equal(bytesDepthExceeds(s, 0, s.length, 3), false);
  assert.equal(bytesDepthExceeds(s, 0, s.length, 2), true);
});

test('a 100,000-level value or text is answered without recursion', () => {
  const text = Buffer.from(nested(100_000));
  assert.equal(bytesDepthExceeds(text, 0, text.length, 256), true);
  assert.equal(bytesDepthExceeds(text, 0, text.length, 100_001), false);
  const v = JSON.parse(text.toString());
  assert.equal(valueDepthExceeds(v, 256), true);
  assert.equal(valueDepthExceeds(v, 100_001), false);
});

test('a cyclic value exceeds any depth; a shared sub-tree is not an exponential walk', () => {
  const o: Record<string, unknown> = { text: 'x' };
  o.self = o;
  assert.equal(valueDepthExceeds(o, 1000), true);
  let shared: unknown = [1];
  for (let i = 0; i < 60; i++) shared = [shared, shared]; // 2^60 paths, 61 levels
  assert.equal(valueDepthExceeds(shared, 100), false);
  assert.equal(valueDepthExceeds(shared, 60), true);
});

test('skipString: an escape split across chunks is carried over', () => {
  const st = { escape: false };
  const a = Buffer.from('abc\\');
  assert.equal(skipString(a, 0, a.length, st), -1);
  assert.equal(st.escape, true);
  const b = Buffer.from('"def"x');
  assert.equal(skipString(b, 0, b.length, st), 5, 'the first quote was escaped; the string closes at the second');
  const c = Buffer.from('ab\\\\"x');
  assert.equal(skipString(c, 0, c.length, { escape: false }), 5, 'an even backslash run does not escape the quote');
});

test('hashJson64 equals hash64 of JSON.stringify, whatever the value', () => {
  const withHoles = fc.dictionary(fc.string(), fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.constant(undefined), fc.constant(() => 1)));
  fc.assert(
    fc.property(fc.oneof(fc.jsonValue({ maxDepth: 5 }), withHoles, fc.array(fc.oneof(fc.constant(undefined), fc.integer()))), fc.integer(), (v, seed) => {
      const s = JSON.stringify(v);
      if (s === undefined) return;
      assert.deepEqual(hashJson64(v, seed), hash64(s, seed));
    }),
    { numRuns: 500 },
  );
  const special = { d: new Date(0), n: new Number(3), s: new String('x'), neg: -0, big: 1e21, nan: NaN, u: '\u2028\ud800' };
  assert.deepEqual(hashJson64(special), hash64(JSON.stringify(special)));
});

test('hashJson64 hashes a 100,000-level record without overflowing the stack; a cycle is a TypeError', () => {
  const v = JSON.parse(nested(100_000));
  assert.throws(() => JSON.stringify(v), RangeError); // what used to crash the id hashing
  const h = hashJson64(v);
  assert.equal(h.length, 2);
  assert.notDeepEqual(h, hashJson64(JSON.parse(nested(99_999))));
  const o: Record<string, unknown> = {};
  o.me = o;
  assert.throws(() => hashJson64(o), TypeError);
});
