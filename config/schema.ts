/**
 * The one model of synthfilter's configuration, in zod. `npm run config:defaults` derives everything else from it
 * (a test checks they are current): `config/default.json` (the defaults), `config/schema.json` (the JSON Schema
 * that editors use via `$schema`, that `synthfilter config --schema` prints and that src/config/validate.ts checks
 * configurations against at run time) and `src/config/config.generated.ts` (the `Config` type). zod itself is a
 * development dependency: the published stage does not load it (its import alone costs ~0.15 s of start-up).
 * Each default names where its number comes from when it is not self-evident.
 */
import { z } from 'zod';

const int = (lo: number, hi: number) => z.number().int().min(lo).max(hi);
const num = (lo: number, hi: number) => z.number().min(lo).max(hi);
const nonEmpty = z.string().min(1);

const input = z
  .strictObject({
    textField: nonEmpty.default('text').describe('dotted path of the text field'),
    idField: z.string().default('id').describe('dotted path of the id field; missing ids get a stable hash of the text'),
    format: z.enum(['auto', 'jsonl', 'json']).default('auto'),
    maxTextBytes: int(1, 2 ** 31).default(1048576).describe('longer texts are quarantined (text_too_long)'),
    maxLineBytes: int(16, 2 ** 31).default(8388608).describe('longer lines are quarantined (line_too_long) without being buffered'),
    // at most 1000: records are serialised recursively (JSON.stringify) downstream, which overflows near 4000 levels
    maxDepth: int(1, 1000).default(256).describe('records nested deeper are quarantined (too_deep)'),
    rawMaxBytes: int(0, 2 ** 31).default(4096).describe('raw text kept in quarantine records'),
  })
  .prefault({});

const dedup = z
  .strictObject({
    enabled: z.boolean().default(true),
    exact: z.boolean().default(true),
    near: z.boolean().default(true),
    threshold: num(0.01, 1).default(0.8).describe('Jaccard similarity of shingle sets at which two texts are near-duplicates'),
    numPerm: int(8, 1024).default(48).describe('MinHash lanes; 48 gives 12 bands x 4 rows at threshold 0.8 (docs/dedup.md)'),
    bands: int(0, 1024).default(0).describe('0 = derived from the threshold'),
    rows: int(0, 1024).default(0).describe('0 = derived from the threshold'),
    fnWeight: num(0, 1).default(0.998).describe('weight of misses against false candidates when deriving bands x rows'),
    verify: z.enum(['estimate', 'exact']).default('exact').describe('exact: bottom-k shingle sketch (F1 0.999 vs 0.966 for the estimate, test/bench/dedup.ts)'),
    sketchSize: int(1, 65535).default(256),
    maxCandidates: int(1, 1e9).default(2048),
    seed: z.number().int().default(1),
    keep: z.enum(['first', 'longest', 'human-first']).default('human-first').describe('clean: which member of a near-duplicate cluster is kept'),
    // optional, no default: a config that leaves them out keeps its fingerprint and run ids (src/config/index.ts)
    engine: z.enum(['index', 'batch']).optional().describe('clean: "index" (absent: the default) checks records against the state\'s in-memory index; "batch" runs the LSH band shuffle as tasks (map, reduce per band group, cluster) with history in <state>/bands (docs/scale.md)'),
    memory: z
      .union([int(1 << 20, 2 ** 50), z.string().regex(/^\d+(\.\d+)?\s*([KMGT]i?B?|B)?$/i)])
      .optional()
      .meta({ 'x-message': 'must be a number of bytes (at least 1 MiB) or a size such as "512M" or "1G"' })
      .describe('clean, dedup.engine "batch": memory budget per task for the external sorts and the cluster task, bytes or "512M"/"1G" (absent: 256M; --memory SIZE sets it)'),
    shingle: z
      .strictObject({
        unit: z.enum(['word', 'char']).default('word'),
        size: int(1, 64).default(5),
      })
      .prefault({}),
    normalize: z
      .strictObject({
        lowercase: z.boolean().default(true),
        collapseWhitespace: z.boolean().default(true),
        stripPunctuation: z.boolean().default(false),
        unicode: z.enum(['NFC', 'NFKC', 'none']).default('NFC'),
      })
      .prefault({}),
  })
  .prefault({});

