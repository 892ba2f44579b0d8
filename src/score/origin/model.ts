/**
 * The origin detector model: file format, loading (once per path), and prediction.
 * Pure TypeScript at run time: a linear model over hashed n-gram and stylometric window features, window logits
 * averaged over the text, then Platt-calibrated.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { LITTLE_ENDIAN } from '../dedup/bytes.js';
import {
  FEATURE_VERSION,
  assemble,
  buildRankTable,
  extractWindow,
  scoreWindow,
  type ExtractOptions,
  featureCount,
  featureName,
  N_BINS,
  N_DENSE,
  prepare,
  windowStarts,
  type BigramLM,
  type DenseStats,
  type RankTable,
} from './features.js';
import { TEXT_VERSION, cleanText, looksEnglish, looksLikeCode, tokenize } from './text.js';

export const MODEL_FORMAT = 'synthfilter-origin';

/** On-disk model (JSON). Weights are little-endian Float32 in base64. */
export interface OriginModelFile {
  format: typeof MODEL_FORMAT;
  version: string;
  textVersion: number;
  featureVersion: number;
  window: number;
  dim: number;
  denseScale: number;
  /** scales of the hashed families [unigram, bigram, skeleton trigram, char n-gram, skeleton 4-gram]; missing = 0 */
  families: number[];
  /** char n-gram family settings (only read when families[3] > 0; defaults [3, 5] and false) */
  charN?: [number, number];
  charCross?: boolean;
  ranks: string[];
  /** bigram LM of human reference text: base64 of Uint32 keys / Uint32 counts / Uint16 bigram counts */
  lm?: { uniKeys: string; uniVals: string; bi: string; total: number };
  dense: DenseStats;
  bias: number;
  weights: string;
  platt: { a: number; b: number };
  /** texts with fewer words (after cleaning) are not judged */
  minWords: number;
  /** default decision thresholds on calibrated p_ai chosen on validation folds */
  threshold: number;
  humanThreshold: number;
  training?: Record<string, unknown>;
}

export interface Prediction {
  p_ai: number | null;
  reason?: 'too_short' | 'not_english' | 'code' | 'empty';
  /** mean window logit before calibration */
  logit?: number;
  words?: number;
  top?: Array<[string, number]>;
}

export interface PredictOptions {
  explain?: boolean;
  topK?: number;
  /** override the model's minimum word count */
  minWords?: number;
}

export interface OriginModel {
  readonly file: OriginModelFile;
  readonly weights: Float32Array;
  readonly ranks: RankTable;
  readonly path: string;
  predict(text: string, opts?: PredictOptions): Prediction;
}

/** models/origin-v1.json at the package root: ../../../models from src/score/origin/ and dist/score/origin/. */
export function defaultModelPath(): string {
  return fileURLToPath(new URL('../../../models/origin-v1.json', import.meta.url));
}

function decodeWeights(b64: string, n: number): Float32Array {
  const buf = Buffer.from(b64, 'base64');
  if (buf.byteLength !== n * 4) throw new Error(`origin model: weights hold ${buf.byteLength / 4} values, expected ${n}`);
  return leView(buf, Float32Array) as Float32Array;
}

/** Little-endian bytes as a typed array: one aligned copy of the bytes on a little-endian host (an element-wise
 * read loop was ~40 ms of every model load), element by element otherwise. */
function leView(buf: Buffer, C: typeof Float32Array | typeof Uint32Array | typeof Uint16Array): Float32Array | Uint32Array | Uint16Array {
  const n = buf.byteLength / C.BYTES_PER_ELEMENT;
  if (LITTLE_ENDIAN) return new C((buf.buffer as ArrayBuffer).slice(buf.byteOffset, buf.byteOffset + n * C.BYTES_PER_ELEMENT));
  const out = new C(n);
  for (let i = 0; i < n; i++) out[i] = C === Float32Array ? buf.readFloatLE(i * 4) : C === Uint32Array ? buf.readUInt32LE(i * 4) : buf.readUInt16LE(i * 2);
  return out;
}

export function encodeWeights(w: ArrayLike<number>): string {
  const buf = Buffer.alloc(w.length * 4);
  for (let i = 0; i < w.length; i++) buf.writeFloatLE(w[i]!, i * 4);
  return buf.toString('base64');
}

export function rankTable(words: readonly string[], lm?: BigramLM): RankTable {
  const t = buildRankTable(words);
  if (lm) t.lm = lm;
  return t;
}

function b64ToTyped<T extends Uint32Array | Uint16Array>(b64: string, C: { new (n: number): T; BYTES_PER_ELEMENT: number }): T {
  return leView(Buffer.from(b64, 'base64'), C as unknown as typeof Uint32Array) as T;
}

function typedToB64(a: Uint32Array | Uint16Array): string {
  const buf = Buffer.alloc(a.length * a.BYTES_PER_ELEMENT);
  for (let i = 0; i < a.length; i++) {
    if (a.BYTES_PER_ELEMENT === 4) buf.writeUInt32LE(a[i]!, i * 4);
    else buf.writeUInt16LE(a[i]!, i * 2);
  }
  return buf.toString('base64');
}

export function decodeLM(f: NonNullable<OriginModelFile['lm']>): BigramLM {
  return {
    uniKeys: b64ToTyped(f.uniKeys, Uint32Array),
    uniVals: b64ToTyped(f.uniVals, Uint32Array),
    bi: b64ToTyped(f.bi, Uint16Array),
    total: f.total,
  };
}

