/**
 * Lexical diversity of one text: mattr (moving-average type/token ratio), distinct_1 and distinct_2 over the
 * lower-cased non-symbol tokens. Types are numbered through the shared hash table (hashtable.ts) from the
 * lower-cased identity hashes token-pass.ts computed; no token string is built.
 */
import { fmix32, type HashTable64 } from './hashtable.js';
import { LEXICAL_MIN_TOKENS, MATTR_WINDOW, type Metrics } from './metrics.js';
import { F_NONSYM, type TokenArrays } from './token-pass.js';

/** mattr, distinct_1, distinct_2 over the lower-cased non-symbol tokens (left null below LEXICAL_MIN_TOKENS) */
export function lexical(m: Metrics, arr: TokenArrays, table: HashTable64, T: number, nonSymbol: number): void {
  const t = table;
  const FL = arr.flags;
  const LI1 = arr.lid1;
  const LI2 = arr.lid2;
  const ids = arr.lexIds;
  const counts = arr.typeCounts;
  t.reset(nonSymbol + 1);
  let N = 0;
  let types = 0;
  for (let k = 0; k < T; k++) {
    if ((FL[k]! & F_NONSYM) === 0) continue;
    let slot = t.upsert(LI1[k]!, LI2[k]!);
    if (slot < 0) {
      slot = ~slot;
      t.set(slot, types++);
    }
    ids[N++] = t.get(slot);
  }
  if (N < LEXICAL_MIN_TOKENS) return;
  m.distinct_1 = types / N;
  t.reset(N);
  let bigrams = 0;
  for (let k = 0; k + 1 < N; k++) if (t.upsert(fmix32(ids[k]!), ids[k + 1]!) < 0) bigrams++;
  m.distinct_2 = bigrams / (N - 1);
  // MATTR: mean type/token ratio over all windows of MATTR_WINDOW tokens (plain TTR when shorter)
  const w = Math.min(MATTR_WINDOW, N);
  counts.fill(0, 0, types);
  let inWin = 0;
  for (let k = 0; k < w; k++) if (counts[ids[k]!]!++ === 0) inWin++;
  let sum = inWin;
  for (let k = w; k < N; k++) {
    if (--counts[ids[k - w]!]! === 0) inWin--;
    if (counts[ids[k]!]!++ === 0) inWin++;
    sum += inWin;
  }
  m.mattr = sum / (N - w + 1) / w;
}
