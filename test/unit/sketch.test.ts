/** The router's document-frequency sketch: a count-min sketch with conservative update. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DocFreqSketch, distinct } from '../../src/route/sketch.js';

test('document-frequency sketch: never under-counts, is exact without collisions, and rareShare reads it', () => {
  const k = new DocFreqSketch(11);
  const truth = new Map<number, number>();
  let s = 3;
  const docs: Uint32Array[] = [];
  for (let i = 0; i < 3000; i++) {
    const w = new Uint32Array(60);
    for (let j = 0; j < w.length; j++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      w[j] = Math.imul(Math.floor((s / 2 ** 32) ** 3 * 50000) + 1, 2654435761) >>> 0; // Zipf-ish vocabulary
    }
    const d = distinct(w);
    docs.push(d);
    for (const h of d) truth.set(h, (truth.get(h) ?? 0) + 1);
    k.add(d);
  }
  let exact = 0;
  for (const [h, n] of truth) {
    const e = k.estimate(h);
    assert.ok(e >= n, `word ${h}: estimate ${e} under its count ${n}`);
    if (e === n) exact++;
  }
  // ~20k distinct words in 1M slots per row: collisions in both rows at once are rare
  assert.ok(exact / truth.size > 0.99, `exact share ${exact / truth.size}`);
  // a word counted once per document, not once per occurrence
  const once = new DocFreqSketch(11);
  const h = 123456789;
  once.add(Uint32Array.of(h));
  once.add(Uint32Array.of(h));
  assert.equal(once.estimate(h), 2);
  // rareShare: null below minWords; otherwise the share of words at or under maxDf
  assert.equal(k.rareShare(docs[0]!.subarray(0, 5), 10, 20), null);
  const d = docs[1]!;
  const want = [...d].filter((x) => k.estimate(x) <= 10).length / d.length;
  assert.equal(k.rareShare(d, 10, 20), want);
  assert.ok(want > 0 && want < 1, `a mixed document: ${want}`);
});
