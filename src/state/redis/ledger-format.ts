/**
 * How the Redis backend writes ledger keys and notes for the script's ledger commands (script/ledger.ts) and reads
 * its entries back.
 *
 *   exact hash key:  hash(8) bucket(hex)
 *   note:            hash key, label(1 digit) emitted(1 digit) p_ai(rest, '' = null)
 *   entry (reply):   '0' (none) | '1' label(1 digit) emitted(2) p_ai length(2) p_ai first run length(2) first run
 */
import type { OriginLabel } from '../../types.js';
import type { LedgerNote } from '../backend.js';
import type { LedgerEntry } from '../ledger.js';
import { bucketHex } from './record-codec.js';

/** an origin label's digit is its index here */
const LABELS: OriginLabel[] = ['unknown', 'human', 'synthetic'];

/** The key of exact hash `h` in the ledger: the hash (8 bytes) and its bucket of `xbits` bits. */
export function exactHashKey(h: ArrayLike<number>, xbits: number): Buffer {
  const x = bucketHex(h[0]! >>> 0, xbits);
  const b = Buffer.alloc(8 + x.length);
  b.writeUInt32BE(h[0]! >>> 0, 0);
  b.writeUInt32BE(h[1]! >>> 0, 4);
  b.write(x, 8, 'latin1');
  return b;
}

export function encodeLedgerNote(n: LedgerNote, xbits: number): Buffer {
  return Buffer.concat([exactHashKey(n.hash, xbits), Buffer.from(`${LABELS.indexOf(n.label)}${n.emitted ? 1 : 0}${n.pAi === null ? '' : String(n.pAi)}`)]);
}

/** The `count` entries of a `ledger_get` reply, in request order (null: not in the ledger). */
export function decodeLedgerEntries(b: Buffer, count: number): Array<LedgerEntry | null> {
  const out: Array<LedgerEntry | null> = [];
  let o = 0;
  for (let i = 0; i < count; i++) {
    if (b[o] === 0x30) {
      out.push(null);
      o += 1;
      continue;
    }
    const label = LABELS[b[o + 1]! - 0x30] ?? 'unknown';
    const emitted = b.readUInt16BE(o + 2);
    const pn = b.readUInt16BE(o + 4);
    const p = b.toString('utf8', o + 6, o + 6 + pn);
    o += 6 + pn;
    const fn = b.readUInt16BE(o);
    const firstRun = b.toString('utf8', o + 2, o + 2 + fn);
    o += 2 + fn;
    out.push({ firstRun, label, pAi: p === '' ? null : Number(p), emitted });
  }
  return out;
}
