/**
 * The synthfilter settings of the experiment's curated conditions, stated in one place.
 *
 * The corpus is mostly short conversational and review text (Reddit comments, Yelp reviews, abstracts, cut to at
 * most 120 tokens). Under Gopher's defaults a short human text is rejected for being short (word_count < 50), for
 * having few stop words (stop_words < 2), or for its share of non-alphabetic tokens (alpha_word_frac < 0.8:
 * numbers, units, formulas, emoticons weigh heavily in a short text). Short text is itself a tail of this corpus,
 * so the curated condition relaxes exactly those three rules; `synthfilter_defaults` keeps the defaults so that
 * their effect is reported as its own row. What each choice costs is measured by quality.ts on every run.
 */
export const FITTED_RULES = {
  word_count: { min: 5 },
  stop_words: { min: 1 },
  alpha_word_frac: { min: 0.6 },
} as const;

/** The rule variants the cost table compares: the defaults, each relaxation alone, and the fitted set. */
export const RULE_VARIANTS: Record<string, Record<string, unknown>> = {
  defaults: {},
  'word_count.min 50 -> 5': { word_count: FITTED_RULES.word_count },
  'stop_words.min 2 -> 1': { stop_words: FITTED_RULES.stop_words },
  'alpha_word_frac.min 0.8 -> 0.6': { alpha_word_frac: FITTED_RULES.alpha_word_frac },
  fitted: FITTED_RULES,
};

/** The scorers every curated condition switches on (all of them; dedup is on by default). */
export const ALL_SCORERS = { dedup: { enabled: true }, diversity: { enabled: true }, origin: { enabled: true } } as const;

/** Provenance as the declared conditions state it: meta.source = "human" | "model-gen-<t>". */
export function declaredProvenance(maxGen: number): { field: string; synthetic: string[]; human: string[] } {
  return { field: 'meta.source', synthetic: Array.from({ length: maxGen + 1 }, (_, g) => `model-gen-${g}`), human: ['human'] };
}
