/**
 * The near-duplicate scorer: exact duplicates by 64-bit hash of the normalised text, then near duplicates by
 * MinHash + banded LSH with verification, under streaming keep-first semantics.
 *
 * `score` only reads (a record is compared with the records committed so far); `commit` inserts an accepted
 * record. The core calls `commit` in input order after the router accepted the record, so the match returned by
 * `score` is always the earliest accepted record the text duplicates.
 */
import type { DupScore, Features, JsonRecord, ScoreContext, Scorer } from '../../types.js';
import type { TextOptions } from '../../text/features.js';
import { ByteReader, ByteWriter, concatParts } from './bytes.js';
import { ExactSet } from './exact-set.js';
import { IdPool } from './id-pool.js';
import { deriveBandsRows } from './lsh.js';
import { MemoryNearDupIndex } from './memory-index.js';
import { MinHasher } from './minhash.js';
import { defaults, type Config } from '../../config/index.js';

/**
 * The scorer's view of `dedup.*` (config/schema.ts): every key but `keep`, which only the nightly clustering reads.
 * Notes on the keys, from test/bench/dedup.ts (docs/dedup.md has the measurements):
 *  - numPerm: with verify 'exact' only bands*rows lanes are computed (48 -> 12x4 at t = 0.8 with fnWeight 0.998);
 *    with 'estimate' all lanes feed the estimate (error ~sqrt(J(1-J)/numPerm), so that mode wants 256+). 48
 *    measured best in `--sweep`: recall at the threshold 1-(1-0.8^4)^12 = 0.998, ~40% fewer lanes than 12x5 at 64.
 *  - bands, rows: 0 derives both from threshold, numPerm and fnWeight (lsh.ts deriveBandsRows); both must be set to
 *    override.
 *  - fnWeight: weight of the false-negative integral (false positives get 1 - fnWeight). Candidates are always
 *    verified, so a false positive costs only a verification: weigh misses heavily (the FP integral spans [0, t],
 *    four times the FN span, so even 0.99 leaves P(t) at ~0.99).
 *  - verify: 'exact' = Jaccard on a stored bottom-K shingle sketch (exact for texts with <= sketchSize shingles),
 *    'estimate' = MinHash estimate from the stored 16-bit signature. On the 100k benchmark: exact P/R 0.999/0.999;
 *    estimate 0.954/0.953 with 128 lanes, 0.965/0.967 with 256.
 *  - sketchSize: K of the bottom-K sketch (2 bytes per kept shingle). 256 covers ~1.4 KB of English text exactly;
 *    longer texts are compared on a bottom-256 hash sample (error ~0.02 at J = 0.8). 512 measured P/R
 *    0.9998/0.9998 vs 0.9989/0.9989 but allows up to 1 KB of sketch per long record.
 *  - seed: of the MinHash lane keys and band keys (the text hashes have their own seed in the text options).
 */
export type DedupConfig = Omit<Config['dedup'], 'keep'>;

export const DEDUP_DEFAULTS: DedupConfig = withoutKeep(defaults().dedup);

/** `dedup.*` without `keep`: the scorer's config. */
export function withoutKeep(dedup: Config['dedup']): DedupConfig {
  const { keep: _keep, ...scorer } = dedup;
  return scorer;
}

/** The text-layer options this scorer's config implies (merge into createFeaturizer's options). */
export function dedupTextOptions(cfg: DedupConfig): Partial<TextOptions> {
  return {
    lowercase: cfg.normalize.lowercase,
    collapseWhitespace: cfg.normalize.collapseWhitespace,
    stripPunctuation: cfg.normalize.stripPunctuation,
    unicode: cfg.normalize.unicode,
    shingleUnit: cfg.shingle.unit,
    shingleSize: cfg.shingle.size,
  };
}

/** bands x rows in force for a config (derived when either is 0). */
export function resolveBandsRows(cfg: Pick<DedupConfig, 'threshold' | 'numPerm' | 'bands' | 'rows' | 'fnWeight'>): { bands: number; rows: number } {
  if (cfg.bands > 0 && cfg.rows > 0) return { bands: cfg.bands, rows: cfg.rows };
  // a threshold of exactly 1 derives like 0.999 (the S-curve integrals need t < 1)
  return deriveBandsRows(Math.min(cfg.threshold, 0.999), cfg.numPerm, cfg.fnWeight);
}

