/**
 * How the Redis backend stores a partition's tail statistics (one string value): docs(4, big-endian) followed by
 * the document frequencies (Uint32 array, native byte order) deflated raw.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { TailStats } from '../backend.js';

export function encodeTail(t: TailStats): Buffer {
  const h = Buffer.alloc(4);
  h.writeUInt32BE(t.docs >>> 0, 0);
  return Buffer.concat([h, deflateRawSync(Buffer.from(t.df.buffer, t.df.byteOffset, t.df.byteLength), { level: 1 })]);
}

export function decodeTail(b: Buffer): TailStats {
  const raw = inflateRawSync(b.subarray(4));
  return { docs: b.readUInt32BE(0), df: new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)) };
}
