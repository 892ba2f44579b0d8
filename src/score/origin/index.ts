/**
 * Likely-AI-origin scorer. Declared provenance (a record field naming the origin) wins when trusted; otherwise the
 * bundled CPU detector gives a calibrated `p_ai`, or null with a reason when it cannot judge the text.
 */
import type { Features, JsonRecord, OriginLabel, OriginScore, ScoreContext, Scorer } from '../../types.js';
import { loadModel, type OriginModel, type Prediction, type PredictOptions } from './model.js';
import { getPath } from '../../config/index.js';
import { defaults, type Config } from '../../config/index.js';
import { configError } from '../../errors.js';
import { quantificationParams, thresholdFor } from './prevalence.js';

export { loadModel, defaultModelPath, type OriginModel, type Prediction, type PredictOptions } from './model.js';

/**
 * `origin.*` (config/schema.ts). declared: the dotted path of the provenance field and the JSON values meaning each
 * label ('' or null field = off); trustDeclared: a declared label wins over the detector; threshold: p_ai at or
 * above it => synthetic; operatingPoint overrides threshold (a raw threshold, or a target human false-positive rate
 * from the model's LOSO table such as "fpr:0.01", docs/synthetic-share.md); humanThreshold: p_ai below it => human,
 * in between => unknown; minWords: shorter texts (after cleaning) get p_ai null, reason too_short; explain: attach
 * the top contributing detector features; model: '' = the bundled models/origin-v1.json.
 */
export type OriginConfig = Config['origin'];

/** A value of `origin.declared.synthetic` / `.human`. */
export type DeclaredValue = OriginConfig['declared']['synthetic'][number];

/**
 * Defaults (from the config schema, src/config/schema.ts). threshold / humanThreshold / minWords are the values chosen at training time on the leave-one-source-out
 * folds (see models/ORIGIN_MODEL_CARD.md); a unit test keeps them equal to the bundled model's.
 */
export const ORIGIN_DEFAULTS: OriginConfig = defaults().origin;

/** Score one text with the bundled model (or `opts.model`): `{ p_ai, reason?, top?, logit?, words? }`. */
export function predict(text: string, opts: PredictOptions & { model?: string } = {}): Prediction {
  return loadModel(opts.model).predict(text, opts);
}

/** Value at a dotted path: the one implementation, shared with the text and id fields. */
export { getPath };

/** The declared label of a record, or null when the field is off, missing, or holds an unlisted value. */
export function declaredLabel(record: JsonRecord, declared: OriginConfig['declared'] | undefined): OriginLabel | null {
  if (!declared || !declared.field) return null;
  const v = getPath(record, declared.field);
  if (v === undefined) return null;
  // compare as JSON values: strings, numbers, booleans and null match only their own type
  if ((declared.synthetic ?? []).some((x) => x === v)) return 'synthetic';
  if ((declared.human ?? []).some((x) => x === v)) return 'human';
  return null;
}

/**
 * The decision threshold of a config: `operatingPoint` when set (resolved against the model's table, so the model is
 * loaded), else `threshold`. An operating point the model has no threshold for is a configuration error.
 */
export function effectiveThreshold(cfg: Pick<OriginConfig, 'threshold' | 'operatingPoint' | 'model'>): number {
  const op = cfg.operatingPoint;
  if (op === null || op === undefined) return cfg.threshold;
  const params = quantificationParams(loadModel(cfg.model));
  const t = thresholdFor(params, op);
  if (t === null) {
    const known = Object.keys(params?.operatingPoints ?? {});
    throw configError(
      `origin.operatingPoint: ${JSON.stringify(op)} is not a threshold in [0, 1] nor in the model's table (known: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return t;
}

/** synthetic if declared so (and trusted) or p_ai >= threshold; human if declared so or p_ai < humanThreshold. */
export function labelFor(score: OriginScore, cfg: Pick<OriginConfig, 'threshold' | 'humanThreshold'>): OriginLabel {
  if (score.by === 'declared' && score.declared) return score.declared;
  if (score.p_ai === null || score.p_ai === undefined) return 'unknown';
  if (score.p_ai >= cfg.threshold) return 'synthetic';
  if (score.p_ai < cfg.humanThreshold) return 'human';
  return 'unknown';
}

export function createOriginScorer(cfgIn: Partial<OriginConfig> = ORIGIN_DEFAULTS): Scorer<OriginScore> {
  const cfg: OriginConfig = {
    ...ORIGIN_DEFAULTS,
    ...cfgIn,
    declared: { ...ORIGIN_DEFAULTS.declared, ...(cfgIn.declared ?? {}) },
  };
  // load once, up front: a missing or incompatible model fails at start, not on the first record
  const model: OriginModel | null = cfg.enabled ? loadModel(cfg.model) : null;
  const popts: PredictOptions = { explain: cfg.explain, minWords: cfg.minWords };
  return {
    name: 'origin',
    score(record: JsonRecord, features: Features, _ctx: ScoreContext): OriginScore {
      const declared = declaredLabel(record, cfg.declared);
      if (declared && cfg.trustDeclared) return { p_ai: null, by: 'declared', declared, reason: 'declared' };
      if (!model) return { p_ai: null, by: 'none', declared, reason: 'disabled' };
      const text = typeof features.text === 'string' ? features.text : '';
      const pr = model.predict(text, popts);
      if (pr.p_ai === null) {
        const reason = pr.reason === 'empty' ? 'too_short' : (pr.reason ?? 'unknown');
        return { p_ai: null, by: 'none', declared, reason };
      }
      const out: OriginScore = { p_ai: round6(pr.p_ai), by: 'detector', declared };
      if (cfg.explain && pr.top) out.top = pr.top;
      return out;
    },
  };
}

function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}
