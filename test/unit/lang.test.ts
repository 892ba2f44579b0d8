/**
 * Language detection (src/text/lang.ts) on the multilingual sample test/fixtures/lang-sample.jsonl
 * (23 languages, 12 scripts; rows with "split": "holdout" were not used to tune the word lists).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { detectLanguage, isCharScript } from '../../src/text/lang.js';

const sample = readFileSync(new URL('../fixtures/lang-sample.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((l) => l.trim() !== '')
  .map((l) => JSON.parse(l) as { lang: string; text: string; split?: string });

const CHAR_LANGS = new Set(['zh', 'ja', 'th']);
const SCRIPT_ONLY = new Set(['zh', 'ja', 'ko', 'th', 'el', 'he', 'hi']);

describe('detectLanguage on the multilingual sample', () => {
  it('has at least 10 languages including non-Latin scripts', () => {
    const langs = new Set(sample.map((s) => s.lang));
    assert.ok(langs.size >= 10, `${langs.size} languages`);
    for (const l of ['zh', 'ja', 'ko', 'th', 'ru', 'ar', 'hi', 'he', 'el']) assert.ok(langs.has(l), l);
  });

  it('accuracy >= 93% overall and >= 90% on the held-out rows', () => {
    const acc = (rows: typeof sample) => rows.filter((s) => detectLanguage(s.text).lang === s.lang).length / rows.length;
    const all = acc(sample);
    const hold = acc(sample.filter((s) => s.split === 'holdout'));
    assert.ok(all >= 0.93, `overall ${all}`);
    assert.ok(hold >= 0.9, `holdout ${hold}`);
  });

  it('every English row is detected as English (the stop-word rule depends on it)', () => {
    for (const s of sample.filter((x) => x.lang === 'en')) {
      const r = detectLanguage(s.text);
      assert.ok(r.lang === 'en' || r.lang === 'und', `${s.text} -> ${r.lang}`);
    }
  });

  it('no non-English row is confidently detected as English', () => {
    for (const s of sample.filter((x) => x.lang !== 'en')) {
      const r = detectLanguage(s.text);
      assert.ok(!(r.lang === 'en' && r.confidence >= 0.5), `${s.text} -> en ${r.confidence}`);
    }
  });

  it('single-script languages are always right; CJK and Thai are char mode, the rest space mode', () => {
    for (const s of sample) {
      const r = detectLanguage(s.text);
      if (SCRIPT_ONLY.has(s.lang)) assert.equal(r.lang, s.lang, s.text);
      assert.equal(r.mode, CHAR_LANGS.has(s.lang) ? 'char' : 'space', s.text);
    }
  });
});

describe('detectLanguage edge cases', () => {
  it('no letters: und, space mode, reason no_letters', () => {
    for (const t of ['', '   ', '12345 678 !!!', '\u{1F600}\u{1F600}']) {
      assert.deepEqual(detectLanguage(t), { lang: 'und', confidence: 0, script: 'none', mode: 'space', reason: 'no_letters' });
    }
  });
  it('unsupported script (Cherokee): und, unknown mode', () => {
    const r = detectLanguage('\u13e3\u13b3\u13a9 \u13a6\u13ec\u13c2\u13af\u13cd\u13d7');
    assert.equal(r.lang, 'und');
    assert.equal(r.mode, 'unknown');
    assert.equal(r.reason, 'unsupported_script');
  });
  it('mixed Latin and Han: char mode once Han letters reach the threshold', () => {
    // 7 Han letters of 21 letters (0.33 >= 0.25)
    assert.equal(detectLanguage('We visited \u5317\u4eac\u5927\u5b66\u7684\u56fe\u4e66 today').mode, 'char');
    assert.equal(detectLanguage('We visited \u5317 yesterday and the day before').mode, 'space');
  });
  it('Japanese needs kana; Han alone is Chinese; Hangul is Korean and space-separated', () => {
    assert.equal(detectLanguage('\u6771\u4eac\u3078\u884c\u304d\u307e\u3059').lang, 'ja');
    assert.equal(detectLanguage('\u6211\u4eec\u53bb\u5317\u4eac').lang, 'zh');
    const ko = detectLanguage('\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4');
    assert.equal(ko.lang, 'ko');
    assert.equal(ko.mode, 'space');
  });
  it('only the first maxChars units are read', () => {
    const t = 'Der Hund ist nicht im Haus und die Katze ist auch nicht da. ' + 'the cat and the dog '.repeat(200);
    assert.equal(detectLanguage(t, { maxChars: 60 }).lang, 'de');
    assert.equal(detectLanguage(t).lang, 'en');
  });
  it('confidence is in [0, 1] and grows with evidence', () => {
    const short = detectLanguage('the cat');
    const long = detectLanguage('The cat sat on the mat and it was happy that the sun was out for the whole day.');
    assert.ok(short.confidence >= 0 && short.confidence <= 1);
    assert.ok(long.confidence > short.confidence);
    assert.ok(long.confidence >= 0.5);
  });
  it('isCharScript covers Han, Kana, Thai and their marks but not Latin or Hangul', () => {
    assert.ok(isCharScript(0x4e2d)); // 中
    assert.ok(isCharScript(0x3042)); // あ
    assert.ok(isCharScript(0x0e2a)); // ส
    assert.ok(isCharScript(0x0e31)); // Thai vowel mark
    assert.ok(!isCharScript(0x61));
    assert.ok(!isCharScript(0xd55c)); // 한
  });
});
