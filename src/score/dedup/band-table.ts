/**
 * The band table of the in-memory near-duplicate index: an open-addressing map (linear probing) from a band key to
 * the head of its chain (entry + 1; 0 = none). One table serves all bands (the band number is mixed into the key).
 *
 * Cells are [key, head entry + 1] pairs in one Int32Array. A key's home cell is its position in [0, 2^32) scaled to
 * the capacity, so any capacity works and the table grows by TABLE_GROWTH when its load passes MAX_LOAD (the load
 * stays in ~[0.47, 0.75]). A table is never full, so every probe loop ends at an empty cell.
 */

const MAX_LOAD = 0.75;
const TABLE_GROWTH = 1.6;

/**
 * Home cell of a band key in a table of `cap` cells: the key's position in [0, 2^32) scaled to [0, cap)
 * (band keys are fmix32 outputs, uniformly spread). Any capacity works, so the table can grow by 1.6x
 * instead of doubling.
 */
function tableHome(key: number, cap: number): number {
  const i = Math.floor((key >>> 0) * (cap / 4294967296));
  return i < cap ? i : cap - 1;
}

export class BandTable {
  /** `table`: 2 x `cap` Int32 ([key, head + 1] per cell); `used`: cells holding a key (a snapshot's, or empty) */
  constructor(
    private table: Int32Array = new Int32Array(2 * 1024),
    private cap = 1024,
    private used = 0,
  ) {}

  /** the cells (2 per cell; a snapshot writes them as they are) */
  get cells(): Int32Array {
    return this.table;
  }

  get capacity(): number {
    return this.cap;
  }

  /** cells holding a key */
  get keys(): number {
    return this.used;
  }

  /** Set the chain head for `key` to `entryPlus1`; returns the previous head (+1) or 0. */
  pushHead(key: number, entryPlus1: number): number {
    if (this.used + 1 > this.cap * MAX_LOAD) this.grow();
    const t = this.table;
    const cap = this.cap;
    key |= 0;
    for (let i = tableHome(key, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const h = t[2 * i + 1]!;
      if (h === 0) {
        t[2 * i] = key;
        t[2 * i + 1] = entryPlus1;
        this.used++;
        return 0;
      }
      if (t[2 * i] === key) {
        t[2 * i + 1] = entryPlus1;
        return h;
      }
    }
  }

  /** The chain head (+1) of `key`, or 0. */
  head(key: number): number {
    const t = this.table;
    const cap = this.cap;
    key |= 0;
    for (let i = tableHome(key, cap); ; i = i + 1 === cap ? 0 : i + 1) {
      const h = t[2 * i + 1]!;
      if (h === 0) return 0;
      if (t[2 * i] === key) return h;
    }
  }

  private grow(): void {
    const old = this.table;
    const cap = Math.ceil(this.cap * TABLE_GROWTH);
    const t = new Int32Array(2 * cap);
    for (let c = 0; c < old.length; c += 2) {
      const h = old[c + 1]!;
      if (h === 0) continue;
      const key = old[c]!;
      let i = tableHome(key, cap);
      while (t[2 * i + 1] !== 0) i = i + 1 === cap ? 0 : i + 1;
      t[2 * i] = key;
      t[2 * i + 1] = h;
    }
    this.table = t;
    this.cap = cap;
  }
}
