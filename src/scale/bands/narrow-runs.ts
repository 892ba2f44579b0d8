/**
 * Merge passes that bound a k-way merge's fan-in. A night's reduce and cluster tasks merge one run per input part,
 * and an external sort one run per spill, so one merge could hold any number of open files and read buffers. Past
 * `fanIn` runs, consecutive groups of `fanIn` runs are first merged into scratch runs, pass after pass, until at
 * most `fanIn` remain. Merging consecutive groups keeps the merged order: a tie goes to the earlier run either way.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { mergeRuns } from './rows.js';

/** runs one merge of a night's part runs reads at most (16 KiB of the merge's 16 MiB read buffers each) */
export const MERGE_FAN_IN = 1024;

/** The fan-in of a night's merges: MERGE_FAN_IN, or the test hook SYNTHFILTER_TEST_MERGE_FAN_IN (so a test
 * with a few parts takes the passes a corpus of thousands of parts takes). */
export function nightFanIn(): number {
  const hook = Number(process.env.SYNTHFILTER_TEST_MERGE_FAN_IN);
  return Number.isInteger(hook) && hook >= 2 ? hook : MERGE_FAN_IN;
}

export interface NarrowOptions {
  /** runs per merge, at most (default nightFanIn()) */
  fanIn?: number;
  /** drop a row equal, on every word, to the one before (as `mergeRuns`) */
  unique?: boolean;
  /** the given runs are the caller's scratch too: remove each once merged */
  removeInputs?: boolean;
}

/** Runs that merge, in the order returned, to the same rows as `paths`: `paths` itself when there are at most
 * `fanIn`, else scratch runs written in the folder `scratch` (the caller removes it when its merge is done). */
export function narrowRuns(paths: readonly string[], width: number, keyWords: number, scratch: string, o: NarrowOptions = {}): readonly string[] {
  const fanIn = o.fanIn ?? nightFanIn();
  if (!(fanIn >= 2)) throw new Error(`narrowRuns: a fan-in of ${fanIn} cannot merge`);
  let runs = paths;
  for (let pass = 0; runs.length > fanIn; pass++) {
    mkdirSync(scratch, { recursive: true });
    const next: string[] = [];
    for (let at = 0; at < runs.length; at += fanIn) {
      const group = runs.slice(at, at + fanIn);
      if (group.length === 1) {
        next.push(group[0]!);
        continue;
      }
      const out = join(scratch, `merge-${pass}-${String(next.length).padStart(5, '0')}.run`);
      mergeRuns(group, out, width, keyWords, o.unique);
      if (pass > 0 || o.removeInputs) for (const g of group) rmSync(g, { force: true });
      next.push(out);
    }
    runs = next;
  }
  return runs;
}