/** One diversity rule: reject when the metric is below `min` or above `max`; hard rules are never waived. */
const rule = (d: { enabled?: boolean; min?: number; max?: number; hard?: boolean }) =>
  z
    .strictObject({
      enabled: z.boolean().default(d.enabled ?? true),
      ...(d.min !== undefined ? { min: z.number().default(d.min) } : { min: z.number().optional() }),
      ...(d.max !== undefined ? { max: z.number().default(d.max) } : { max: z.number().optional() }),
      hard: z.boolean().default(d.hard ?? false),
    })
    .prefault({});

// Gopher repetition and quality rules with datatrove's defaults (../shared/reference/gopher-as-datatrove-computes-it.md);
// the lexical rules' thresholds sit near the 0.1% quantile of the corpora's human texts (scripts/measure-diversity.ts)
const rules = z
  .strictObject({
    empty: rule({ max: 0, hard: true }),
    dup_para_frac: rule({ max: 0.3 }),
    dup_para_char_frac: rule({ max: 0.2, hard: true }),
    dup_line_frac: rule({ max: 0.3 }),
    dup_line_char_frac: rule({ max: 0.2, hard: true }),
    top_2_gram: rule({ max: 0.2 }),
    top_3_gram: rule({ max: 0.18 }),
    top_4_gram: rule({ max: 0.16 }),
    dup_ngram_5: rule({ max: 0.15, hard: true }),
    dup_ngram_6: rule({ max: 0.14, hard: true }),
    dup_ngram_7: rule({ max: 0.13, hard: true }),
    dup_ngram_8: rule({ max: 0.12, hard: true }),
    dup_ngram_9: rule({ max: 0.11, hard: true }),
    dup_ngram_10: rule({ max: 0.1, hard: true }),
    word_count: rule({ min: 50, max: 100000 }),
    mean_word_length: rule({ min: 3, max: 10 }),
    hash_ratio: rule({ max: 0.1 }),
    ellipsis_ratio: rule({ max: 0.1 }),
    bullet_line_frac: rule({ max: 0.9 }),
    end_ellipsis_frac: rule({ max: 0.3 }),
    alpha_word_frac: rule({ min: 0.8 }),
    stop_words: rule({ min: 2 }),
    mattr: rule({ enabled: false, min: 0.55 }),
    distinct_1: rule({ enabled: false, min: 0.25 }),
    distinct_2: rule({ enabled: false, min: 0.6 }),
    compression_ratio: rule({ enabled: false, max: 3 }),
  })
  .prefault({});

const diversity = z
  .strictObject({
    enabled: z.boolean().default(true),
    language: z
      .strictObject({
        enabled: z.boolean().default(true),
        maxChars: int(1, 1e9).default(1000),
        charScriptFrac: num(0, 1).default(0.25),
        minConfidence: num(0, 1).default(0.5),
        englishOnlyStopWords: z.boolean().default(true),
      })
      .prefault({}),
    rules,
  })
  .prefault({});

const declaredValue = z.union([z.string(), z.boolean(), z.number()]);

