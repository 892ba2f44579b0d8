/**
 * The snapshot of the in-memory near-duplicate index (memory-index.ts): its byte layout, written by `serialize`
 * and read back, with the structural checks that keep a damaged snapshot from sending queries out of bounds.
 *
 * Layout (bytes.ts sections): magic "SFNDIX02", the parameters, the counts (slots, live, monotone, table capacity,
 * table keys), then the arrays ids, meta, next, band table cells, and sig16 ('estimate') or off + pool ('exact').
 */
import { ByteReader, ByteWriter } from './bytes.js';
import { checkNearDupParams, type NearDupIndexParams, type VerifyMode } from './near-dup-index.js';
import { META_DEAD } from './sketch.js';

const MAGIC = new TextEncoder().encode('SFNDIX02'); // 02: table of any capacity, scaled home cell

/** The state of an index a snapshot holds (see memory-index.ts for the meaning of each array). */
export interface NearDupIndexArrays {
  slots: number;
  live: number;
  monotone: boolean;
  ids: Uint32Array<ArrayBuffer>;
  meta: Uint8Array<ArrayBuffer>;
  next: Int32Array<ArrayBuffer>;
  /** band table cells, capacity and keys (band-table.ts) */
  table: Int32Array;
  tableCap: number;
  tableUsed: number;
  sig16: Uint16Array<ArrayBuffer>;
  off: Uint32Array<ArrayBuffer>;
  pool: Uint16Array<ArrayBuffer>;
  poolLen: number;
}

/** The snapshot of an index; `parts`: the large sections are views of the live arrays (see ByteWriter). */
export function writeSnapshot(p: Readonly<NearDupIndexParams>, a: NearDupIndexArrays, parts: boolean): ByteWriter {
  const sections = [a.ids.subarray(0, a.slots), a.meta.subarray(0, a.slots), a.next.subarray(0, a.slots * p.bands), a.table];
  const extra = p.verify === 'estimate' ? a.slots * p.numPerm * 2 : (a.slots + 1) * 4 + a.poolLen * 2;
  const w = new ByteWriter(256 + extra + sections.reduce((n, x) => n + x.byteLength + 16, 0), { parts });
  w.raw(MAGIC);
  w.u32(p.numPerm).u32(p.bands).u32(p.rows).u32(p.seed >>> 0).u32(p.verify === 'exact' ? 1 : 0);
  w.u32(p.sketchSize).u32(p.maxCandidates).f64(p.threshold);
  w.u32(a.slots).u32(a.live).u32(a.monotone ? 1 : 0).u32(a.tableCap).u32(a.tableUsed);
  w.array(a.ids.subarray(0, a.slots));
  w.array(a.meta.subarray(0, a.slots));
  w.array(a.next.subarray(0, a.slots * p.bands));
  w.array(a.table);
  if (p.verify === 'estimate') w.array(a.sig16.subarray(0, a.slots * p.numPerm));
  else {
    w.array(a.off.subarray(0, a.slots + 1));
    w.array(a.pool.subarray(0, a.poolLen));
  }
  return w;
}

/** Inverse of `writeSnapshot`. Throws RangeError on a corrupt or truncated snapshot. */
export function readSnapshot(bytes: Uint8Array): { params: NearDupIndexParams; arrays: NearDupIndexArrays } {
  const r = new ByteReader(bytes);
  const magic = r.raw(MAGIC.length);
  if (!magic.every((b, i) => b === MAGIC[i])) throw new RangeError('near index: not a snapshot (bad magic)');
  const numPerm = r.u32();
  const bands = r.u32();
  const rows = r.u32();
  const seed = r.u32() | 0;
  const verify: VerifyMode = r.u32() === 1 ? 'exact' : 'estimate';
  const sketchSize = r.u32();
  const maxCandidates = r.u32();
  const threshold = r.f64();
  const params: NearDupIndexParams = { numPerm, bands, rows, seed, verify, sketchSize, maxCandidates, threshold };
  checkNearDupParams(params);
  const slots = r.u32();
  const live = r.u32();
  const monotone = r.u32() === 1;
  const tableCap = r.u32();
  const tableUsed = r.u32();
  if (live > slots || tableCap < 16 || tableUsed >= tableCap) {
    throw new RangeError('near index: corrupt header');
  }
  const a: NearDupIndexArrays = {
    slots,
    live,
    monotone,
    ids: r.array(Uint32Array, slots),
    meta: r.array(Uint8Array, slots),
    next: r.array(Int32Array, slots * bands),
    table: r.array(Int32Array, 2 * tableCap),
    tableCap,
    tableUsed,
    sig16: new Uint16Array(0),
    off: new Uint32Array(1),
    pool: new Uint16Array(0),
    poolLen: 0,
  };
  if (verify === 'estimate') a.sig16 = r.array(Uint16Array, slots * numPerm);
  else {
    a.off = r.array(Uint32Array, slots + 1);
    a.poolLen = a.off[slots]!;
    a.pool = r.array(Uint16Array, a.poolLen);
  }
  checkStructure(a, bands, verify);
  return { params, arrays: a };
}

/** Structural checks so a damaged snapshot cannot send queries out of bounds. */
function checkStructure(a: NearDupIndexArrays, bands: number, verify: VerifyMode): void {
  const maxEntry = a.slots * bands;
  for (let i = 0; i < a.next.length; i++) if (a.next[i]! < 0 || a.next[i]! > maxEntry || a.next[i]! > i) throw new RangeError('near index: corrupt chains');
  let used = 0;
  for (let c = 1; c < a.table.length; c += 2) {
    if (a.table[c]! < 0 || a.table[c]! > maxEntry) throw new RangeError('near index: corrupt table');
    if (a.table[c] !== 0) used++;
  }
  // an exact count also guarantees an empty cell, which every probe loop relies on to terminate
  if (used !== a.tableUsed) throw new RangeError('near index: corrupt table count');
  if (verify === 'exact') {
    if (a.off[0] !== 0) throw new RangeError('near index: corrupt offsets');
    for (let s = 0; s < a.slots; s++) if (a.off[s + 1]! < a.off[s]!) throw new RangeError('near index: corrupt offsets');
  }
  let dead = 0;
  for (let s = 0; s < a.slots; s++) if ((a.meta[s]! & META_DEAD) !== 0) dead++;
  if (a.slots - dead !== a.live) throw new RangeError('near index: corrupt live count');
}
