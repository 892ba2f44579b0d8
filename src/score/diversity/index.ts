/**
 * Low-diversity scorer: Gopher repetition and quality rules (Rae et al. 2021, Table A1) computed as datatrove's
 * GopherRepetitionFilter / GopherQualityFilter compute them, lexical-diversity metrics, and the language of the
 * text. It measures; the router decides (via `evaluateRules`).
 *
 * Empty or whitespace-only text: every metric is null except `empty` = 1, and the hard rule `empty` fails, so
 * the router rejects or quarantines it with that reason (datatrove divides by zero on "" and would drop
 * whitespace-only text through the word-count rule).
 *
 * Scoring modes (from the script of the text, src/text/lang.ts):
 *  - space: words come from the spaCy-like tokenizer (tokenize.ts), all rules apply. The English stop-word rule
 *    is only computed when the text is not confidently another language (`language.englishOnlyStopWords`).
 *  - char: Han, Kana, Thai, Lao, Khmer, Myanmar, Tibetan characters are words (character equivalents of the
 *    word rules); mean_word_length, stop_words and the lexical rules do not apply (null).
 *  - unknown: letters of a script this module does not know; only the paragraph/line/character rules apply,
 *    every word-based rule is skipped (never rejects a text for a tokenization it cannot do).
 */
import type { DiversityReason } from '../../reasons.js';
import type { DiversityScore } from '../../types.js';
import { detectLanguage } from '../../text/lang.js';
import { computeMetrics, METRIC_KEYS } from './measure.js';
import { defaults, type Config } from '../../config/index.js';

export { computeMetrics, METRIC_KEYS } from './measure.js';
export { tokenStrings } from './tokenize.js';

/** A rule that fired: its code (a reason code) and whether it is hard (never waived). */
export interface RuleFailure {
  code: DiversityReason;
  hard: boolean;
}

type RuleTable = Config['diversity']['rules'];

/**
 * One rule of `diversity.rules` (config/schema.ts): it fails when value < min or value > max (strict); hard rules
 * are never waived by the router for rare human "tail" records.
 */
export type DiversityRule = RuleTable[keyof RuleTable];

/**
 * `diversity.*` (config/schema.ts), its rules read as a table by code: `evaluateRules` walks them in RULE_ORDER.
 * language.maxChars: leading UTF-16 units examined by the detector; charScriptFrac: share of letters in non-space
 * scripts (Han, Kana, Thai, ...) from which char mode is used; minConfidence: detections below it are taken as
 * "could be English" for the stop-word rule; englishOnlyStopWords: stop_words only for text not confidently
 * detected as another language.
 */
export type DiversityConfig = Omit<Config['diversity'], 'rules'> & { rules: { [code: string]: DiversityRule } };

/** Score with the detector's extra explanation (assignable to DiversityScore). */
export interface DiversityScoreEx extends DiversityScore {
  /** why mode is not "space" (non_space_script, unsupported_script) or lang is "und" (no_letters, no_evidence) */
  reason?: string;
}

/*
 * Defaults. Thresholds of the Gopher rules are datatrove's. Hard/soft, with failure rates measured on the shared
 * corpora (scripts/measure-diversity.ts; 11,163 human / 8,817 AI texts, all rules enabled):
 *  - HARD: empty, dup_para_char_frac, dup_line_char_frac, dup_ngram_5..10. Text whose characters are mostly
 *    repeats is degenerate whoever wrote it (generation loops, boilerplate), so the "rare human" waiver must
 *    not keep it. With these, a hard rule fires on 0.25% of human texts (mostly link lists whose URL pieces
 *    repeat) and 3.3% of AI texts (GPT-2/GPT-3 loops).
 *  - SOFT: dup_para_frac and dup_line_frac count repeated paragraphs/lines whatever their length: human Reddit
 *    answers with spacer lines (`&#x200B;`, blank-ish lines) fail them (0.13% / 0.32% of human texts).
 *  - SOFT: top_2/3/4_gram need no repetition (a phrase seen once scores, a 2-word text scores 1.0): they fail
 *    4.3% / 9.4% / 15.9% of human texts, mostly short ones.
 *  - SOFT: quality rules. Short comments, lists, poems, tables fail them legitimately (word_count < 50 alone:
 *    37% of human texts here, many corpus texts are short Reddit comments).
 *  - SOFT and DISABLED: lexical rules. Thresholds sit near the human 0.1% quantile; the rules add almost nothing
 *    to the Gopher rules and the human texts they catch are ordinary (jokes built on repetition, tables):
 *      mattr < 0.55          human 0.08%  AI 0.59%  (AI not already failing a Gopher rule: 2 of 8,817)
 *      distinct_1 < 0.25     human 0.16%  AI 1.16%  (length-dependent: catches long human wikiHow texts)
 *      distinct_2 < 0.6      human 0.04%  AI 1.91%  (beyond Gopher: 0 human, 14 AI)
 *      compression_ratio > 3 human 0.06%  AI 2.30%  (beyond Gopher: 1 human, 26 AI)
 *    Quantiles (human / AI): mattr p1 0.671 / 0.596, p50 0.828 / 0.813; distinct_2 p1 0.792 / 0.517;
 *    compression_ratio p99 2.44 / 3.60, p50 1.67 / 1.71. Human and AI medians are the same: these metrics flag
 *    degenerate text, not AI text.
 */
