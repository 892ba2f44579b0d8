/**
 * Polynomial hashing of code-unit strings modulo 2^32 with two odd bases, and the power tables that let
 * hash(concatenation of tokens) be derived from per-token prefix sums (token-pass.ts builds them, ngrams.ts reads
 * them). The duplicated-n-gram keys then depend on the joined characters only (datatrove joins words with "" there,
 * so "ab c" and "a bc" are the same n-gram).
 */

export const B1 = 0x5bd1e995;
export const B2 = 0x27d4eb2f;
function inverse(b: number): number {
  let x = b; // Newton iteration for the inverse modulo 2^32 of an odd number
  for (let i = 0; i < 5; i++) x = Math.imul(x, 2 - Math.imul(b, x));
  return x;
}
export const IB1 = inverse(B1);
export const IB2 = inverse(B2);
/** powers below POW_N are tabulated; larger ones are computed by powOf */
export const POW_N = 256;
export const POW1 = new Int32Array(POW_N);
export const POW2 = new Int32Array(POW_N);
export const IPOW1 = new Int32Array(POW_N);
export const IPOW2 = new Int32Array(POW_N);
POW1[0] = POW2[0] = IPOW1[0] = IPOW2[0] = 1;
for (let i = 1; i < POW_N; i++) {
  POW1[i] = Math.imul(POW1[i - 1]!, B1);
  POW2[i] = Math.imul(POW2[i - 1]!, B2);
  IPOW1[i] = Math.imul(IPOW1[i - 1]!, IB1);
  IPOW2[i] = Math.imul(IPOW2[i - 1]!, IB2);
}
/** base^n modulo 2^32 from one of the tables above (`table` holds the powers of `base`) */
export function powOf(table: Int32Array, base: number, n: number): number {
  if (n < POW_N) return table[n]!;
  let r = table[POW_N - 1]!;
  for (let i = POW_N - 1; i < n; i++) r = Math.imul(r, base);
  return r;
}
