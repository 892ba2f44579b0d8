/**
 * History refs -> record ids: what the batch finish writes as `dup.of` for a duplicate of an earlier night. A run
 * set's ids (history.ts setIdReader: its id file, read by position) are opened when one of its records is first
 * asked for and stay open until close(); the sets are few (the LSM keeps at most FAN_IN per level).
 */
import { listSets, setGeneration, setIdReader, type RunSet } from './history.js';
import type { IdList } from './id-file.js';
import { HISTORY } from './params.js';

export class HistoryNames {
  private readonly sets: RunSet[];
  private readonly readers = new Map<string, IdList | null>();

  /** the sets of `dir` committed from a state generation below `below` (the history as the night first saw it) */
  constructor(dir: string, below: number) {
    this.sets = listSets(dir).filter((s) => setGeneration(s) < below);
  }

  /** The record id of history ref `ref` (HISTORY | history id); `history:<id>` when its set names no records. */
  idOf(ref: number): string {
    const id = ref - HISTORY;
    const s = this.sets.find((x) => x.first <= id && id < x.end);
    if (!s) return `history:${id}`;
    if (!this.readers.has(s.name)) this.readers.set(s.name, setIdReader(s));
    const r = this.readers.get(s.name);
    return r ? r.get(id - s.first) : `history:${id}`;
  }

  close(): void {
    for (const r of this.readers.values()) r?.close();
    this.readers.clear();
  }
}
