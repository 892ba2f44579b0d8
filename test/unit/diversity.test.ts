/**
 * Golden tests of the diversity scorer: every expected value below was computed by hand from the datatrove
 * definitions (see /work/shared/reference/gopher-as-datatrove-computes-it.md); the arithmetic is in the comments.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DIVERSITY_DEFAULTS,
  computeMetrics,
  evaluateRules,
  measureDiversity,
  tokenStrings,
  type DiversityConfig,
} from '../../src/score/diversity/index.js';
import type { DiversityScore } from '../../src/types.js';

const SPACE = { mode: 'space', stopWords: true, lexical: true, compression: true } as const;
const m = (text: string) => computeMetrics(text, SPACE);
const close = (actual: number | null | undefined, expected: number, msg?: string) => {
  assert.equal(typeof actual, 'number', msg);
  assert.ok(Math.abs((actual as number) - expected) < 1e-12, `${msg ?? ''}: ${actual} != ${expected}`);
};

describe('tokenizer (spaCy blank English behaviour)', () => {
  const cases: Array<[string, string[]]> = [
    ["don't", ['do', "n't"]],
    ['don\u2019t', ['do', 'n\u2019t']],
    ["can't won't cannot gonna", ['ca', "n't", 'wo', "n't", 'can', 'not', 'gon', 'na']],
    ["I'm you're it's its", ['I', "'m", 'you', "'re", 'it', "'s", 'its']],
    ['#tag ##x', ['#', 'tag', '#', '#', 'x']],
    ['Hello, world!', ['Hello', ',', 'world', '!']],
    ["John's dogs'", ['John', "'s", 'dogs', "'"]],
    ['$100 100% 5km', ['$', '100', '100', '%', '5', 'km']],
    ['(hello) "quoted"', ['(', 'hello', ')', '"', 'quoted', '"']],
    ['U.S. Mr. Smith e.g. end.', ['U.S.', 'Mr.', 'Smith', 'e.g.', 'end', '.']],
    ['state-of-the-art 1-2 a--b a/b', ['state', '-', 'of', '-', 'the', '-', 'art', '1', '-', '2', 'a', '--', 'b', 'a', '/', 'b']],
    ['wait...what end.Start a,b', ['wait', '...', 'what', 'end', '.', 'Start', 'a', ',', 'b']],
    ['see https://example.com/a/b now', ['see', 'https://example.com/a/b', 'now']],
    ['hi\u{1F600}\u{1F600}', ['hi', '\u{1F600}', '\u{1F600}']],
    ['a\r\nb\u00a0c\td', ['a', 'b', 'c', 'd']],
    ['\u00abquoted\u00bb word\u2014word', ['\u00ab', 'quoted', '\u00bb', 'word', '\u2014', 'word']],
    ['- item', ['-', 'item']],
  ];
  for (const [text, want] of cases) {
    it(JSON.stringify(text), () => assert.deepEqual(tokenStrings(text), want));
  }
  it('char mode splits CJK characters and keeps Thai combining marks on their base', () => {
    assert.deepEqual(tokenStrings('\u4e2d\u6587\u3002abc', true), ['\u4e2d', '\u6587', '\u3002', 'abc']);
    // ส วั ส ดี : U+0E31 and U+0E35 are combining vowels
    assert.deepEqual(tokenStrings('\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35', true), ['\u0e2a', '\u0e27\u0e31', '\u0e2a', '\u0e14\u0e35']);
  });
});

describe('Gopher repetition metrics', () => {
  it('paragraphs, lines, top n-grams: "a b\\n\\na b\\n\\nc d"', () => {
    // len = 13; paragraphs and lines are [a b, a b, c d]: 1 duplicate of 3, 3 duplicate chars
    const r = m('a b\n\na b\n\nc d');
    close(r.dup_para_frac, 1 / 3, 'dup_para_frac');
    close(r.dup_para_char_frac, 3 / 13, 'dup_para_char_frac');
    close(r.dup_line_frac, 1 / 3, 'dup_line_frac');
    close(r.dup_line_char_frac, 3 / 13, 'dup_line_char_frac');
    // words a b a b c d: "a b" x2 (3 chars) = 6; 3-grams all once, first "a b a" = 5; 4-gram "a b a b" = 7
    close(r.top_2_gram, 6 / 13, 'top_2_gram');
    close(r.top_3_gram, 5 / 13, 'top_3_gram (tie: first in text order)');
    close(r.top_4_gram, 7 / 13, 'top_4_gram');
    close(r.dup_ngram_5, 0, 'dup_ngram_5');
    assert.equal(r.word_count, 6);
  });

  it('greedy non-overlapping duplicated 5..10-grams, joined without spaces', () => {
    // "one two three four five" x3: 15 words, len = 3*23 + 2 = 71, one cycle = 3+3+5+4+4 = 19 chars
    const r = m('one two three four five one two three four five one two three four five');
    close(r.dup_ngram_5, 38 / 71, '5: repeats at word 5 (+19) and word 10 (+19)');
    close(r.dup_ngram_6, 22 / 71, '6: repeat at word 5 (+19+3), then the scan jumps past the end');
    close(r.dup_ngram_7, 25 / 71, '7: +19+3+3');
    close(r.dup_ngram_8, 30 / 71, '8: +19+3+3+5');
    close(r.dup_ngram_9, 34 / 71, '9: +19+3+3+5+4');
    close(r.dup_ngram_10, 38 / 71, '10: +19+19');
    close(r.top_2_gram, (7 * 3) / 71, '"one two" x3');
    close(r.top_3_gram, (13 * 3) / 71, '"one two three" x3');
    close(r.top_4_gram, (18 * 3) / 71, '"one two three four" x3');
    close(r.mean_word_length, 3.8);
  });

  it('n-grams are compared on their characters joined with "": "ab c d e f" equals "a bc d e f"', () => {
    // tokens ab c d e f x a bc d e f (len 23); the 5-gram at word 6 joins to "abcdef" like the one at word 0
    close(m('ab c d e f x a bc d e f').dup_ngram_5, 6 / 23);
  });

  it('top n-gram needs no repetition: a 2-word text scores 1.0; fewer than n words gives null', () => {
    const r = m('hello world');
    close(r.top_2_gram, 1);
    assert.equal(r.top_3_gram, null);
    assert.equal(r.top_4_gram, null);
    close(r.dup_ngram_5, 0, 'fewer than 5 words: 0 (datatrove returns 0 chars)');
  });

  it('top n-gram is not bounded by 1 when tokens touch (datatrove definition)', () => {
    // tokens a , a , a , : "a ," x3 = 9 chars over a 6-char text
    close(m('a,a,a,').top_2_gram, 9 / 6);
  });

  it('lines split on \\n+ without stripping: leading and trailing newlines make empty lines', () => {
    close(m('a\nb').dup_line_frac, 0);
    close(m('a\nb\n').dup_line_frac, 0, 'lines a, b, "": no duplicate');
    close(m('\na\nb\n').dup_line_frac, 1 / 4, 'lines "", a, b, "": the second empty line is a duplicate');
    close(m('\na\nb\n').dup_line_char_frac, 0, 'empty lines add no characters');
    close(m('\na\nb\n').dup_para_frac, 0, 'paragraphs are split after strip()');
  });

  it('CRLF: repetition lines keep the \\r, quality lines do not', () => {
    // split on \n+: "line one\r", "line one\r", "" -> 1 dup of 3, 9 chars of 20
    const r = m('line one\r\nline one\r\n');
    close(r.dup_line_frac, 1 / 3);
    close(r.dup_line_char_frac, 9 / 20);
    close(r.dup_para_frac, 0, 'no blank line: one paragraph');
    close(r.top_2_gram, 16 / 20, '"line one" x2');
    close(r.bullet_line_frac, 0);
  });

  it('duplicate paragraph characters are counted on the stripped text, divided by the full length', () => {
    // stripped "x y\n\nx y" -> 1 dup of 2 (3 chars); full length 4 + 8 + 4 = 16
    const r = m('    x y\n\nx y    ');
    close(r.dup_para_frac, 1 / 2);
    close(r.dup_para_char_frac, 3 / 16);
  });

  it('lengths are code points: emoji count 1', () => {
    // "😀😀 ab": 5 code points (7 UTF-16 units); tokens 😀 😀 ab; "😀 😀" = 3 chars
    const r = m('\u{1F600}\u{1F600} ab');
    close(r.top_2_gram, 3 / 5);
    close(r.mean_word_length, 4 / 3);
    close(r.alpha_word_frac, 1 / 3);
  });
});

describe('Gopher quality metrics', () => {
  it('hashes, ellipses, bullets, end ellipsis, alpha words, word count', () => {
    const t = '#tag #tag\n- item one\n- item two...\n\u2022 bullet\u2026\n* star';
    // tokens: # tag # tag - item one - item two ... • bullet … * star (16)
    assert.equal(tokenStrings(t).length, 16);
    const r = m(t);
    // non-symbol words (not only datatrove punctuation; "•" is not in that set): tag tag item one item two • bullet star
    assert.equal(r.word_count, 9);
    close(r.mean_word_length, 31 / 9);
    close(r.hash_ratio, 2 / 16, 'hash_ratio divides by all tokens');
    close(r.ellipsis_ratio, 2 / 16, '"..." and "…"');
    // splitlines: 5 lines; "-" and "•" lines are bullets, "*" is not
    close(r.bullet_line_frac, 3 / 5);
    close(r.end_ellipsis_frac, 2 / 5);
    close(r.alpha_word_frac, 8 / 16);
  });

  it('ellipses are counted without overlap', () => {
    // "....." = 1, "......" = 2, "…" = 1; tokens a ..... b ...... c … = 6
    close(m('a..... b...... c\u2026').ellipsis_ratio, 4 / 6);
  });

  it('stop words: distinct, case-sensitive', () => {
    assert.equal(m('The cat and the dog have to be with that of The').stop_words, 8);
    assert.equal(m('The The The the the').stop_words, 1);
    assert.equal(m('THE AND OF').stop_words, 0);
  });

  it('Unicode quotes: U+2018 is not in datatrove punctuation, U+2019 is', () => {
    const r = m('\u2018hi\u2019');
    assert.deepEqual(tokenStrings('\u2018hi\u2019'), ['\u2018', 'hi', '\u2019']);
    assert.equal(r.word_count, 2);
    close(r.mean_word_length, 3 / 2);
  });

  it('very long word and single line', () => {
    const word = 'x'.repeat(300);
    const r = m(word);
    assert.equal(r.word_count, 1);
    close(r.mean_word_length, 300);
    assert.equal(r.top_2_gram, null);
    close(r.dup_line_frac, 0);
    close(r.bullet_line_frac, 0);
  });

  it('quality lines use splitlines(): \\v \\f \\x1c \\x85 U+2028 break lines, a final empty line is dropped', () => {
    // lines: "- a", "- b", "- c", "- d", "- e", "x" (the trailing "\n" adds nothing)
    close(m('- a\v- b\f- c\x1c- d\u2028- e\x85x\n').bullet_line_frac, 5 / 6);
  });
});

describe('empty text', () => {
  for (const t of ['', '   ', '\n', '\n\n\t \u3000\x1f']) {
    it(`${JSON.stringify(t)}: metric empty = 1, everything else null, rule "empty" (hard) fails`, () => {
      const s = measureDiversity(t);
      assert.equal(s.metrics.empty, 1);
      for (const [k, v] of Object.entries(s.metrics)) if (k !== 'empty') assert.equal(v, null, k);
      assert.deepEqual(evaluateRules(s, DIVERSITY_DEFAULTS.rules), [{ code: 'empty', hard: true }]);
    });
  }
  it('U+FEFF is not whitespace for Python: a BOM-only text is not empty', () => {
    assert.equal(measureDiversity('\ufeff').metrics.empty, 0);
  });
});

describe('lexical metrics', () => {
  it('distinct_1, distinct_2, MATTR on a short text (window larger than the text: plain TTR)', () => {
    // 15 words, 5 types; bigrams: 14, distinct 5 (one-two, two-three, three-four, four-five, five-one)
    const r = m('One two three four five one two three four five one two three four five');
    close(r.distinct_1, 5 / 15);
    close(r.distinct_2, 5 / 14);
    close(r.mattr, 5 / 15);
    assert.ok((r.compression_ratio as number) > 1);
  });
  it('MATTR over windows of 50 tokens', () => {
    // 60 distinct words then... : words w0..w59, all distinct -> every window has 50 types
    const words = Array.from({ length: 60 }, (_, i) => `w${i}x`);
    close(m(words.join(' ')).mattr, 1);
    // w0..w49 then w0..w9 again: windows start 0..10; window k (k>=1) holds w_k..w49 + w0..w_{k-1}: 50 types
    const rep = [...words.slice(0, 50), ...words.slice(0, 10)];
    close(m(rep.join(' ')).mattr, 1);
    // 25 distinct words twice (50 tokens) then the same 25 again: each window of 50 has 25 types
    const half = words.slice(0, 25);
    close(m([...half, ...half, ...half].join(' ')).mattr, 0.5);
  });
  it('fewer than 10 words: lexical metrics are null', () => {
    const r = m('just a few words here');
    assert.equal(r.mattr, null);
    assert.equal(r.distinct_1, null);
    assert.equal(r.compression_ratio, null);
  });
});

describe('evaluateRules', () => {
  const score = (metrics: DiversityScore['metrics'], mode: DiversityScore['mode'] = 'space'): DiversityScore => ({
    metrics,
    lang: 'en',
    langConfidence: 1,
    mode,
  });
  const rules = DIVERSITY_DEFAULTS.rules;

  it('comparisons are strict: a value equal to its threshold passes', () => {
    // 9 bullet lines of 10 = 0.9 = max: kept
    const t = Array.from({ length: 9 }, (_, i) => `- item number ${i}`).join('\n') + '\nend';
    const s = measureDiversity(t);
    close(s.metrics.bullet_line_frac, 0.9);
    assert.ok(!evaluateRules(s, rules).some((f) => f.code === 'bullet_line_frac'));
    assert.deepEqual(evaluateRules(score({ bullet_line_frac: 0.9000001 }), rules), [{ code: 'bullet_line_frac', hard: false }]);
    assert.deepEqual(evaluateRules(score({ word_count: 50 }), rules), []);
    assert.deepEqual(evaluateRules(score({ word_count: 49 }), rules), [{ code: 'word_count', hard: false }]);
    assert.deepEqual(evaluateRules(score({ word_count: 100001 }), rules), [{ code: 'word_count', hard: false }]);
  });

  it('returns failing rules in datatrove order with their hard flag; null never fails', () => {
    const got = evaluateRules(
      score({ stop_words: 0, dup_ngram_5: 0.5, top_2_gram: 0.5, dup_para_frac: 0.5, mean_word_length: null, empty: 0 }),
      rules,
    );
    assert.deepEqual(got, [
      { code: 'dup_para_frac', hard: false },
      { code: 'top_2_gram', hard: false },
      { code: 'dup_ngram_5', hard: true },
      { code: 'stop_words', hard: false },
    ]);
  });

  it('disabled rules are skipped; lexical rules are disabled by default', () => {
    assert.deepEqual(evaluateRules(score({ mattr: 0.1, compression_ratio: 10 }), rules), []);
    const on: DiversityConfig['rules'] = { ...rules, mattr: { ...rules.mattr!, enabled: true } };
    assert.deepEqual(evaluateRules(score({ mattr: 0.1 }), on), [{ code: 'mattr', hard: false }]);
  });

  it("'unknown' mode: word-based rules do not fire, line rules do", () => {
    const got = evaluateRules(score({ dup_line_frac: 0.9, word_count: 1, stop_words: 0, top_2_gram: 1 }, 'unknown'), rules);
    assert.deepEqual(got, [{ code: 'dup_line_frac', hard: false }]);
  });

  it("'char' mode: character equivalents fire, word-only rules do not", () => {
    const got = evaluateRules(score({ word_count: 10, mean_word_length: 1, stop_words: 0 }, 'char'), rules);
    assert.deepEqual(got, [{ code: 'word_count', hard: false }]);
  });
});

describe('measureDiversity modes and language', () => {
  it('English text: space mode, stop words counted', () => {
    const s = measureDiversity('The results of the study show that the method works well with noisy data and small samples.');
    assert.equal(s.mode, 'space');
    assert.equal(s.lang, 'en');
    assert.ok((s.metrics.stop_words as number) >= 2);
  });
  it('a confidently non-English text gets stop_words null (never rejected for lacking English stop words)', () => {
    const s = measureDiversity('Der Zug nach Berlin hat heute leider eine Stunde Verspätung, und wir warten noch immer auf dem Bahnsteig.');
    assert.equal(s.lang, 'de');
    assert.equal(s.metrics.stop_words, null);
    assert.ok(!evaluateRules(s, DIVERSITY_DEFAULTS.rules).some((f) => f.code === 'stop_words'));
  });
  it('Chinese: char mode, characters are words, top n-grams join characters without spaces', () => {
    // 18 characters: 这是一个中文句子。 twice
    const s = measureDiversity('\u8fd9\u662f\u4e00\u4e2a\u4e2d\u6587\u53e5\u5b50\u3002\u8fd9\u662f\u4e00\u4e2a\u4e2d\u6587\u53e5\u5b50\u3002');
    assert.equal(s.mode, 'char');
    assert.equal(s.lang, 'zh');
    assert.equal(s.metrics.word_count, 16); // the two "。" are symbols
    assert.equal(s.metrics.mean_word_length, null);
    assert.equal(s.metrics.stop_words, null);
    close(s.metrics.top_2_gram, 4 / 18, 'first bigram 这是 x2, 2 chars each');
    close(s.metrics.dup_ngram_5, 5 / 18, 'greedy: the 5-gram at character 9 repeats, then fewer than 5 remain');
  });
  it('unsupported script: unknown mode, word metrics null, only line rules can fire', () => {
    const s = measureDiversity('\u13e3\u13b3\u13a9 \u13a6\u13ec\u13c2\u13af\u13cd\u13d7\n\u13e3\u13b3\u13a9 \u13a6\u13ec\u13c2\u13af\u13cd\u13d7');
    assert.equal(s.mode, 'unknown');
    assert.equal(s.metrics.word_count, null);
    assert.equal(s.metrics.top_2_gram, null);
    close(s.metrics.dup_line_frac, 1 / 2);
    // one paragraph; lines: 2, 1 duplicate of 10 characters over 21
    close(s.metrics.dup_line_char_frac, 10 / 21);
    assert.deepEqual(
      evaluateRules(s, DIVERSITY_DEFAULTS.rules).map((f) => f.code),
      ['dup_line_frac', 'dup_line_char_frac'],
    );
  });
  it('language detection off: lang "und", stop words still computed', () => {
    const cfg: DiversityConfig = { ...DIVERSITY_DEFAULTS, language: { ...DIVERSITY_DEFAULTS.language, enabled: false } };
    const s = measureDiversity('Der Zug nach Berlin hat heute leider eine Stunde Verspätung.', cfg);
    assert.equal(s.lang, 'und');
    assert.equal(s.langConfidence, 0);
    assert.equal(s.metrics.stop_words, 0);
  });
  it('the defaults list every rule in datatrove order', () => {
    assert.deepEqual(Object.keys(DIVERSITY_DEFAULTS.rules), [
      'empty', 'dup_para_frac', 'dup_para_char_frac', 'dup_line_frac', 'dup_line_char_frac', 'top_2_gram',
      'top_3_gram', 'top_4_gram', 'dup_ngram_5', 'dup_ngram_6', 'dup_ngram_7', 'dup_ngram_8', 'dup_ngram_9',
      'dup_ngram_10', 'word_count', 'mean_word_length', 'hash_ratio', 'ellipsis_ratio', 'bullet_line_frac',
      'end_ellipsis_frac', 'alpha_word_frac', 'stop_words', 'mattr', 'distinct_1', 'distinct_2', 'compression_ratio',
    ]);
  });
});
