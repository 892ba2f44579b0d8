/**
 * Small, fast, seeded 32-bit hashing over JS strings and integer sequences (murmur3-style mixing with Math.imul):
 * the shared primitives (fmix32, mix32) and the string/id hashes (stable ids, exact-duplicate keys, priorities).
 * text/features.ts builds its word, shingle and exact hashes on these. Not every hash goes through here: some hot
 * loops inline their own (rolling n-gram hashes and FNV in score/diversity/{concat-hash,token-pass,text-metrics}.ts,
 * FNV in text/lang-profile-tables.ts, table probing in the dedup index), and file, config and content digests are
 * sha256 from node:crypto.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** murmur3 fmix32 finaliser: full avalanche of a 32-bit value. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Mix one 32-bit word `k` into the running state `h` (murmur3 body step). */
export function mix32(h: number, k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, C2);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** Hash a string's UTF-16 code units, two per step. Deterministic for a given seed. */
export function hashString(s: string, seed = 0): number {
  let h = seed | 0;
  const n = s.length;
  let i = 0;
  for (; i + 1 < n; i += 2) h = mix32(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < n) h = mix32(h, s.charCodeAt(i));
  return fmix32(h ^ n);
}

/** Hash a range [start, start+len) of a string (char shingles without allocating substrings). */
export function hashRange(s: string, start: number, len: number, seed = 0): number {
  let h = seed | 0;
  const end = start + len;
  let i = start;
  for (; i + 1 < end; i += 2) h = mix32(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (i < end) h = mix32(h, s.charCodeAt(i));
  return fmix32(h ^ len);
}

/** Hash a window of integers (token ids) into one 32-bit value. */
export function hashInts(a: ArrayLike<number>, start: number, len: number, seed = 0): number {
  let h = seed | 0;
  for (let i = start; i < start + len; i++) h = mix32(h, a[i]!);
  return fmix32(h ^ len);
}

const HEX = '0123456789abcdef';
/** 32-bit unsigned to 8 lowercase hex chars. */
export function hex32(x: number): string {
  let s = '';
  for (let i = 28; i >= 0; i -= 4) s += HEX[(x >>> i) & 15];
  return s;
}

/** 64-bit hash of a string as [hi, lo]: two independently seeded 32-bit hashes. */
export function hash64(s: string, seed = 0): Uint32Array {
  const out = new Uint32Array(2);
  out[0] = hashString(s, (seed ^ 0x9e3779b9) | 0);
  out[1] = hashString(s, (seed ^ 0x7f4a7c15) + 0x632be5ab);
  return out;
}

/**
 * hash64 of a string given in pieces, without building it: the digest equals hash64(pieces joined, seed). Code
 * units are mixed in pairs across piece boundaries, exactly as hashString pairs them.
 */
class PieceHash64 {
  private h0: number;
  private h1: number;
  private n = 0;
  private pending = -1; // a code unit waiting for its pair

  constructor(seed: number) {
    this.h0 = (seed ^ 0x9e3779b9) | 0;
    this.h1 = ((seed ^ 0x7f4a7c15) + 0x632be5ab) | 0;
  }

  add(s: string): void {
    let i = 0;
    const len = s.length;
    if (this.pending >= 0 && len > 0) {
      const k = this.pending | (s.charCodeAt(0) << 16);
      this.h0 = mix32(this.h0, k);
      this.h1 = mix32(this.h1, k);
      this.pending = -1;
      i = 1;
    }
    for (; i + 1 < len; i += 2) {
      const k = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
      this.h0 = mix32(this.h0, k);
      this.h1 = mix32(this.h1, k);
    }
    if (i < len) this.pending = s.charCodeAt(i);
    this.n += len;
  }

  digest(): Uint32Array {
    if (this.pending >= 0) {
      this.h0 = mix32(this.h0, this.pending);
      this.h1 = mix32(this.h1, this.pending);
      this.pending = -1;
    }
    const out = new Uint32Array(2);
    out[0] = fmix32(this.h0 ^ this.n);
    out[1] = fmix32(this.h1 ^ this.n);
    return out;
  }
}

type Frame = { kind: 'array'; a: unknown[]; i: number } | { kind: 'object'; o: Record<string, unknown>; keys: string[]; i: number; first: boolean };

/** A value as JSON.stringify sees it: toJSON applied, primitive wrappers unwrapped. */
function jsonView(v: unknown, key: string): unknown {
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
  if (v instanceof Number || v instanceof String || v instanceof Boolean) v = v.valueOf();
  return v;
}

/** The JSON text of a scalar, or undefined for what JSON.stringify leaves out (undefined, functions, symbols). */
function scalarJson(v: unknown): string | undefined {
  if (v === null) return 'null';
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return JSON.stringify(v);
  if (typeof v === 'bigint') return v.toString(); // JSON.stringify would throw: an id needs no exactness here
  return undefined;
}

/**
 * hash64(JSON.stringify(value), seed) computed by an iterative walk: same digest, no recursion, no serialised
 * copy, so a record nested any number of levels cannot overflow the stack while its id is hashed. A cycle throws
 * a TypeError, as JSON.stringify does. `value` must serialise to a string (not undefined).
 */
export function hashJson64(value: unknown, seed = 0): Uint32Array {
  const h = new PieceHash64(seed);
  const onPath = new Set<object>();
  const stack: Frame[] = [];
  // write one value (already through jsonView); containers are opened here and continued by the loop below
  const put = (v: unknown, inArray: boolean): void => {
    if (typeof v !== 'object' || v === null) {
      const s = scalarJson(v);
      h.add(s ?? (inArray ? 'null' : ''));
      return;
    }
    if (onPath.has(v)) throw new TypeError('Converting circular structure to JSON');
    onPath.add(v);
    if (Array.isArray(v)) {
      h.add('[');
      stack.push({ kind: 'array', a: v, i: 0 });
    } else {
      h.add('{');
      stack.push({ kind: 'object', o: v as Record<string, unknown>, keys: Object.keys(v), i: 0, first: true });
    }
  };
  put(jsonView(value, ''), false);
  while (stack.length) {
    const f = stack[stack.length - 1]!;
    if (f.kind === 'array') {
      if (f.i === f.a.length) {
        h.add(']');
        onPath.delete(f.a);
        stack.pop();
        continue;
      }
      if (f.i > 0) h.add(',');
      const i = f.i++;
      put(jsonView(f.a[i], String(i)), true);
    } else {
      if (f.i === f.keys.length) {
        h.add('}');
        onPath.delete(f.o);
        stack.pop();
        continue;
      }
      const k = f.keys[f.i++]!;
      const v = jsonView(f.o[k], k);
      if ((typeof v !== 'object' || v === null) && scalarJson(v) === undefined) continue; // left out, as JSON.stringify does
      h.add(f.first ? JSON.stringify(k) + ':' : ',' + JSON.stringify(k) + ':');
      f.first = false;
      put(v, false);
    }
  }
  return h.digest();
}
