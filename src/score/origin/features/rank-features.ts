/**
 * Word-frequency-rank and bigram-LM features of a window (GLTR-like): how a window's words spread over the rank
 * buckets of a human frequency list, and how predictable its token sequence is to a bigram model of human text.
 */
import { T_WORD } from '../text.js';
import { DENSE_NAMES } from './dense-layout.js';
import type { Prepared } from './prepare.js';
import { biIndex, uniLookup, type RankTable } from './reference-tables.js';

const RANK_FIRST = DENSE_NAMES.indexOf('rank_top10');
export const RANK_SLOTS = 12;
const LOG_OOV = Math.log(40000);
/** Math.log(r + 1) of the ranks a model's list can give (20k words), computed once: the same doubles */
const LOG_RANK = Float64Array.from({ length: 1 << 15 }, (_, r) => Math.log(r + 1));

/**
 * Word-frequency-rank profile of tokens [t0, t1) (GLTR-like): share of words in rank buckets of a human frequency
 * list, and mean / spread of log rank; then the bigram-LM log-probability mean / spread, gain over the unigram
 * estimate and seen-bigram share (0 without an LM). Written into d[RANK_FIRST .. RANK_FIRST + RANK_SLOTS). Separate
 * from the rest so that training can recompute it per validation fold (the list is built from the fold's human
 * training texts).
 */
export function rankFeatures(p: Prepared, t0: number, t1: number, ranks: RankTable, d: Float64Array): void {
  const { toks } = p;
  let b0 = 0, b1 = 0, b2 = 0, b3 = 0, b4 = 0, oov = 0, n = 0, s = 0, sq = 0;
  for (let i = t0; i < t1; i++) {
    if (toks.type[i] !== T_WORD) continue;
    n++;
    const r = ranks.rankOf(p.th[i]!);
    let lr: number;
    if (r < 0) {
      oov++;
      lr = LOG_OOV;
    } else {
      if (r < 10) b0++;
      else if (r < 100) b1++;
      else if (r < 1000) b2++;
      else if (r < 5000) b3++;
      else b4++;
      lr = r < LOG_RANK.length ? LOG_RANK[r]! : Math.log(r + 1);
    }
    s += lr;
    sq += lr * lr;
  }
  const a = Math.max(1, n);
  const m = s / a;
  let k = RANK_FIRST;
  d[k++] = b0 / a;
  d[k++] = b1 / a;
  d[k++] = b2 / a;
  d[k++] = b3 / a;
  d[k++] = b4 / a;
  d[k++] = oov / a;
  d[k++] = m;
  d[k++] = Math.sqrt(Math.max(0, sq / a - m * m));
  const lm = ranks.lm;
  if (!lm) {
    d[k++] = 0;
    d[k++] = 0;
    d[k++] = 0;
    d[k++] = 0;
    return;
  }
  const th = p.th;
  const bmask = lm.bi.length - 1;
  const denom = lm.total + 0.5 * lm.uniKeys.length;
  let ln = 0, ls = 0, lsq = 0, gs = 0, seen = 0;
  // each token's unigram count is looked up once: this token's count is the next bigram's left count
  let ca = t0 + 1 < t1 ? uniLookup(lm, th[t0]!) : 0;
  for (let i = t0 + 1; i < t1; i++) {
    const cb = uniLookup(lm, th[i]!);
    const pu = (cb + 0.5) / denom;
    const lpu = Math.log(pu);
    let lp = lpu; // an unseen left token: the unigram estimate alone (its gain over itself is exactly 0)
    if (ca > 0) {
      const cab = Math.min(ca, lm.bi[biIndex(th[i - 1]!, th[i]!, bmask)]!);
      if (cab > 0) seen++;
      lp = Math.log(0.7 * (cab / ca) + 0.3 * pu);
    }
    ln++;
    ls += lp;
    lsq += lp * lp;
    gs += lp - lpu;
    ca = cb;
  }
  const b = Math.max(1, ln);
  const mm = ls / b;
  d[k++] = mm;
  d[k++] = Math.sqrt(Math.max(0, lsq / b - mm * mm));
  d[k++] = gs / b;
  d[k++] = seen / b;
}