const origin = z
  .strictObject({
    enabled: z.boolean().default(true),
    declared: z
      .strictObject({
        field: z.string().nullable().default('').describe('dotted path of the declared provenance ("" or null = off)'),
        synthetic: z.array(declaredValue).default([]),
        human: z.array(declaredValue).default([]),
      })
      .prefault({}),
    trustDeclared: z.boolean().default(true),
    threshold: num(0, 1).default(0.928).describe('p_ai at or above which a record is labelled synthetic (models/ORIGIN_MODEL_CARD.md)'),
    operatingPoint: z
      .union([z.string().regex(/^\s*(fpr:\d*\.?\d+|0(\.\d+)?|1(\.0+)?)\s*$/), num(0, 1)])
      .nullable()
      .default(null)
      .describe('overrides threshold: a target human false-positive rate from the model file ("fpr:0.01", "fpr:0.05") or a threshold in [0, 1] (docs/synthetic-share.md)')
      .meta({ 'x-message': 'must be null, a threshold in [0, 1], or a target human false-positive rate like "fpr:0.01"' }),
    humanThreshold: num(0, 1).default(0.5),
    minWords: int(0, 1e6).default(50).describe('shorter texts are not scored (p_ai null, too_short)'),
    explain: z.boolean().default(false),
    model: z.string().default('').describe('detector model file ("" = the bundled models/origin-v1.json)'),
  })
  .prefault({});

const route = z
  .strictObject({
    seed: z.number().int().default(1),
    maxSyntheticShare: num(0, 1).default(0.2).describe('synthetic records per output shard, at every prefix'),
    syntheticBuffer: int(0, 10_000_000).default(10000),
    maxWait: int(1, 1e12).default(100000),
    unknownCountsAs: z.enum(['human', 'synthetic']).default('human'),
    capBasis: z
      .enum(['labels', 'expected'])
      .default('labels')
      .describe('labels: the cap counts synthetic-labelled records; expected: undeclared records add their probability of being machine-written (docs/synthetic-share-output.md)'),
    maxSyntheticReuse: int(0, 65535).default(1),
    balanceBy: z.string().nullable().default(null),
    maxStratumShare: num(0.0001, 1).default(1),
    maxClusterSize: int(0, 65535).default(0),
    minDocs: int(0, 1e12).default(500),
    tail: z
      .strictObject({
        enabled: z.boolean().default(true),
        rareVocab: z
          .strictObject({
            enabled: z.boolean().default(true),
            maxDocFreq: num(0, 1).default(0.002),
            minShare: num(0, 1).default(0.35).describe('0.35 flags 14% of the corpora human texts as tail (docs/routing.md)'),
            minWords: int(1, 1e6).default(20),
          })
          .prefault({}),
        rareStratum: z
          .strictObject({
            enabled: z.boolean().default(true),
            field: z.string().nullable().default(null),
            maxShare: num(0, 1).default(0.02),
          })
          .prefault({}),
      })
      .prefault({}),
  })
  .prefault({});

const output = z
  .strictObject({
    annotationKey: nonEmpty.default('synthfilter'),
    annotate: z.boolean().default(false),
    shardMaxRecords: int(1, 1e12).default(100000),
    shardMaxBytes: int(1024, 2 ** 53).default(268435456),
    compress: z.enum(['gzip', 'none']).default('gzip'),
  })
  .prefault({});

const state = z
  .strictObject({
    backend: z.enum(['memory', 'file', 'redis']).default('memory'),
    url: z
      .string()
      .regex(/^rediss?:\/\/[^\s]+$/)
      .nullable()
      .default(null)
      .meta({ 'x-message': 'must be null or a redis:// or rediss:// URL' }),
    prefix: z
      .string()
      .regex(/^[^{}\s]+$/)
      .default('synthfilter')
      .meta({ 'x-message': 'must be non-empty, without braces or whitespace' }),
    retryMs: int(0, 86_400_000).default(30000),
    bucketBits: int(8, 24).default(16),
    lanes: int(8, 1024).default(64),
    batch: int(1, 10_000).default(256),
    inFlight: int(1, 256).default(8),
  })
  .prefault({});

export const ConfigSchema = z.strictObject({
  /** editors' JSON Schema reference; ignored by synthfilter */
  $schema: z.string().optional(),
  input,
  dedup,
  diversity,
  origin,
  route,
  output,
  state,
});

