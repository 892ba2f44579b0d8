/**
 * The synthfilter settings of the experiment's curated conditions, stated in one place.
 *
 * The corpus is mostly short conversational and review text (Reddit comments, Yelp reviews, abstracts, cut to at
 * most 120 tokens), and short text is itself a tail of it. Under Gopher's defaults a short human text fails:
 * - word_count < 50, by definition;
 * - top_2/3/4_gram: the rules take the characters of the most frequent n-gram over all characters, counted even
 *   when that n-gram occurs once (as datatrove does), so in a text of under ~25 words a single 4-gram is over 16%
 *   of it: on short text these rules measure length, not repetition (dup_ngram_5..10 still measure repetition);
 * - stop_words < 2: Gopher's list is 8 words (the, be, to, of, and, that, have, with), often absent from a line;
 * - alpha_word_frac < 0.8: numbers, units and punctuation weigh heavily in a short text.
 * The curated condition relaxes exactly those; `synthfilter_defaults` keeps the defaults so that their effect is
 * reported as its own row. What each choice costs is measured by quality.ts on every run.
 */
export const FITTED_RULES = {
  word_count: { min: 5 },
  top_2_gram: { enabled: false },
  top_3_gram: { enabled: false },
  top_4_gram: { enabled: false },
  stop_words: { enabled: false },
  alpha_word_frac: { min: 0.6 },
} as const;

/** The rule variants the cost table compares: the defaults, each relaxation alone, and the fitted set. */
export const RULE_VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'word_count.min 50 -> 5': { word_count: FITTED_RULES.word_count },
  'top_2/3/4_gram off': { top_2_gram: FITTED_RULES.top_2_gram, top_3_gram: FITTED_RULES.top_3_gram, top_4_gram: FITTED_RULES.top_4_gram },
  'stop_words off': { stop_words: FITTED_RULES.stop_words },
  'alpha_word_frac.min 0.8 -> 0.6': { alpha_word_frac: FITTED_RULES.alpha_word_frac },
  fitted: FITTED_RULES,
};

/** The scorers every curated condition switches on (all of them; dedup is on by default). */
export const ALL_SCORERS = { dedup: { enabled: true }, diversity: { enabled: true }, origin: { enabled: true } } as const;

/** Provenance as the declared conditions state it: meta.source = "human" | "model-gen-<t>". */
export function declaredProvenance(maxGen: number): { field: string; synthetic: string[]; human: string[] } {
  return { field: 'meta.source', synthetic: Array.from({ length: maxGen + 1 }, (_, g) => `model-gen-${g}`), human: ['human'] };
}