export interface DedupScorer extends Scorer<DupScore> {
  readonly name: 'dup';
  score(record: JsonRecord, features: Features, ctx?: ScoreContext): DupScore;
  /** Insert an accepted record (call in input order). */
  commit(id: string, features: Features): void;
  /** Forget a committed record; `features` makes it O(1), without them the id table is scanned. */
  remove(id: string, features?: Features): boolean;
  /** Forget many committed records by id in one pass over the tables (O(records + ids), not O(records) each). */
  removeMany(ids: string[]): number;
  /** committed records still held */
  readonly size: number;
  /** bytes retained per committed record: near index + exact set + id table */
  bytesPerRecord(): number;
  stats(): Record<string, number | string>;
  serialize(): Uint8Array;
  /** The same bytes as `serialize`, as pieces whose large parts are views of the live tables (no 0.6 GB copy at
   * 1M records); write them out before the next commit or removal. */
  serializeParts(): Uint8Array[];
  readonly bandsRows: { bands: number; rows: number };
  /** MinHash lanes this scorer reads (a signature computed ahead must have at least this many) */
  readonly lanes: number;
}

const NONE: DupScore = Object.freeze({ kind: null, of: null, similarity: null }) as DupScore;
const MAGIC = new TextEncoder().encode('SFDDUP01');

function validate(cfg: DedupConfig): void {
  const bad = (k: string, v: unknown) => new RangeError(`dedup: invalid ${k}: ${JSON.stringify(v)}`);
  if (!(cfg.threshold > 0 && cfg.threshold <= 1)) throw bad('threshold', cfg.threshold);
  if (!Number.isInteger(cfg.numPerm) || cfg.numPerm < 1 || cfg.numPerm > 4096) throw bad('numPerm', cfg.numPerm);
  if (!Number.isInteger(cfg.bands) || !Number.isInteger(cfg.rows) || cfg.bands < 0 || cfg.rows < 0) throw bad('bands/rows', [cfg.bands, cfg.rows]);
  if (cfg.bands * cfg.rows > cfg.numPerm) throw bad('bands*rows (> numPerm)', [cfg.bands, cfg.rows]);
  if (!(cfg.fnWeight >= 0 && cfg.fnWeight <= 1)) throw bad('fnWeight', cfg.fnWeight);
  if (cfg.verify !== 'exact' && cfg.verify !== 'estimate') throw bad('verify', cfg.verify);
  if (!Number.isInteger(cfg.sketchSize) || cfg.sketchSize < 1 || cfg.sketchSize > 65535) throw bad('sketchSize', cfg.sketchSize);
  if (!Number.isInteger(cfg.maxCandidates) || cfg.maxCandidates < 1) throw bad('maxCandidates', cfg.maxCandidates);
  if (!Number.isInteger(cfg.seed)) throw bad('seed', cfg.seed);
}

/**
 * Create the scorer. `snapshot` (from `serialize()`) restores committed state; it must come from the same
 * dedup parameters (numPerm, bands, rows, threshold, verify, sketchSize, seed) or a RangeError is thrown.
 */
