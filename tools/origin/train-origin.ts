/**
 * Train the likely-AI-origin detector (models/origin-v1.json).
 *
 *   npm run train:origin [-- --corpora DIR] [--out FILE] [--seed N] [--lodo] [--l2 X] [--window W] [--dim BITS] [--crops N] [--diag]
 *     [--scale none|nb|nbstrat|ent|nbent|A+B+...]  default none+nbstrat+ent (the shipped model, a mean of three
 *       fits); --scale none trains the single-fit model of 2026-11-21, three times faster
 *     experimental (off by default, see the model card's 2026-11-22 experiments):
 *     [--fam U,B,S[,C[,S4]]]  family scales: unigram, bigram, skeleton trigram, char n-gram, skeleton 4-gram
 *     [--char-n LO,HI] [--char-cross]  char n-gram lengths and grams across word boundaries
 *     [--scale-beta X] [--scale-alpha X] [--scale-pow X]
 *     [--dump FILE]  out-of-fold LOSO logits (and window logits) as JSONL
 *     [--sources grid,m4,raidar,zippy]  use only these sources (the shipped model's; the corpora gained detectrl later)
 *
 * Reads ../shared/corpora/*.jsonl.gz (relative to the working directory unless --corpora is given), neutralises
 * the corpora's label shortcuts (text.ts cleaning, fixed-size word windows, length-matched and per-stratum
 * balanced weights), validates leave-one-source-out (and leave-one-domain-out with --lodo), calibrates with Platt
 * scaling on the held-out-fold scores, picks the default thresholds on those scores, then fits the final model on
 * all data. Deterministic for a given seed and corpora.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { flag, opt } from './args.js';
import { loadCorpora, type LabelledText } from './data.js';
import { mulberry32 } from './random.js';
import {
  DENSE_NAMES,
  FEATURE_VERSION,
  assemble,
  buildBigramLM,
  hashStr,
  dotWindow,
  extractWindow,
  featureCount,
  fitDenseStats,
  prepare,
  rankFeatures,
  windowStarts,
  type BigramLM,
  type DenseStats,
  type RawWindow,
} from '../../src/score/origin/features.js';
import { fitLogReg, toRows, type LogReg } from './lbfgs.js';
import { auroc, fitPlatt, rateAtOrAbove, reliability, sigmoid, tprAtFpr } from './metrics.js';
import { MODEL_FORMAT, encodeLM, encodeWeights, rankTable, type OriginModelFile } from '../../src/score/origin/model.js';
import { TEXT_VERSION, T_WORD, cleanText, looksEnglish, looksLikeCode, tokenize } from '../../src/score/origin/text.js';

// ---------------------------------------------------------------------------------------------------------------
// options

const CORPORA = resolve(process.cwd(), opt('corpora', '../shared/corpora'));
const OUT = resolve(process.cwd(), opt('out', 'models/origin-v1.json'));
const SEED = Number(opt('seed', '1'));
const W = Number(opt('window', '64'));
const DIM_BITS = Number(opt('dim', '19'));
const DIM = 1 << DIM_BITS;
const L2 = Number(opt('l2', '5e-5'));
const MAX_CROPS = Number(opt('crops', '16'));
const DENSE_SCALE = Number(opt('dense-scale', '0.5'));
const RANK_WORDS = Number(opt('rank-words', '20000'));
const MIN_TRAIN_WORDS = Number(opt('min-train-words', '12'));
const MAX_ITER = Number(opt('iters', '100'));
const TARGET_FPR = Number(opt('target-fpr', '0.015'));
const STRATUM_POWER = Number(opt('stratum-power', '0'));
const WEAK_WEIGHT = Number(opt('weak-weight', '0.5'));
const LODO = flag('lodo');
const LM_BITS = Number(opt('lm-bits', '20'));
const LM_TOKENS = Number(opt('lm-tokens', '30000'));
const FAM = opt('fam', '1,1,1').split(',').map(Number);
const CHAR_N = opt('char-n', '3,5').split(',').map(Number) as [number, number];
const CHAR_CROSS = flag('char-cross');
const NO_FINAL = flag('no-final');
/**
 * Per-feature prior scaling of the hashed features (folded into the weights after the fit, so free at inference):
 *   none     - as before
 *   nb       - NBSVM-style |log-count ratio| of the pooled training windows
 *   nbstrat  - |mean over training strata of the per-stratum log-count ratio| (consistent label association)
 *   ent      - normalised entropy of the feature's mass over training strata (topic / domain neutralisation)
 *   nbent    - nbstrat x ent
 * Scale s = (1 - beta) + beta * t, t normalised to occurrence-weighted mean 1.
 */