export function encodeLM(lm: BigramLM): NonNullable<OriginModelFile['lm']> {
  return { uniKeys: typedToB64(lm.uniKeys), uniVals: typedToB64(lm.uniVals), bi: typedToB64(lm.bi), total: lm.total };
}

/** Build a model object from its parsed file. */
export function modelFromFile(file: OriginModelFile, path = '<memory>'): OriginModel {
  if (file.format !== MODEL_FORMAT) throw new Error(`origin model ${path}: not a ${MODEL_FORMAT} file`);
  if (file.textVersion !== TEXT_VERSION || file.featureVersion !== FEATURE_VERSION) {
    throw new Error(
      `origin model ${path}: trained for text v${file.textVersion} / features v${file.featureVersion}, ` +
        `this code has text v${TEXT_VERSION} / features v${FEATURE_VERSION}; retrain with npm run train:origin`,
    );
  }
  const weights = decodeWeights(file.weights, featureCount(file.dim));
  const ranks = rankTable(file.ranks, file.lm ? decodeLM(file.lm) : undefined);
  return {
    file,
    weights,
    ranks,
    path,
    predict: (text, opts) => predictWith(file, weights, ranks, text, opts),
  };
}

const cache = new Map<string, OriginModel>();

/** Load (once per resolved path) the model file; no argument or '' = the bundled model. */
export function loadModel(path?: string): OriginModel {
  const p = path && path !== '' ? path : defaultModelPath();
  const hit = cache.get(p);
  if (hit) return hit;
  let raw: string;
  try {
    raw = readFileSync(p, 'utf8');
  } catch (e) {
    throw new Error(`origin model: cannot read ${p}: ${(e as Error).message}`);
  }
  const m = modelFromFile(JSON.parse(raw) as OriginModelFile, p);
  cache.set(p, m);
  return m;
}

export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

function predictWith(
  file: OriginModelFile,
  weights: Float32Array,
  ranks: RankTable,
  text: string,
  opts: PredictOptions = {},
): Prediction {
  if (typeof text !== 'string' || text.trim() === '') return { p_ai: null, reason: 'empty' };
  if (looksLikeCode(text)) return { p_ai: null, reason: 'code' };
  const clean = cleanText(text);
  const toks = tokenize(clean);
  const minWords = opts.minWords ?? file.minWords;
  if (toks.nWords < minWords) return { p_ai: null, reason: 'too_short', words: toks.nWords };
  if (!looksEnglish(clean, toks)) return { p_ai: null, reason: 'not_english', words: toks.nWords };
  const names = opts.explain ? new Map<number, string>() : undefined;
  const p = prepare(toks, !!names);
  const starts = windowStarts(toks.nWords, file.window);
  const contrib = names ? new Map<number, number>() : undefined;
  let sum = 0;
  const xo: ExtractOptions = { dim: file.dim, ranks, names, fam: file.families, charN: file.charN, charCross: file.charCross };
  for (const s of starts) {
    const w1 = Math.min(toks.nWords, s + file.window);
    if (!contrib) {
      sum += scoreWindow(p, s, w1, xo, weights, file.bias, file.dense, file.denseScale);
      continue;
    }
    const v = assemble(extractWindow(p, s, w1, xo), file.dim, file.dense, file.denseScale);
    let z = file.bias;
    for (let k = 0; k < v.idx.length; k++) {
      const c = weights[v.idx[k]!]! * v.val[k]!;
      z += c;
      contrib.set(v.idx[k]!, (contrib.get(v.idx[k]!) ?? 0) + c);
    }
    sum += z;
  }
  const logit = sum / starts.length;
  const p_ai = sigmoid(file.platt.a * logit + file.platt.b);
  const out: Prediction = { p_ai, logit, words: toks.nWords };
  if (contrib) out.top = explainTop(file, weights, contrib, starts.length, names, opts.topK ?? 8);
  return out;
}

/**
 * Top contributions (in calibrated-logit units, averaged over windows). A dense feature's standardised value and its
 * quantile bin are reported together as one `d:<name>` entry, with the bin weight centred on the mean of that
 * feature's bin weights, so constant offsets shared by every text do not crowd the list.
 */
function explainTop(
  file: OriginModelFile,
  weights: Float32Array,
  contrib: Map<number, number>,
  nWin: number,
  names: Map<number, string> | undefined,
  k: number,
): Array<[string, number]> {
  const dim = file.dim;
  const byName = new Map<string, number>();
  for (const [i, c] of contrib) {
    let name: string;
    let v = c;
    if (i < dim) name = featureName(i, dim, names);
    else if (i < dim + N_DENSE) name = featureName(i, dim);
    else {
      const f = Math.floor((i - dim - N_DENSE) / N_BINS);
      name = featureName(dim + f, dim);
      let m = 0;
      for (let b = 0; b < N_BINS; b++) m += weights[dim + N_DENSE + f * N_BINS + b]!;
      v = c - (m / N_BINS) * file.denseScale * nWin;
    }
    byName.set(name, (byName.get(name) ?? 0) + v);
  }
  return [...byName.entries()]
    .map(([n, c]): [string, number] => [n, (c / nWin) * file.platt.a])
    .sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]) || (a[0] < b[0] ? -1 : 1))
    .slice(0, k)
    .map(([n, c]) => [n, Math.round(c * 1000) / 1000]);
}