export function createDedupScorer(cfg: DedupConfig = DEDUP_DEFAULTS, snapshot?: Uint8Array): DedupScorer {
  const c: DedupConfig = { ...DEDUP_DEFAULTS, ...cfg };
  validate(c);
  const { bands, rows } = resolveBandsRows(c);
  const hasher = new MinHasher(c.numPerm, c.seed);
  let index = new MemoryNearDupIndex({
    numPerm: c.numPerm,
    bands,
    rows,
    threshold: c.threshold,
    verify: c.verify,
    seed: c.seed,
    sketchSize: c.sketchSize,
    maxCandidates: c.maxCandidates,
  });
  const lanes = index.lanesNeeded;
  let exactSet = new ExactSet(1024);
  let ids = new IdPool();
  let live = 0;
  const sigCache = new WeakMap<Features, Uint32Array>();

  if (snapshot) {
    const r = new ByteReader(snapshot);
    const magic = r.raw(MAGIC.length);
    if (!magic.every((b, i) => b === MAGIC[i])) throw new RangeError('dedup: not a dedup snapshot');
    live = r.u32();
    ids = IdPool.read(r);
    exactSet = ExactSet.read(r);
    const restored = MemoryNearDupIndex.deserialize(r.array(Uint8Array));
    const a = restored.params;
    const b = index.params;
    if (a.numPerm !== b.numPerm || a.bands !== b.bands || a.rows !== b.rows || a.threshold !== b.threshold || a.verify !== b.verify || a.sketchSize !== b.sketchSize || a.seed !== b.seed) {
      throw new RangeError('dedup: snapshot was written with different dedup parameters');
    }
    index = restored;
  }

  function signature(f: Features): Uint32Array {
    let sig = sigCache.get(f);
    if (sig === undefined) {
      const pre = f.signature;
      if (pre !== undefined && pre.length >= lanes) {
        // computed ahead (same seed: the lane keys are a seeded stream, so its prefix is this scorer's lanes)
        if (pre.length >= c.numPerm) sig = pre;
        else {
          sig = new Uint32Array(c.numPerm);
          sig.set(pre.subarray(0, lanes));
        }
      } else sig = hasher.signature(f.shingles, new Uint32Array(c.numPerm), lanes);
      sigCache.set(f, sig);
    }
    return sig;
  }

  function slotOfFeatures(f: Features): number {
    const h = f.exactHash;
    return exactSet.get(h[0]!, h[1]!);
  }

  const scorer: DedupScorer = {
    name: 'dup',
    bandsRows: { bands, rows },
    lanes,

    get size() {
      return live;
    },

    score(_record: JsonRecord, f: Features): DupScore {
      if (!c.enabled) return { ...NONE };
      // shingles are only computed when near-duplicate detection needs them
      const short = c.near && f.shingles.length === 0;
      if (c.exact) {
        const slot = slotOfFeatures(f);
        if (slot >= 0) {
          const out: DupScore = { kind: 'exact', of: ids.get(slot), similarity: 1 };
          if (short) out.short = true;
          return out;
        }
      }
      if (short) return { kind: null, of: null, similarity: null, short: true };
      if (c.near && index.size > 0) {
        const m = index.query(signature(f), f.shingles);
        if (m !== null) return { kind: 'near', of: ids.get(m.id), similarity: m.similarity };
      }
      return { ...NONE };
    },

    commit(id: string, f: Features): void {
      if (!c.enabled) return;
      const slot = ids.push(String(id));
      live++;
      if (c.exact) {
        const h = f.exactHash;
        exactSet.add(h[0]!, h[1]!, slot);
      }
      if (c.near && f.shingles.length > 0) {
        index.insert(slot, signature(f), f.shingles);
        sigCache.delete(f);
      }
    },

    removeMany(idList: string[]): number {
      if (idList.length === 0) return 0;
      const want = new Set(idList);
      const slots = new Set<number>();
      for (let sl = 0; sl < ids.size; sl++) if (want.has(ids.get(sl))) slots.add(sl);
      const keys: Array<[number, number]> = [];
      exactSet.forEach((hi, lo, slot) => {
        if (slots.has(slot)) keys.push([hi, lo]);
      });
      const exactOf = new Map<number, boolean>();
      for (const [hi, lo] of keys) exactOf.set(exactSet.get(hi, lo), exactSet.delete(hi, lo));
      let removed = 0;
      for (const sl of slots) {
        const hit = index.remove(sl) || exactOf.get(sl) === true;
        if (hit) {
          live--;
          removed++;
        }
      }
      return removed;
    },
    remove(id: string, f?: Features): boolean {
      let slots: number[];
      if (f !== undefined) {
        const s = slotOfFeatures(f);
        slots = s >= 0 && ids.get(s) === id ? [s] : ids.find(id);
      } else slots = ids.find(id);
      let removed = false;
      for (const s of slots) {
        let hit = index.remove(s);
        // drop the exact key that points at this slot
        if (f !== undefined && slotOfFeatures(f) === s) {
          const h = f.exactHash;
          hit = exactSet.delete(h[0]!, h[1]!) || hit;
        } else {
          let key: [number, number] | null = null;
          exactSet.forEach((hi, lo, slot) => {
            if (slot === s) key = [hi, lo];
          });
          if (key !== null) hit = exactSet.delete(key[0], key[1]) || hit;
        }
        if (hit) {
          live--;
          removed = true;
        }
      }
      return removed;
    },

    bytesPerRecord(): number {
      if (live === 0) return 0;
      return (index.bytes() + exactSet.bytes() + ids.bytesRetained()) / live;
    },

    stats() {
      return {
        ...index.stats(),
        exactSet: exactSet.bytes(),
        idTable: ids.bytesRetained(),
        bands,
        rows,
        verify: c.verify,
        bytesPerRecord: scorer.bytesPerRecord(),
      };
    },

    serialize(): Uint8Array {
      return concatParts(scorer.serializeParts());
    },

    serializeParts(): Uint8Array[] {
      const w = new ByteWriter(1024, { parts: true });
      w.raw(MAGIC);
      w.u32(live);
      ids.write(w);
      exactSet.write(w);
      w.pieces(index.serializeParts());
      return w.finishParts();
    },
  };
  return scorer;
}