const SCALE = opt('scale', 'none+nbstrat+ent'); // the shipped model: the mean of three fits
const SCALE_BETA = Number(opt('scale-beta', '1'));
const SCALE_ALPHA = Number(opt('scale-alpha', '0.03'));
const SCALE_POW = Number(opt('scale-pow', '1'));
/** print, per held-out fold, the AUROC of every dense feature on its own (text mean over windows) */
const DIAG = flag('diag');

const log = (s: string): void => void process.stderr.write(s + '\n');
const t0 = Date.now();
const secs = (): string => ((Date.now() - t0) / 1000).toFixed(1) + 's';

// ---------------------------------------------------------------------------------------------------------------
// data

interface Doc extends LabelledText {
  stratum: string;
  judged: boolean;
  why?: string;
  words: number;
  /** all inference windows */
  wins: RawWindow[];
  /** indices into wins used for training */
  trainWins: number[];
  /** word tokens (for the frequency list) */
  wordList: string[];
}

log(`reading corpora from ${CORPORA}`);
// --sources a,b: train and validate on these sources only (the shipped model predates the detectrl file)
const SOURCES = opt('sources', '') === '' ? null : new Set(opt('sources', '').split(','));
const corpus = loadCorpora(CORPORA).filter((c) => !SOURCES || SOURCES.has(c.source));
log(`${corpus.length} texts (${secs()})`);

