/**
 * How the Redis backend writes a record for the script's dedup commands (the `r` of script/dedup-index.ts):
 *
 *   flags(1) exact hash(8) exact bucket(hex) band keys(4B) band buckets(B x hex) 16-bit lanes(2L) id(rest)
 *
 * flags: 1 = index the record when it is unique, 2 = short (no shingles: no band keys or lanes, exact check only).
 * Buckets are precomputed here so the script does not format them on its hot path.
 */
import { MinHasher, bandKeys } from '../../score/dedup/index.js';
import type { DedupItem } from '../backend.js';

const HEX = Buffer.from('0123456789abcdef', 'latin1');

/** Bucket of a 32-bit value: its top `bits` bits as fixed-width hex (the script's `bucket`). */
export function bucketHex(x: number, bits: number): string {
  return (x >>> (32 - bits)).toString(16).padStart(Math.ceil(bits / 4), '0');
}

/** `bucketHex` written into `buf` at `o` (hot path: no intermediate string). */
function writeBucket(buf: Buffer, o: number, x: number, bits: number): void {
  const v = x >>> (32 - bits);
  const n = Math.ceil(bits / 4);
  for (let i = 0; i < n; i++) buf[o + i] = HEX[(v >>> (4 * (n - 1 - i))) & 15]!;
}

export interface RecordLayout {
  /** MinHash lanes stored per record (the band keys use the first bands x rows) */
  lanes: number;
  bands: number;
  rows: number;
  /** MinHash seed */
  seed: number;
  /** bits of an exact hash's bucket */
  xbits: number;
  /** bits of a band key's bucket */
  bucketBits: number;
}

export class RecordCodec {
  private readonly hasher: MinHasher;
  private readonly sig: Uint32Array;
  private readonly keys: Uint32Array;

  constructor(private readonly p: RecordLayout) {
    this.hasher = new MinHasher(p.lanes, p.seed);
    this.sig = new Uint32Array(p.lanes);
    this.keys = new Uint32Array(p.bands);
  }

  /** The record of `it` (its flags say whether to index it). */
  encode(it: DedupItem): Buffer {
    const f = it.features;
    const short = f.shingles.length === 0;
    const idb = Buffer.from(it.id, 'utf8');
    const B = this.p.bands;
    const L = this.p.lanes;
    const xh = Math.ceil(this.p.xbits / 4);
    const bh = Math.ceil(this.p.bucketBits / 4);
    const bko = 9 + xh;
    const bno = bko + 4 * B;
    const sigo = bno + bh * B;
    const buf = Buffer.alloc(sigo + 2 * L + idb.length, 0x30);
    buf[0] = (it.insert ? 1 : 0) | (short ? 2 : 0);
    buf.writeUInt32BE(f.exactHash[0]! >>> 0, 1);
    buf.writeUInt32BE(f.exactHash[1]! >>> 0, 5);
    writeBucket(buf, 9, f.exactHash[0]! >>> 0, this.p.xbits);
    if (!short) {
      // lanes computed ahead by a scoring thread (same seed: a prefix of the same lane stream) or here
      const pre = f.signature;
      const sig = pre !== undefined && pre.length >= this.p.lanes ? pre : this.hasher.signature(f.shingles, this.sig);
      bandKeys(sig, B, this.p.rows, this.p.seed, this.keys);
      for (let b = 0; b < B; b++) {
        const k = this.keys[b]! >>> 0;
        buf.writeUInt32BE(k, bko + 4 * b);
        writeBucket(buf, bno + bh * b, k, this.p.bucketBits);
      }
      for (let i = 0; i < L; i++) buf.writeUInt16BE(sig[i]! & 0xffff, sigo + 2 * i);
    }
    idb.copy(buf, sigo + 2 * L);
    return buf;
  }

  /** The band keys of an encoded record (empty for a short one). */
  bandsOf(rec: Buffer): Buffer {
    const bko = 9 + Math.ceil(this.p.xbits / 4);
    return rec[0]! & 2 ? Buffer.alloc(0) : rec.subarray(bko, bko + 4 * this.p.bands);
  }
}
