/** Collapse experiment: the model and the metrics on tiny hand-made inputs with hand-computed answers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  EOS,
  Rng,
  TrigramKN,
  UNK,
  Vocab,
  detokenize,
  distinctN,
  kl,
  perplexity,
  rareTypes,
  tailCoverage,
  tokenize,
  unigramCounts,
  unigramKL,
} from '../../experiments/collapse/index.js';

const close = (a: number, b: number, eps = 1e-9, msg?: string) => assert.ok(Math.abs(a - b) <= eps, msg ?? `${a} != ${b}`);

/** vocab <s> </s> <unk> a b (ids 0..4); one training doc "a b"; all discounts 0.5. */
function tinyModel() {
  const v = new Vocab();
  const doc = v.encode(['a', 'b']);
  v.freeze();
  const m = TrigramKN.train([doc], v.size, { discounts: [0.5, 0.5, 0.5] });
  return { v, m, a: v.id('a'), b: v.id('b') };
}

test('trigram KN: hand-computed probabilities and perplexity', () => {
  const { v, m, a, b } = tinyModel();
  assert.deepEqual([a, b, v.size], [3, 4, 5]);
  // P1: (N1+(.w) - 0.5)/3 + 0.5*3/3 * 1/4  ->  7/24 for a, b, </s>; the unknown-word floor 1/8 for <unk>
  close(m.p1[a]!, 7 / 24);
  close(m.p1[EOS]!, 7 / 24);
  close(m.p1[UNK]!, 1 / 8);
  // seen: P2(a|<s>) = 1/2 + 1/2 * 7/24 = 31/48; P3(a|<s><s>) = 1/2 + 1/2 * 31/48 = 79/96 (same for b, </s>)
  close(m.prob(a, 0, 0), 79 / 96);
  close(m.prob(b, 0, a), 79 / 96);
  close(m.prob(EOS, a, b), 79 / 96);
  close(perplexity(m, [Int32Array.from([a, b])]), 96 / 79);
  // unseen order "b a": P3(b|<s><s>) = 1/2 * P2(b|<s>) = 1/2 * 7/48; then two backoffs to 1/2 * 7/24
  close(m.prob(b, 0, 0), 7 / 96);
  close(m.prob(a, 0, b), 7 / 48);
  close(m.prob(EOS, b, a), 7 / 48);
  const expected = Math.exp(-(3 * Math.log(79 / 96) + Math.log(7 / 96) + 2 * Math.log(7 / 48)) / 6);
  close(perplexity(m, [Int32Array.from([a, b]), Int32Array.from([b, a])]), expected);
  // an unknown word only gets the floor path: P3(<unk>|<s><s>) = 1/2 * 1/2 * 1/8
  close(m.prob(UNK, 0, 0), 1 / 32);
});

function randomCorpus(seed: number, docs: number, words: number) {
  const rng = new Rng(seed, 'corpus');
  const v = new Vocab();
  const out: Int32Array[] = [];
  for (let d = 0; d < docs; d++) {
    const toks: string[] = [];
    const len = 3 + rng.int(10);
    // skewed word choice so that contexts repeat
    for (let i = 0; i < len; i++) toks.push(`w${Math.floor(words * rng.next() ** 2)}`);
    out.push(v.encode(toks));
  }
  v.freeze();
  return { v, docs: out };
}

test('trigram KN: every conditional distribution sums to 1 over the outcomes (estimated discounts)', () => {
  const { v, docs } = randomCorpus(7, 60, 25);
  const m = TrigramKN.train(docs, v.size);
  for (const [u, w0] of [[0, 0], [0, 3], [3, 4], [5, 6], [UNK, 7], [v.size - 1, v.size - 1]] as const) {
    let s = 0;
    for (let w = 1; w < v.size; w++) s += m.prob(w, u, w0);
    close(s, 1, 1e-9, `context (${u}, ${w0}) sums to ${s}`);
  }
  assert.equal(m.prob(0, 0, 0), 0, '<s> is never an outcome');
});

test('trigram KN: <s> is never predicted; P1 sums to 1', () => {
  const { v, docs } = randomCorpus(8, 30, 12);
  const m = TrigramKN.train(docs, v.size);
  assert.equal(m.p1[0], 0);
  close(m.p1.reduce((a, b) => a + b, 0), 1, 1e-12);
});

test('top-k candidates equal the brute-force top-k of the full distribution', () => {
  const { v, docs } = randomCorpus(9, 80, 40);
  const m = TrigramKN.train(docs, v.size);
  const k = 5;
  for (const [u, w0] of [[0, 0], [0, 3], [3, 4], [4, 3], [10, 11], [UNK, UNK]] as const) {
    const all: Array<[number, number]> = [];
    for (let w = 1; w < v.size; w++) if (w !== UNK && !(u === 0 && w0 === 0 && w === EOS)) all.push([w, m.prob(w, u, w0)]);
    all.sort((x, y) => y[1] - x[1] || x[0] - y[0]);
    const got = m.topK(u, w0, k);
    assert.deepEqual(Array.from(got.ids), all.slice(0, k).map((x) => x[0]), `context (${u}, ${w0})`);
  }
});