export const DIVERSITY_DEFAULTS: DiversityConfig = defaults().diversity;

/** Canonical rule order (datatrove's order, then the lexical rules). */
export const RULE_ORDER: readonly string[] = METRIC_KEYS;

/** Rules that need words: skipped in 'unknown' mode. */
const WORD_RULES = new Set([
  'top_2_gram', 'top_3_gram', 'top_4_gram', 'dup_ngram_5', 'dup_ngram_6', 'dup_ngram_7', 'dup_ngram_8',
  'dup_ngram_9', 'dup_ngram_10', 'word_count', 'mean_word_length', 'hash_ratio', 'ellipsis_ratio',
  'alpha_word_frac', 'stop_words', 'mattr', 'distinct_1', 'distinct_2', 'compression_ratio',
]);
/** Rules without a character equivalent: skipped in 'char' mode. */
const SPACE_ONLY_RULES = new Set(['mean_word_length', 'stop_words', 'mattr', 'distinct_1', 'distinct_2', 'compression_ratio']);

/**
 * Measure one text. `opts.enabled` is for the caller (the router does not call a disabled scorer); the language
 * detector still runs for the writing system when `opts.language.enabled` is false, but lang is then "und".
 */
export function measureDiversity(text: string, opts: DiversityConfig = DIVERSITY_DEFAULTS): DiversityScoreEx {
  const lo = opts.language;
  const det = detectLanguage(text, { maxChars: lo.maxChars, charScriptFrac: lo.charScriptFrac });
  const lang = lo.enabled ? det.lang : 'und';
  const conf = lo.enabled ? det.confidence : 0;
  const otherLanguage = lang !== 'en' && lang !== 'und' && conf >= lo.minConfidence;
  const metrics = computeMetrics(text, {
    mode: det.mode,
    stopWords: !(lo.englishOnlyStopWords && otherLanguage),
    // mattr / distinct_n are cheap and informative: computed whenever one of their rules is configured;
    // deflate is not cheap (it adds ~25% to the family's time): computed only when its rule is enabled
    lexical: opts.rules.mattr !== undefined || opts.rules.distinct_1 !== undefined || opts.rules.distinct_2 !== undefined,
    compression: opts.rules.compression_ratio?.enabled === true,
  });
  const out: DiversityScoreEx = { metrics, lang, langConfidence: conf, mode: det.mode };
  if (det.reason !== undefined) out.reason = det.reason;
  return out;
}

/**
 * Failing rules in rule order: value > max or value < min (strict); null or missing values never fail; disabled
 * rules are skipped; in 'unknown' mode no word-based rule fires, in 'char' mode rules without a character
 * equivalent do not fire.
 */
export function evaluateRules(score: DiversityScore, rules: DiversityConfig['rules']): RuleFailure[] {
  const failed: RuleFailure[] = [];
  const codes = [...RULE_ORDER, ...Object.keys(rules).filter((k) => !RULE_ORDER.includes(k))];
  for (const code of codes) {
    const r = rules[code];
    if (r === undefined || !r.enabled) continue;
    if (score.mode === 'unknown' && WORD_RULES.has(code)) continue;
    if (score.mode === 'char' && SPACE_ONLY_RULES.has(code)) continue;
    const v = score.metrics[code];
    if (v === null || v === undefined || Number.isNaN(v)) continue;
    if ((r.max !== undefined && v > r.max) || (r.min !== undefined && v < r.min)) failed.push({ code: code as DiversityReason, hard: r.hard }); // config validation admits known rules only
  }
  return failed;
}