const rng = mulberry32(SEED);
const emptyRanks = rankTable([]);
const docs: Doc[] = corpus.map((c) => {
  const stratum = c.source === 'zippy' ? 'zippy' : `${c.source}/${c.domain}`;
  const d: Doc = { ...c, stratum, judged: false, words: 0, wins: [], trainWins: [], wordList: [] };
  if (looksLikeCode(c.text)) {
    d.why = 'code';
    return d;
  }
  const clean = cleanText(c.text);
  const toks = tokenize(clean);
  d.words = toks.nWords;
  if (toks.nWords < MIN_TRAIN_WORDS) {
    d.why = 'too_short';
    return d;
  }
  if (!looksEnglish(clean, toks)) {
    d.why = 'not_english';
    return d;
  }
  d.judged = true;
  const p = prepare(toks);
  const starts = windowStarts(toks.nWords, W);
  for (const s of starts) d.wins.push(extractWindow(p, s, Math.min(toks.nWords, s + W), { dim: DIM, ranks: emptyRanks, fam: FAM, charN: CHAR_N, charCross: CHAR_CROSS }));
  // keep the prepared tokens only as far as the rank features need them
  (d as Doc & { prep?: ReturnType<typeof prepare> }).prep = p;
  const order = starts.map((_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  d.trainWins = order.slice(0, MAX_CROPS).sort((a, b) => a - b);
  for (let i = 0; i < toks.tok.length; i++) if (toks.type[i] === T_WORD) d.wordList.push(toks.tok[i]!);
  return d;
});
const prepOf = (d: Doc): ReturnType<typeof prepare> => (d as Doc & { prep: ReturnType<typeof prepare> }).prep;
{
  const why = new Map<string, number>();
  for (const d of docs) if (!d.judged) why.set(`${d.stratum}:${d.why}`, (why.get(`${d.stratum}:${d.why}`) ?? 0) + 1);
  log(`features extracted (${secs()}); not judged: ${JSON.stringify(Object.fromEntries(why))}`);
}

// ---------------------------------------------------------------------------------------------------------------
// weights: per stratum (source × domain; zippy pooled) total ∝ n^power, split evenly between labels, with the
// length distribution of the two labels matched within each stratum (word-count bins of the training window)

const LEN_BINS = [0, 24, 32, 48, W, Infinity];
function lenBin(words: number): number {
  const x = Math.min(words, W);
  for (let b = 0; b < LEN_BINS.length - 1; b++) if (x < LEN_BINS[b + 1]! || (x === W && LEN_BINS[b + 1] === Infinity)) return b;
  return LEN_BINS.length - 2;
}

function docWeights(train: Doc[]): Map<Doc, number> {
  const byStratum = new Map<string, Doc[]>();
  for (const d of train) {
    const a = byStratum.get(d.stratum);
    if (a) a.push(d);
    else byStratum.set(d.stratum, [d]);
  }
  const out = new Map<Doc, number>();
  let total = 0;
  for (const [, ds] of [...byStratum].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const sw = Math.pow(ds.length, STRATUM_POWER);
    const nb = LEN_BINS.length - 1;
    const cnt = [new Float64Array(nb), new Float64Array(nb)];
    for (const d of ds) cnt[d.label]![lenBin(d.words)]!++;
    const hasBoth = cnt[0]!.some((x) => x > 0) && cnt[1]!.some((x) => x > 0);
    // pooled share of each bin over the bins where both labels occur
    const share = new Float64Array(nb);
    let shareTot = 0;
    for (let b = 0; b < nb; b++) {
      if (hasBoth && (cnt[0]![b] === 0 || cnt[1]![b] === 0)) continue;
      share[b] = cnt[0]![b]! + cnt[1]![b]!;
      shareTot += share[b]!;
    }
    for (const d of ds) {
      const b = lenBin(d.words);
      if (share[b] === 0) {
        out.set(d, 0);
        continue;
      }
      const labelShare = hasBoth ? 0.5 : 1;
      let w = (sw * labelShare * (share[b]! / shareTot)) / cnt[d.label]![b]!;
      if (d.domain === 'creative-writing') w *= WEAK_WEIGHT;
      out.set(d, w);
      total += w;
    }
  }
  // normalise to mean 1 per document
  const k = train.length / total;
  for (const [d, w] of out) out.set(d, w * k);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// one fit

function buildRanks(train: Doc[]): string[] {
  const counts = new Map<string, number>();
  for (const d of train) {
    if (d.label !== 0) continue;
    for (const w of d.wordList) counts.set(w, (counts.get(w) ?? 0) + 1);
  }
  return [...counts]
    .filter(([, c]) => c >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, RANK_WORDS)
    .map(([w]) => w);
}

interface Fitted {
  model: LogReg;
  ranks: string[];
  lm?: BigramLM;
  dense: DenseStats;
}

function setRanks(ds: Doc[], ranks: string[], lm?: BigramLM): void {
  const table = rankTable(ranks, lm);
  for (const d of ds) for (const w of d.wins) rankFeatures(prepOf(d), w.t0, w.t1, table, w.dense);
}

function buildLM(train: Doc[]): BigramLM | undefined {
  if (LM_BITS === 0) return undefined;
  return buildBigramLM(
    train.filter((d) => d.label === 0).map((d) => prepOf(d).th),
    LM_TOKENS,
    LM_BITS,
  );
}

/**
 * Reference statistics (frequency ranks, bigram LM) are cross-fitted: the training groups are split in two halves by
 * a hash of the pairing key; each half's texts get features from the reference built on the *other* half's human
 * texts, so no text is ever featurised against a reference that contains it. The model keeps the reference of half
 * A, which the held-out / unseen texts are then featurised against (same reference size as in training).
 */
const halfOf = (d: Doc): number => hashStr(d.group, SEED) & 1;

function fit(train: Doc[], label: string): Fitted {
  const refA = train.filter((d) => halfOf(d) === 0);
  const refB = train.filter((d) => halfOf(d) === 1);
  const ranksA = buildRanks(refA);
  const lmA = buildLM(refA);
  setRanks(refB, ranksA, lmA);
  setRanks(refA, buildRanks(refB), buildLM(refB));
  const ranks = ranksA;
  const lm = lmA;
  const dw = docWeights(train);
  const wins: RawWindow[] = [];
  const ys: number[] = [];
  const ws: number[] = [];
  const strata: string[] = [];
  for (const d of train) {
    const w = dw.get(d) ?? 0;
    if (w <= 0) continue;
    for (const i of d.trainWins) {
      wins.push(d.wins[i]!);
      ys.push(d.label);
      ws.push(w / d.trainWins.length);
      strata.push(d.stratum);
    }
  }
  const sw = Float64Array.from(ws);
  const dense = fitDenseStats(
    wins.map((w) => w.dense),
    sw,
  );
  const X = toRows(
    wins.map((w) => assemble(w, DIM, dense, DENSE_SCALE)),
    featureCount(DIM),
  );
  log(`[${label}] fitting on ${train.length} docs / ${wins.length} windows, nnz ${X.idx.length} (${secs()})`);
  // one model per scale mode; several ('none+nbstrat') are averaged (a mean of linear models is a linear model)
  const modes = SCALE.split('+');
  const val0 = modes.length > 1 ? Float32Array.from(X.val) : X.val;
  let model: LogReg | undefined;
  for (const mode of modes) {
    if (modes.length > 1) X.val.set(val0);
    const scale = mode === 'none' ? undefined : featureScale(wins, ys, sw, strata, mode);
    if (scale) for (let k = 0; k < X.idx.length; k++) if (X.idx[k]! < DIM) X.val[k] = X.val[k]! * scale[X.idx[k]!]!;
    const m = fitLogReg(X, Uint8Array.from(ys), sw, { l2: L2, maxIter: MAX_ITER, tol: 1e-6 });
    if (scale) for (let j = 0; j < DIM; j++) m.w[j] = m.w[j]! * scale[j]!;
    if (!model) model = { w: Float64Array.from(m.w), bias: m.bias };
    else {
      for (let j = 0; j < model.w.length; j++) model.w[j] = model.w[j]! + m.w[j]!;
      model.bias += m.bias;
    }
  }
  for (let j = 0; j < model!.w.length; j++) model!.w[j] = model!.w[j]! / modes.length;
  model!.bias /= modes.length;
  log(`[${label}] done (${secs()})`);
  return { model: model!, ranks, lm, dense };
}

/** Per-hashed-feature prior scale (see --scale). */
function featureScale(wins: RawWindow[], ys: number[], sw: Float64Array, strata: string[], SCALE: string): Float64Array {
  const names = [...new Set(strata)].sort();
  const S = names.length;
  const sIdx = strata.map((x) => names.indexOf(x));
  // per stratum x label: weighted feature mass and total weight
  const mass = Array.from({ length: 2 * S }, () => new Float32Array(DIM));
  const tot = new Float64Array(2 * S);
  const occ = new Float64Array(DIM);
  wins.forEach((w, i) => {
    const c = 2 * sIdx[i]! + ys[i]!;
    const m = mass[c]!;
    const wt = sw[i]!;
    tot[c]! += wt;
    for (let k = 0; k < w.idx.length; k++) {
      m[w.idx[k]!]! += wt * w.val[k]!;
      occ[w.idx[k]!]! += wt;
    }
  });
  const t = new Float64Array(DIM);
  const a = SCALE_ALPHA;
  if (SCALE === 'nb') {
    const A = new Float64Array(DIM);
    const H = new Float64Array(DIM);
    let tA = 0;
    let tH = 0;
    for (let s2 = 0; s2 < S; s2++) {
      // each stratum x label counts as a mean window (balanced), like the training weights
      const mh = mass[2 * s2]!;
      const ma = mass[2 * s2 + 1]!;
      for (let j = 0; j < DIM; j++) {
        H[j]! += mh[j]! / Math.max(1e-12, tot[2 * s2]!);
        A[j]! += ma[j]! / Math.max(1e-12, tot[2 * s2 + 1]!);
      }
    }
    for (let j = 0; j < DIM; j++) {
      tA += A[j]!;
      tH += H[j]!;
    }
    // alpha in units of a mean window's value of a feature, per stratum
    const al = (a * S) / 100;
    for (let j = 0; j < DIM; j++) t[j] = Math.abs(Math.log((al + A[j]!) / (al * DIM + tA)) - Math.log((al + H[j]!) / (al * DIM + tH)));
  } else {
    const r = new Float64Array(DIM);
    const ent = new Float64Array(DIM);
    const mean = new Float64Array(S);
    for (let j = 0; j < DIM; j++) {
      if (occ[j] === 0) continue;
      let rs = 0;
      let tm = 0;
      for (let s2 = 0; s2 < S; s2++) {
        const h = mass[2 * s2]![j]! / Math.max(1e-12, tot[2 * s2]!);
        const ai = mass[2 * s2 + 1]![j]! / Math.max(1e-12, tot[2 * s2 + 1]!);
        const al = a / 100;
        rs += Math.log((al + ai) / (al + h));
        mean[s2] = 0.5 * (h + ai);
        tm += mean[s2]!;
      }
      r[j] = Math.abs(rs / S);
      let e = 0;
      for (let s2 = 0; s2 < S; s2++) {
        const p = mean[s2]! / tm;
        if (p > 0) e -= p * Math.log(p);
      }
      ent[j] = Math.pow(e / Math.log(S), SCALE_POW);
    }
    for (let j = 0; j < DIM; j++) t[j] = SCALE === 'ent' ? ent[j]! : SCALE === 'nbstrat' ? r[j]! : r[j]! * ent[j]!;
  }
  // normalise to occurrence-weighted mean 1 and interpolate
  let num = 0;
  let den = 0;
  for (let j = 0; j < DIM; j++) {
    num += occ[j]! * t[j]!;
    den += occ[j]!;
  }
  const k = den / Math.max(1e-12, num);
  const out = new Float64Array(DIM);
  for (let j = 0; j < DIM; j++) out[j] = 1 - SCALE_BETA + SCALE_BETA * t[j]! * k;
  if (DIAG) {
    const q = Float64Array.from(out).sort();
    log(`[diag scale ${SCALE}] quantiles ${[0.1, 0.5, 0.9, 0.99].map((x) => q[Math.floor(x * DIM)]!.toFixed(3)).join(' ')}`);
  }
  return out;
}

const winLogits = new Map<Doc, number[]>();
function scoreDocs(f: Fitted, ds: Doc[]): Map<Doc, number> {
  setRanks(ds, f.ranks, f.lm);
  const out = new Map<Doc, number>();
  for (const d of ds) {
    let s = 0;
    const zs: number[] = [];
    for (const w of d.wins) {
      const z = dotWindow(w, f.model.w, f.model.bias, DIM, f.dense, DENSE_SCALE);
      zs.push(z);
      s += z;
    }
    if (DIAG || opt('dump', '') !== '') winLogits.set(d, zs);
    out.set(d, s / d.wins.length);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// cross-validation

const judged = docs.filter((d) => d.judged);

function crossVal(kind: 'source' | 'domain'): Map<Doc, number> {
  const keyOf = (d: Doc): string => (kind === 'source' ? d.source : d.domain);
  const keys = [...new Set(judged.map(keyOf))].sort();
  const oof = new Map<Doc, number>();
  for (const k of keys) {
    const test = judged.filter((d) => keyOf(d) === k);
    if (!test.some((d) => d.label === 0) && !test.some((d) => d.label === 1)) continue;
    const testGroups = new Set(test.map((d) => d.group));
    const train = judged.filter((d) => keyOf(d) !== k && !testGroups.has(d.group));
    const f = fit(train, `${kind}≠${k}`);
    for (const [d, z] of scoreDocs(f, test)) oof.set(d, z);
    if (DIAG) {
      const ds = test.filter((d) => d.words >= 50);
      const y = ds.map((d) => d.label);
      const line: string[] = [];
      for (let j = 0; j < DENSE_NAMES.length; j++) {
        const x = ds.map((d) => d.wins.reduce((s, w) => s + w.dense[j]!, 0) / d.wins.length);
        line.push(`${DENSE_NAMES[j]}=${auroc(x, y).toFixed(3)}`);
      }
      log(`[diag ${kind}≠${k}] ${line.join(' ')}`);
    }
  }
  return oof;
}

const pct = (x: number): string => (Number.isNaN(x) ? '  n/a' : (100 * x).toFixed(1).padStart(5));
const f3 = (x: number): string => (Number.isNaN(x) ? ' n/a ' : x.toFixed(3));

interface Row {
  name: string;
  n: number;
  auroc: number;
  tpr1: number;
  tpr5: number;
  humanFpr: number;
  aiTpr: number;
}

function evalRows(oof: Map<Doc, number>, platt: { a: number; b: number }, thr: number, by: (d: Doc) => string): Row[] {
  const groups = new Map<string, Doc[]>();
  for (const d of oof.keys()) {
    const k = by(d);
    const a = groups.get(k);
    if (a) a.push(d);
    else groups.set(k, [d]);
  }
  const rows: Row[] = [];
  const all = [...oof.keys()];
  for (const [name, ds] of [['ALL (pooled)', all] as [string, Doc[]], ...[...groups].sort((a, b) => (a[0] < b[0] ? -1 : 1))]) {
    const z = ds.map((d) => oof.get(d)!);
    const y = ds.map((d) => d.label);
    const cal = (d: Doc): number => sigmoid(platt.a * oof.get(d)! + platt.b);
    const hum = ds.filter((d) => d.label === 0).map(cal);
    const ai = ds.filter((d) => d.label === 1).map(cal);
    rows.push({
      name,
      n: ds.length,
      auroc: auroc(z, y),
      tpr1: tprAtFpr(z, y, 0.01),
      tpr5: tprAtFpr(z, y, 0.05),
      humanFpr: rateAtOrAbove(hum, thr),
      aiTpr: rateAtOrAbove(ai, thr),
    });
  }
  return rows;
}

function printRows(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log(`${'held out'.padEnd(34)} ${'n'.padStart(6)}  AUROC  TPR@1%  TPR@5%  humanFPR@thr  aiTPR@thr`);
  for (const r of rows) {
    console.log(
      `${r.name.padEnd(34)} ${String(r.n).padStart(6)}  ${f3(r.auroc)}  ${pct(r.tpr1)}%  ${pct(r.tpr5)}%  ${pct(r.humanFpr)}%        ${pct(r.aiTpr)}%`,
    );
  }
}

/** Smallest threshold on calibrated p whose largest per-domain human FPR is <= target. */
function pickThreshold(oof: Map<Doc, number>, platt: { a: number; b: number }, target: number): number {
  const byDom = new Map<string, number[]>();
  for (const [d, z] of oof) {
    if (d.label !== 0) continue;
    const k = d.domain;
    const p = sigmoid(platt.a * z + platt.b);
    const a = byDom.get(k);
    if (a) a.push(p);
    else byDom.set(k, [p]);
  }
  let thr = 0;
  const per: string[] = [];
  for (const [dom, ps] of [...byDom].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    ps.sort((a, b) => b - a);
    const allowed = Math.floor(target * ps.length);
    // threshold just above the (allowed)-th highest human score of this domain
    const t = allowed < ps.length ? ps[allowed]! : 0;
    thr = Math.max(thr, t);
    per.push(`${dom}=${t.toFixed(3)}`);
  }
  if (DIAG) log(`[diag threshold ${target}] per-domain: ${per.join(' ')}`);
  return Math.min(0.999, Math.ceil((thr + 1e-9) * 1000) / 1000);
}

// length analysis: held-out AUROC by word-count bin, macro-averaged over held-out source/domain cells (scores of
// different folds are not on one scale, so pooling across cells would understate it)
function lengthTable(oof: Map<Doc, number>): Array<{ lo: number; hi: number; n: number; auroc: number }> {
  const edges = [12, 16, 20, 25, 30, 40, 50, 64, 100, 200, Infinity];
  const out = [];
  for (let i = 0; i < edges.length - 1; i++) {
    const ds = [...oof.keys()].filter((d) => d.words >= edges[i]! && d.words < edges[i + 1]!);
    const cells = new Map<string, Doc[]>();
    for (const d of ds) {
      const k = `${d.source}/${d.domain}`;
      const a = cells.get(k);
      if (a) a.push(d);
      else cells.set(k, [d]);
    }
    let s = 0;
    let c = 0;
    for (const [, cd] of [...cells].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const nPos = cd.filter((d) => d.label === 1).length;
      if (nPos < 10 || cd.length - nPos < 10) continue;
      s += auroc(
        cd.map((d) => oof.get(d)!),
        cd.map((d) => d.label),
      );
      c++;
    }
    out.push({ lo: edges[i]!, hi: edges[i + 1]!, n: ds.length, auroc: c > 0 ? s / c : NaN });
  }
  return out;
}

const loso = crossVal('source');
if (DIAG) {
  const aggs: Record<string, (z: number[]) => number> = {
    mean: (z) => z.reduce((a, b) => a + b, 0) / z.length,
    median: (z) => {
      const s = [...z].sort((a, b) => a - b);
      return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
    },
    max: (z) => Math.max(...z),
    min: (z) => Math.min(...z),
    trim: (z) => {
      const s = [...z].sort((a, b) => a - b);
      const k = Math.floor(s.length / 4);
      const t = s.slice(k, s.length - k);
      return t.reduce((a, b) => a + b, 0) / t.length;
    },
    lse: (z) => Math.log(z.reduce((a, b) => a + Math.exp(b), 0) / z.length),
    meanp: (z) => z.reduce((a, b) => a + sigmoid(b), 0) / z.length,
  };
  for (const [name, g] of Object.entries(aggs)) {
    const cells: string[] = [];
    for (const src of ['grid', 'm4', 'raidar', 'zippy']) {
      const ds = [...winLogits.keys()].filter((d) => d.source === src && d.words >= 50);
      cells.push(`${src}=${auroc(ds.map((d) => g(winLogits.get(d)!)), ds.map((d) => d.label)).toFixed(4)}`);
    }
    log(`[diag agg ${name}] ${cells.join(' ')}`);
  }
}
if (opt('dump', '') !== '') {
  // out-of-fold LOSO logits, for offline ensembling / second-stage experiments
  const lines = [...loso].map(([d, z]) => JSON.stringify({ id: d.id, label: d.label, source: d.source, domain: d.domain, words: d.words, z, wz: winLogits.get(d) }));
  writeFileSync(resolve(process.cwd(), opt('dump', '')), lines.join('\n') + '\n');
}
const allW = docWeights([...loso.keys()]);
const oofDocs = [...loso.keys()];
const platt = fitPlatt(
  oofDocs.map((d) => loso.get(d)!),
  oofDocs.map((d) => d.label),
  oofDocs.map((d) => allW.get(d) ?? 0),
);
const lenTab = lengthTable(loso);
console.log('\nheld-out (LOSO) AUROC by word count:');
for (const r of lenTab) console.log(`  words ${String(r.lo).padStart(3)}-${String(r.hi).padEnd(8)} n=${String(r.n).padStart(5)}  AUROC ${f3(r.auroc)}`);
// minimum words: the smallest bin start from which every longer bin (with >= 100 texts) reaches 0.75 AUROC
let minWords = lenTab[lenTab.length - 1]!.lo;
for (let i = lenTab.length - 1; i >= 0; i--) {
  const r = lenTab[i]!;
  if (r.n >= 100 && !(r.auroc >= 0.7)) break;
  minWords = r.lo;
}
minWords = Math.max(minWords, MIN_TRAIN_WORDS);
if (opt('min-words', '') !== '') minWords = Number(opt('min-words', ''));
const oofJudged = new Map([...loso].filter(([d]) => d.words >= minWords));
const threshold = pickThreshold(oofJudged, platt, TARGET_FPR);
const humanThreshold = Math.min(0.5, threshold);
const calib = reliability(
  [...oofJudged].map(([, z]) => sigmoid(platt.a * z + platt.b)),
  [...oofJudged.keys()].map((d) => d.label),
  [...oofJudged.keys()].map((d) => allW.get(d) ?? 0),
);
const calibRaw = reliability(
  [...oofJudged].map(([, z]) => sigmoid(platt.a * z + platt.b)),
  [...oofJudged.keys()].map((d) => d.label),
);

const losoBySource = evalRows(oofJudged, platt, threshold, (d) => d.source);
const losoByDomain = evalRows(oofJudged, platt, threshold, (d) => `${d.source}/${d.domain}`);
printRows(`LOSO (leave-one-source-out), texts >= ${minWords} words; threshold ${threshold}`, losoBySource);
printRows('LOSO, by held-out source/domain', losoByDomain.slice(1));
console.log(`\nPlatt a=${platt.a.toFixed(4)} b=${platt.b.toFixed(4)}; ECE (balanced weights) ${calib.ece.toFixed(4)}, ECE (raw) ${calibRaw.ece.toFixed(4)}`);
console.log('reliability (balanced weights): bin  n  mean p  frac ai');
for (const b of calib.bins) console.log(`  ${b.lo.toFixed(1)}-${b.hi.toFixed(1)} ${String(b.n).padStart(5)}  ${b.meanP.toFixed(3)}  ${b.fracPos.toFixed(3)}`);

// threshold trade-off on the held-out scores: per-domain human FPR target -> threshold, worst domain, AI recall
console.log('\nthreshold trade-off (LOSO out-of-fold): target max per-domain human FPR -> threshold, AI TPR at it');
console.log(`  target  threshold  maxDomainFPR  aiTPR(all) ${[...new Set(oofDocs.map((d) => d.source))].sort().map((x) => x.padStart(8)).join('')}`);
for (const t of [0.005, 0.01, 0.015, 0.02, 0.03, 0.05]) {
  const th = pickThreshold(oofJudged, platt, t);
  const byDom = new Map<string, number[]>();
  for (const [d, z] of oofJudged) {
    if (d.label !== 0) continue;
    const a = byDom.get(d.domain) ?? [];
    a.push(sigmoid(platt.a * z + platt.b));
    byDom.set(d.domain, a);
  }
  let worst = 0;
  for (const ps of byDom.values()) worst = Math.max(worst, rateAtOrAbove(ps, th));
  const aiOf = (f: (d: Doc) => boolean): number =>
    rateAtOrAbove([...oofJudged].filter(([d]) => d.label === 1 && f(d)).map(([, z]) => sigmoid(platt.a * z + platt.b)), th);
  const srcs = [...new Set(oofDocs.map((d) => d.source))].sort();
  console.log(
    `  ${(100 * t).toFixed(1).padStart(5)}%  ${th.toFixed(3).padStart(9)}  ${pct(worst).padStart(11)}%  ${pct(aiOf(() => true)).padStart(9)}%${srcs.map((x) => (pct(aiOf((d) => d.source === x)) + '%').padStart(8)).join('')}`,
  );
}

let lodoRows: Row[] | undefined;
if (LODO) {
  const lodo = crossVal('domain');
  const lj = new Map([...lodo].filter(([d]) => d.words >= minWords));
  lodoRows = evalRows(lj, platt, threshold, (d) => d.domain);
  printRows('LODO (leave-one-domain-out), by held-out domain (LOSO Platt + threshold)', lodoRows);
}

const summary = {
  seed: SEED,
  window: W,
  l2: L2,
  docs: docs.length,
  judged: judged.length,
  minWords,
  threshold,
  humanThreshold,
  targetFpr: TARGET_FPR,
  platt,
  ece: calib.ece,
  loso: losoBySource,
  losoByDomain: losoByDomain.slice(1),
  lodo: lodoRows,
  lengthAuroc: lenTab,
};

if (!NO_FINAL) {
  const f = fit(judged, 'final');
  const nf = featureCount(DIM);
  const weights = new Float32Array(nf);
  for (let i = 0; i < nf; i++) weights[i] = f.model.w[i]!;
  const file: OriginModelFile = {
    format: MODEL_FORMAT,
    version: `origin-v1+seed${SEED}`,
    textVersion: TEXT_VERSION,
    featureVersion: FEATURE_VERSION,
    window: W,
    dim: DIM,
    denseScale: DENSE_SCALE,
    families: FAM,
    ...((FAM[3] ?? 0) > 0 ? { charN: CHAR_N, charCross: CHAR_CROSS } : {}),
    ranks: f.ranks,
    ...(f.lm ? { lm: encodeLM(f.lm) } : {}),
    dense: {
      mean: f.dense.mean.map((x) => +x.toPrecision(7)),
      std: f.dense.std.map((x) => +x.toPrecision(7)),
      edges: f.dense.edges.map((e) => e.map((x) => +x.toPrecision(7))),
    },
    bias: f.model.bias,
    weights: encodeWeights(weights),
    platt,
    minWords,
    threshold,
    humanThreshold,
    training: summary,
  };
  mkdirSync(dirname(OUT), { recursive: true });
  writeFileSync(OUT, JSON.stringify(file) + '\n');
  log(`wrote ${OUT} (${(JSON.stringify(file).length / 1e6).toFixed(2)} MB) in ${secs()}`);
}