test('sampling: greedy (top-1) reproduces the only training sentence; never empty; seeded', () => {
  const { v, m } = tinyModel();
  const s = m.sample(new Rng(1), { topK: 1, temperature: 0.7, maxLen: 10 });
  assert.deepEqual(v.decode(s), ['a', 'b']);
  const { v: v2, docs } = randomCorpus(10, 50, 20);
  const m2 = TrigramKN.train(docs, v2.size);
  const draw = (seed: number) => Array.from({ length: 20 }, () => Array.from(m2.sample(new Rng(seed, 's'), { topK: 4, temperature: 0.9, maxLen: 6 })));
  const r = new Rng(3, 's');
  const xs = Array.from({ length: 30 }, () => m2.sample(r, { topK: 4, temperature: 0.9, maxLen: 6 }));
  for (const x of xs) assert.ok(x.length >= 1 && x.length <= 6);
  assert.deepEqual(draw(5), draw(5));
});

test('unigram KL: known distributions', () => {
  close(kl([0.5, 0.5], [0.25, 0.75]), 0.5 * Math.log(4 / 3));
  close(kl([0.2, 0.3, 0.5], [0.2, 0.3, 0.5]), 0);
  assert.equal(kl([0.5, 0.5], [1, 0]), Infinity);
  close(kl([1, 0], [0.5, 0.5]), Math.log(2));
  // P = [1/2, 1/2]; Q = [(0+1)/3, (1+1)/3]
  close(unigramKL([2, 2], [0, 1], 1), 0.5 * Math.log(1.5) + 0.5 * Math.log(0.75));
  // `first` skips reserved ids
  close(unigramKL([9, 9, 2, 2], [0, 7, 0, 1], 1, 2), 0.5 * Math.log(1.125));
  close(unigramKL([3, 1], [30, 10], 1e-9), 0, 1e-6);
});

test('distinct-2: corpus-level, bigrams stay inside documents', () => {
  assert.equal(distinctN([Int32Array.from([1, 2, 1, 2]), Int32Array.from([1, 2])]), 0.5);
  assert.equal(distinctN([Int32Array.from([1]), Int32Array.from([2])]), 0);
  assert.equal(distinctN([Int32Array.from([1, 2, 3, 4])]), 1);
  assert.equal(distinctN([Int32Array.from([1, 2]), Int32Array.from([3, 4])]), 1, 'no (2,3) bigram across documents');
  assert.equal(distinctN([Int32Array.from([5, 5, 5, 5, 5])]), 0.25);
  assert.equal(distinctN([Int32Array.from([1, 2, 3, 1, 2, 3])], 3), 3 / 4);
});

test('tail coverage: rare = count 1..5 in the reference; share covered', () => {
  const ref = unigramCounts([Int32Array.from([1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4, 4])], 6);
  assert.deepEqual(Array.from(ref), [0, 1, 5, 6, 3, 0]);
  const rare = rareTypes(ref, 5);
  assert.deepEqual(Array.from(rare), [1, 2, 4]);
  const present = new Set([2, 3]);
  close(tailCoverage(rare, (w) => present.has(w)), 1 / 3);
  assert.ok(Number.isNaN(tailCoverage(new Int32Array(0), () => true)));
});

test('tokenize / detokenize round trip', () => {
  const t = tokenize('Hello, World! It’s 3.5 (really).');
  assert.deepEqual(t, ['hello', ',', 'world', '!', "it's", '3.5', '(', 'really', ')', '.']);
  const d = detokenize(t);
  assert.equal(d, "hello, world! it's 3.5 (really).");
  assert.deepEqual(tokenize(d), t);
  // hyphens and slashes glue to their neighbours, and re-tokenising still gives the tokens back
  const h = tokenize('A high - resolution, 8 - 12 and / or 3.5 - 4 scan');
  assert.equal(detokenize(h), 'a high-resolution, 8-12 and/or 3.5-4 scan');
  assert.deepEqual(tokenize(detokenize(h)), h);
});

test('Rng: seeded, stream-separated, uniform-ish', () => {
  const a = new Rng(42, 'x');
  const b = new Rng(42, 'x');
  const c = new Rng(42, 'y');
  const xa = Array.from({ length: 5 }, () => a.u32());
  assert.deepEqual(xa, Array.from({ length: 5 }, () => b.u32()));
  assert.notDeepEqual(xa, Array.from({ length: 5 }, () => c.u32()));
  const r = new Rng(1);
  let s = 0;
  for (let i = 0; i < 20000; i++) s += r.next();
  close(s / 20000, 0.5, 0.01);
});
