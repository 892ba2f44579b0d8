/**
 * Step "score parts" of the nightly job (phase A): pure scoring of every input file (validation, diversity, origin,
 * the per-record features the sequential steps need), in parallel, into spool files under the run's work folder.
 *
 * Inputs: the planned run, its work folder, the config, a scoring pool (or none: scoring in this thread). Output:
 * one spool per part, and `ScoredParts`, which reads a file's records back in input order as soon as its parts are
 * scored. A large plain JSONL file is scored in parts (byte ranges cut at line starts; the cut depends only on the
 * file, never on --workers), so one big new file still keeps every scoring thread busy. A complete spool from a
 * crashed attempt (its `.done` marker) is reused.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../config/index.js';
import type { PendingRun } from '../../state/file-store.js';
import { FilterCore, type Prepared } from '../core.js';
import type { ScoringPool } from '../pool.js';
import { readSpool, splitPoints, writeSpool, type ByteRange, type SpoolResult } from '../spool.js';
import type { StopWatch } from '../stop.js';

export interface Part {
  spool: string;
  /** the byte range of the file (null: the whole file) */
  range: ByteRange | null;
}

/** The parts of each file of the run, and where their spools go (names depend only on the run's files). */
export function partsOf(run: PendingRun, workDir: string, format: Config['input']['format']): Part[][] {
  return run.files.map((f, i) =>
    splitPoints(f.path, f.size, format).map((r, k, all) => ({
      spool: join(workDir, `${String(i).padStart(6, '0')}-${String(k).padStart(4, '0')}.spool`),
      range: all.length > 1 ? r : null,
    })),
  );
}

export interface ScoreInput {
  run: PendingRun;
  parts: Part[][];
  cfg: Config;
  /** scoring threads; null: score in this thread, one part after the other */
  pool: ScoringPool | null;
  /** MinHash lanes the state backend reads from signatures computed ahead */
  lanes: number;
  stop: StopWatch;
  /** spool bytes of records the first pass keeps in memory for later passes (default 256 MiB) */
  cacheBytes?: number;
  /** called when a whole file is scored (records read, first read error) */
  onFileScored?: (i: number, r: SpoolResult) => void;
}

/** The scoring step under way: per-part and per-file results, and the records read back in input order. */
export class ScoredParts {
  /** per file, per part */
  readonly partScored: Array<Array<Promise<SpoolResult>>> = [];
  /** per file: its records and its first read error */
  readonly files: Array<Promise<SpoolResult>>;
  /** scoring in this thread (no pool): settles when the last part does */
  private chain: Promise<unknown> = Promise.resolve();
  // spools read by the first pass stay in memory for later passes up to a budget, so each is parsed and featurised
  // once; beyond the budget a pass re-reads its spool
  private cacheBudget: number;
  private readonly cache: Array<Prepared[] | null>;
  private reader: FilterCore | null = null;

  constructor(private readonly s: ScoreInput) {
    const { run, parts, cfg, pool, stop } = s;
    const spoolOpts = { lanes: s.lanes };
    const local = pool ? null : new FilterCore(cfg);
    this.cache = run.files.map(() => null);
    this.cacheBudget = s.cacheBytes ?? 256 * 2 ** 20;
    this.files = run.files.map((f, i) => {
      const one = (part: Part) => {
        const go = async (): Promise<SpoolResult> => {
          stop.check();
          if (existsSync(part.spool + '.done')) return JSON.parse(readFileSync(part.spool + '.done', 'utf8')) as SpoolResult;
          return pool ? await pool.score(f.path, part.spool, part.range, spoolOpts) : await writeSpool(cfg, f.path, part.spool, local!, spoolOpts, part.range, stop);
        };
        if (pool) return go();
        const p = this.chain.then(go);
        this.chain = p.catch(() => {});
        return p;
      };
      this.partScored[i] = parts[i]!.map(one);
      this.partScored[i]!.forEach((p) => p.catch(() => {}));
      return Promise.all(this.partScored[i]!).then((rs): SpoolResult => {
        // a part that hit a read error ends the file there (as an unsplit read would, and records() does)
        const bad = rs.findIndex((x) => x.error);
        const used = bad >= 0 ? rs.slice(0, bad + 1) : rs;
        const r = { items: used.reduce((a, x) => a + x.items, 0), error: bad >= 0 ? rs[bad]!.error : null };
        s.onFileScored?.(i, r);
        return r;
      });
    });
    // surface the first failure where it is awaited, without leaving unhandled rejections behind
    this.files.forEach((p) => p.catch(() => {}));
  }

  /** Scoring in this thread winds down (after a stop). */
  settled(): Promise<unknown> {
    return this.chain;
  }

  /** The core that restores records from spools (the routing thread's: text field, featuriser). */
  readWith(core: FilterCore): void {
    this.reader = core;
  }

  /** File `i` scored completely (or the stop, whichever comes first). */
  fileDone(i: number): Promise<SpoolResult> {
    return this.s.stop.race(this.files[i]!);
  }

  /** File `i`'s records: its parts' spools in order, line numbers continued across parts; `fill`: keep them in
   * memory for the next pass when the budget allows. */
  async *records(i: number, fill: boolean): AsyncGenerator<Prepared> {
    const c = this.cache[i];
    if (c) return yield* c;
    const parts = this.s.parts[i]!;
    // each part is read as soon as it is scored (the first pass does not wait for the whole file)
    let keep = fill;
    let taken = 0;
    const arr: Prepared[] = [];
    let base = 0;
    for (let k = 0; k < parts.length; k++) {
      const r = await this.s.stop.race(this.partScored[i]![k]!);
      const size = statSync(parts[k]!.spool).size;
      if (keep && size <= this.cacheBudget) {
        this.cacheBudget -= size;
        taken += size;
      } else keep = false;
      for await (const p of readSpool(parts[k]!.spool, this.reader!, base)) {
        if (keep) arr.push(p);
        yield p;
      }
      base += r.lines ?? 0;
      if (r.error) break; // a read error ends the file there, as an unsplit read would
    }
    if (keep) this.cache[i] = arr;
    else this.cacheBudget += taken;
  }
}
