/**
 * The diversity metrics of one text: Gopher repetition and quality metrics computed as datatrove computes them
 * (see /work/shared/reference/gopher-as-datatrove-computes-it.md and the comments in the files below), plus
 * lexical diversity metrics. This file runs the steps in order over shared scratch space:
 *  - text-metrics.ts: paragraph/line repetition and line-based quality (no tokens needed);
 *  - tokenize.ts, then token-pass.ts: the tokens and their per-token hashes, lengths and flags;
 *  - ngrams.ts: top 2/3/4-gram and duplicated 5..10-gram characters;
 *  - lexical.ts: mattr, distinct_1, distinct_2; deflate here for compression_ratio.
 * The metric keys, options and constants are in metrics.ts (re-exported here).
 *
 * Lengths are Unicode code points (Python `len`), never UTF-16 units. N-grams are never built as strings: each
 * token gets 2x32-bit hashes, and n-gram keys are combined integer hashes stored in a reusable open-addressing
 * table (hashtable.ts), so the cost per document is a few linear passes and no per-n-gram allocation.
 */
import { deflateRawSync } from 'node:zlib';
import { HashTable64 } from './hashtable.js';
import { lexical } from './lexical.js';
import { COMPRESSION_LEVEL, LEXICAL_MIN_TOKENS, newMetrics, type MeasureOptions, type Metrics } from './metrics.js';
import { dupNgramChars, topNgram } from './ngrams.js';
import { codePointLength, isBlank, lineQuality, lineRepetition, paragraphRepetition } from './text-metrics.js';
import { TokenArrays, tokenPass } from './token-pass.js';
import { TokenBuffer, tokenize } from './tokenize.js';

export { COMPRESSION_LEVEL, LEXICAL_MIN_TOKENS, MATTR_WINDOW, METRIC_KEYS, type MeasureOptions, type Metrics } from './metrics.js';
export { isBlank } from './text-metrics.js';

// Scratch state, reused across calls (computeMetrics is synchronous and not re-entrant).
const tok = new TokenBuffer();
const table = new HashTable64();
const arr = new TokenArrays();

/**
 * Compute every metric of `text`. Blank text (empty or only whitespace) gives `empty: 1` and null elsewhere:
 * datatrove divides by zero on "" and has no meaningful value for whitespace-only text.
 */
export function computeMetrics(text: string, opts: MeasureOptions): Metrics {
  const m = newMetrics();
  if (isBlank(text)) {
    m.empty = 1;
    return m;
  }
  m.empty = 0;
  const textLen = codePointLength(text);

  // ---- repetition: paragraphs and lines; quality, line based, and character counts
  paragraphRepetition(m, text, textLen, table);
  lineRepetition(m, text, textLen, table);
  lineQuality(m, text);

  if (opts.mode === 'unknown') {
    // word-based metrics are undefined for an unknown writing system
    m.hash_ratio = null;
    m.ellipsis_ratio = null;
    return m;
  }

  // ---- tokens
  tokenize(text, tok, opts.mode === 'char');
  const T = tok.count;
  arr.ensure(T);
  const st = tokenPass(tok, arr, text, T, opts.stopWords, opts.lexical);
  const nonSymbol = st.nonSymbol;

  // ---- repetition: most frequent 2/3/4-gram (words joined by " "; ties go to the first n-gram in text order;
  // fewer than n words: datatrove skips the rule, the value is null) and characters in duplicated 5..10-grams
  // (char mode joins with "": its character tokens are not separated by spaces in the text)
  const sep = opts.mode === 'char' ? 0 : 1;
  m.top_2_gram = T >= 2 ? topNgram(arr, table, T, 2, sep) / textLen : null;
  m.top_3_gram = T >= 3 ? topNgram(arr, table, T, 3, sep) / textLen : null;
  m.top_4_gram = T >= 4 ? topNgram(arr, table, T, 4, sep) / textLen : null;
  m.dup_ngram_5 = dupNgramChars(arr, table, T, 5) / textLen;
  m.dup_ngram_6 = dupNgramChars(arr, table, T, 6) / textLen;
  m.dup_ngram_7 = dupNgramChars(arr, table, T, 7) / textLen;
  m.dup_ngram_8 = dupNgramChars(arr, table, T, 8) / textLen;
  m.dup_ngram_9 = dupNgramChars(arr, table, T, 9) / textLen;
  m.dup_ngram_10 = dupNgramChars(arr, table, T, 10) / textLen;

  // ---- quality, word based
  m.word_count = nonSymbol;
  m.mean_word_length = opts.mode === 'char' || nonSymbol === 0 ? null : st.nonSymbolChars / nonSymbol;
  m.hash_ratio = T > 0 ? (m.hash_ratio as number) / T : null;
  m.ellipsis_ratio = T > 0 ? (m.ellipsis_ratio as number) / T : null;
  m.alpha_word_frac = T > 0 ? st.alphaTokens / T : null;
  if (opts.stopWords && opts.mode === 'space') {
    let distinct = 0;
    for (let x = st.stopMask; x !== 0; x &= x - 1) distinct++;
    m.stop_words = distinct;
  }

  // ---- lexical diversity over lower-cased non-symbol tokens
  if (opts.lexical && opts.mode === 'space') lexical(m, arr, table, T, nonSymbol);
  if (opts.compression && opts.mode === 'space' && nonSymbol >= LEXICAL_MIN_TOKENS) {
    const raw = Buffer.from(text, 'utf8');
    m.compression_ratio = raw.length / deflateRawSync(raw, { level: COMPRESSION_LEVEL }).length;
  }
  return m;
}
