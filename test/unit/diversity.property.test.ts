/**
 * Property tests of the diversity metrics (fast-check).
 *
 * Bounds: the duplicate-paragraph/line fractions, duplicated-n-gram fractions, bullet/end-ellipsis line
 * fractions, alpha_word_frac and the lexical ratios are in [0, 1]. top_n_gram, hash_ratio and ellipsis_ratio are
 * NOT bounded by 1 under datatrove's definitions (overlapping n-grams and tokens that touch, "a#b#c" is one token
 * with two "#"), so they are only checked to be finite and >= 0.
 *
 * Trailing whitespace: datatrove's metrics are not all invariant to it, so the precise behaviour is tested:
 *  - word-based metrics do not change (whitespace makes no tokens);
 *  - character fractions keep their numerator and are divided by the longer length: v' * len' == v * len
 *    (top n-grams, duplicated n-grams, duplicate-paragraph characters; dup_para_frac itself is unchanged because
 *    paragraphs are split after strip());
 *  - appending "\n" adds an empty repetition line, a duplicate only when the text starts with "\n";
 *  - bullet / end-ellipsis fractions do not change when spaces or tabs are appended to a text whose last
 *    character is not a line break.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { computeMetrics, isBlank } from '../../src/score/diversity/measure.js';

const OPTS = { mode: 'space', stopWords: true, lexical: true, compression: true } as const;

const FRAGMENTS = [
  'the', 'a', 'cat', 'of', 'and', 'The', 'x', "don't", '#tag', 'hello,', 'world.', '...', '\u2026', '-', '\u2022',
  '\u{1F600}', '\u4e2d\u6587', 'ab', 'a.b', 'http://x.co/y', '(', ')', '"', "'s", '100%', '$5', 'e.g.', '--',
  ' ', ' ', ' ', '\n', '\n\n', '\t', '\r\n', '  ', '\u00a0', '\u2028', '\x85',
];
const textArb = fc
  .array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FRAGMENTS) }, { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 6 }) }), {
    maxLength: 60,
  })
  .map((parts) => parts.join(''));
const wsArb = fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n', '\u3000'), { minLength: 1, maxLength: 4 }).map((a) => a.join(''));

const BOUNDED = [
  'dup_para_frac', 'dup_para_char_frac', 'dup_line_frac', 'dup_line_char_frac', 'dup_ngram_5', 'dup_ngram_6',
  'dup_ngram_7', 'dup_ngram_8', 'dup_ngram_9', 'dup_ngram_10', 'bullet_line_frac', 'end_ellipsis_frac',
  'alpha_word_frac', 'mattr', 'distinct_1', 'distinct_2',
];
const WORD_BASED = ['word_count', 'mean_word_length', 'hash_ratio', 'ellipsis_ratio', 'alpha_word_frac', 'stop_words', 'mattr', 'distinct_1', 'distinct_2'];
const SCALED = ['top_2_gram', 'top_3_gram', 'top_4_gram', 'dup_ngram_5', 'dup_ngram_6', 'dup_ngram_7', 'dup_ngram_8', 'dup_ngram_9', 'dup_ngram_10', 'dup_para_char_frac'];

const cpLen = (s: string) => [...s].length;

describe('diversity metrics: properties', () => {
  it('fractions are in [0, 1]; every metric is finite and >= 0', () => {
    fc.assert(
      fc.property(textArb, (t) => {
        const m = computeMetrics(t, OPTS);
        if (isBlank(t)) return m.empty === 1;
        for (const [k, v] of Object.entries(m)) {
          if (v === null) continue;
          assert.ok(Number.isFinite(v) && v >= 0, `${k}=${v}`);
          if (BOUNDED.includes(k)) assert.ok(v <= 1 + 1e-12, `${k}=${v} > 1 for ${JSON.stringify(t)}`);
        }
        return true;
      }),
      { numRuns: 400 },
    );
  });

  it('appending whitespace: word metrics unchanged, character fractions rescaled by the length', () => {
    fc.assert(
      fc.property(textArb, wsArb, (t, ws) => {
        fc.pre(!isBlank(t));
        const a = computeMetrics(t, OPTS);
        const b = computeMetrics(t + ws, OPTS);
        for (const k of WORD_BASED) assert.equal(b[k], a[k], `${k} changed`);
        assert.equal(b.dup_para_frac, a.dup_para_frac, 'dup_para_frac changed');
        const la = cpLen(t);
        const lb = cpLen(t + ws);
        for (const k of SCALED) {
          const va = a[k];
          const vb = b[k];
          if (va === null || vb === null) {
            assert.equal(vb, va, k);
            continue;
          }
          assert.ok(Math.abs(va * la - vb * lb) < 1e-9, `${k}: ${va}*${la} != ${vb}*${lb}`);
        }
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('appending "\\n" adds one empty repetition line, a duplicate only after a leading "\\n"', () => {
    fc.assert(
      fc.property(textArb, (t) => {
        fc.pre(!isBlank(t) && !t.endsWith('\n'));
        const lines = t.split(/\n+/).length;
        const a = computeMetrics(t, OPTS);
        const dups = Math.round((a.dup_line_frac as number) * lines);
        const b = computeMetrics(t + '\n', OPTS);
        const extra = t.startsWith('\n') ? 1 : 0;
        assert.ok(Math.abs((b.dup_line_frac as number) - (dups + extra) / (lines + 1)) < 1e-12);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('appending spaces/tabs after a non-line-break character keeps the line fractions', () => {
    fc.assert(
      fc.property(textArb, fc.constantFrom(' ', '\t', '  \t'), (t, ws) => {
        fc.pre(!isBlank(t) && !/[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]$/.test(t));
        const a = computeMetrics(t, OPTS);
        const b = computeMetrics(t + ws, OPTS);
        assert.equal(b.bullet_line_frac, a.bullet_line_frac);
        assert.equal(b.end_ellipsis_frac, a.end_ellipsis_frac);
        return true;
      }),
      { numRuns: 300 },
    );
  });

  it('is deterministic across calls (scratch buffers are reset)', () => {
    fc.assert(
      fc.property(textArb, textArb, (t, u) => {
        const first = computeMetrics(t, OPTS);
        computeMetrics(u, OPTS);
        assert.deepEqual(computeMetrics(t, OPTS), first);
        return true;
      }),
      { numRuns: 200 },
    );
  });
});
