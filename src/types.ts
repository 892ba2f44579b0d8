/**
 * Shared types of synthfilter: the record model, the per-record features computed once by `text/`,
 * the scorer contract, and the public annotation schema.
 */

/** A JSON object as read from the input. Records are never modified except for the annotation key. */
export type JsonRecord = { [key: string]: unknown };

export type Decision = 'accept' | 'reject' | 'quarantine';
export type OriginLabel = 'human' | 'synthetic' | 'unknown';
export type OriginBy = 'declared' | 'detector' | 'none';

import type { ReasonCode } from './reasons.js';
/** Stable reason codes (every one is listed in reasons.ts). */
export type { ReasonCode };

/** Where an input record came from: used in quarantine records and error messages. */
export interface SourcePos {
  file: string; // path, or "-" for stdin
  line: number; // 1-based line (JSONL) or element index + 1 (JSON array)
  /** JSON array quarantine only: byte offset of the element or fault in the (decompressed) input */
  offset?: number;
}

/** One item the readers produce: either a parsed object or a bad line to quarantine. */
export type InputItem =
  | { kind: 'record'; record: JsonRecord; pos: SourcePos; bytes: number; /** the original JSONL line, when read from JSONL */ line?: string; /** its bytes: chunk[lineStart, lineEnd) (no per-line view is allocated) */ lineChunk?: Buffer; lineStart?: number; lineEnd?: number }
  | { kind: 'bad'; reason: ReasonCode; detail: string; raw: string; pos: SourcePos; bytes: number };

/** The public annotation written under `output.annotationKey` (default "synthfilter"). */
export interface Annotation {
  decision: Decision;
  reasons: ReasonCode[];
  dup: { kind: 'exact' | 'near' | null; of: string | null; similarity: number | null };
  diversity: { [metric: string]: number | string | null };
  origin: {
    p_ai: number | null;
    label: OriginLabel;
    by: OriginBy;
    /** why p_ai is null (too_short, not_english, code, disabled, ...) */
    reason?: string;
    /** top contributing detector features, when origin.explain is on */
    top?: Array<[string, number]>;
    /** route.capBasis "expected" only: the synthetic mass the record adds to its shard under the cap */
    synthetic_mass?: number;
  };
  tail: boolean;
  /** the rule that set `tail` (rare_vocab, small_cluster, rare_stratum), when tail is true */
  tail_rule?: string | null;
  /** soft rules that fired but were waived because the record is tail */
  waived?: ReasonCode[];
  shard: string | null;
  /** quarantine only: where the bad input was */
  source?: SourcePos;
  /** quarantine only: what was wrong with it */
  detail?: string;
}

/**
 * Features of one record's text, computed once by `text/features.ts` and shared by every scorer.
 * Expensive members are lazy and memoised: each is computed at most once per record.
 */
export interface Features {
  /** the text as found in the record */
  readonly text: string;
  /** normalised for dedup: NFC, lower-cased (configurable), whitespace collapsed, trimmed */
  readonly norm: string;
  /** whitespace-split tokens of `norm` */
  readonly words: readonly string[];
  /** 32-bit seeded hash of each entry of `words` (token ids for n-gram hashing) */
  readonly wordHashes: Uint32Array;
  /** 64-bit hash of `norm` as two 32-bit halves [hi, lo] (exact-duplicate key) */
  readonly exactHash: Uint32Array;
  /** exactHash as 16 hex chars (ledger key, stable id source) */
  readonly exactHex: string;
  /** de-duplicated 32-bit hashes of the dedup shingles (word or char n-grams per config); empty when the
   * text is shorter than one shingle */
  readonly shingles: Uint32Array;
  /** UTF-8 byte length of `text` */
  readonly byteLength: number;
  /** sorted distinct `wordHashes`, when computed ahead (the nightly job's scoring threads); consumers that need a
   * word set use it instead of sorting `wordHashes` again */
  readonly wordSet?: Uint32Array;
  /** MinHash lanes of `shingles`, when computed ahead (the nightly job's scoring threads). The lane keys are a seeded
   * stream, so any consumer needing at most this many lanes with the same dedup seed can use a prefix. */
  readonly signature?: Uint32Array;
}

/** Read-only view of run state a scorer may consult (index lookups never mutate). */
export interface ScoreContext {
  readonly recordIndex: number; // 0-based input order
}

/**
 * A scorer measures; it never decides, logs or does I/O. It returns numbers the router compares with thresholds
 * from config. `name` is the annotation key it fills.
 */
export interface Scorer<Out> {
  readonly name: string;
  score(record: JsonRecord, features: Features, ctx: ScoreContext): Out;
}

/** Output of the near-duplicate scorer (exact and near). */
export interface DupScore {
  kind: 'exact' | 'near' | null;
  /** id of the matched (kept) record */
  of: string | null;
  similarity: number | null;
  /** true when the text is shorter than one shingle: only exact hashing applied */
  short?: boolean;
}

/** Output of the diversity scorer: metric values (null when undefined for this text) plus language. */
export interface DiversityScore {
  metrics: { [metric: string]: number | null };
  lang: string; // ISO 639-1/3 code, or "und"
  langConfidence: number;
  /** "space" for space-separated scripts, "char" for scripts scored with char-based equivalents, "unknown" */
  mode: 'space' | 'char' | 'unknown';
  /** why word-based rules do not apply (e.g. an unsupported script), when mode is not 'space' */
  reason?: string;
}

/** Output of the origin scorer. */
export interface OriginScore {
  p_ai: number | null;
  by: OriginBy;
  /** declared label when provenance decided */
  declared: OriginLabel | null;
  reason?: string;
  top?: Array<[string, number]>;
}

/** What the core yields per input record, in input order. */
export interface Outcome {
  id: string;
  record: JsonRecord | null; // null for quarantined lines that were not JSON objects
  annotation: Annotation;
  /** the original input line: for records read from JSONL, and (possibly truncated) for bad lines */
  raw?: string;
  /** where the input came from */
  pos: SourcePos;
  /** bytes of input this record took; for a record given as an object (library API), its text's UTF-8 length */
  bytes: number;
}
