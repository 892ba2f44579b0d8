/**
 * The metric set of the diversity scorer: the `Metrics` record (one key per Gopher rule and lexical metric, null
 * when the metric does not apply), the options that choose which metrics are computed, and the constants the
 * metrics are defined with. The computation itself is measure.ts.
 */

export type Metrics = { [metric: string]: number | null };

export interface MeasureOptions {
  /** 'space': spaCy-like words; 'char': non-space-script characters are words; 'unknown': word metrics null */
  mode: 'space' | 'char' | 'unknown';
  /** compute the stop_words metric (English stop words); false gives null */
  stopWords: boolean;
  /** compute mattr / distinct_1 / distinct_2 */
  lexical: boolean;
  /** compute compression_ratio (deflate: the most expensive metric) */
  compression: boolean;
}

/** MATTR window (tokens). 50 is the usual choice (Covington & McFall 2010) and keeps short texts measurable. */
export const MATTR_WINDOW = 50;
/** Lexical metrics need at least this many word tokens; below it they are null (too short to mean anything). */
export const LEXICAL_MIN_TOKENS = 10;
/** zlib level for compression_ratio: on ~1 KB documents level 6 costs little more than level 1 (bench: 33 vs 42 MB/s;
 * the per-call overhead dominates), so the default level is kept */
export const COMPRESSION_LEVEL = 6;

/** The metric keys, in rule order. */
export const METRIC_KEYS = [
  'empty',
  'dup_para_frac',
  'dup_para_char_frac',
  'dup_line_frac',
  'dup_line_char_frac',
  'top_2_gram',
  'top_3_gram',
  'top_4_gram',
  'dup_ngram_5',
  'dup_ngram_6',
  'dup_ngram_7',
  'dup_ngram_8',
  'dup_ngram_9',
  'dup_ngram_10',
  'word_count',
  'mean_word_length',
  'hash_ratio',
  'ellipsis_ratio',
  'bullet_line_frac',
  'end_ellipsis_frac',
  'alpha_word_frac',
  'stop_words',
  'mattr',
  'distinct_1',
  'distinct_2',
  'compression_ratio',
] as const;

/** all metrics null, created with a fixed shape (one object literal) */
export function newMetrics(): Metrics {
  return {
    empty: null,
    dup_para_frac: null,
    dup_para_char_frac: null,
    dup_line_frac: null,
    dup_line_char_frac: null,
    top_2_gram: null,
    top_3_gram: null,
    top_4_gram: null,
    dup_ngram_5: null,
    dup_ngram_6: null,
    dup_ngram_7: null,
    dup_ngram_8: null,
    dup_ngram_9: null,
    dup_ngram_10: null,
    word_count: null,
    mean_word_length: null,
    hash_ratio: null,
    ellipsis_ratio: null,
    bullet_line_frac: null,
    end_ellipsis_frac: null,
    alpha_word_frac: null,
    stop_words: null,
    mattr: null,
    distinct_1: null,
    distinct_2: null,
    compression_ratio: null,
  };
}
