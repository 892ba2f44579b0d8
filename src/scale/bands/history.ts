/**
 * Earlier nights as LSM band files (issue 19, item 3). After a night commits, its kept records become a run set
 * under `<dir>` (the state folder's `bands/`): the same files as a map output (band runs per group, exact run,
 * signature rows), with refs renamed to history ids (HISTORY | id; ids given in seq order, continuing the last
 * set). A run set is a folder `L<level>-<first id>-<end id>` with a `set.json`, written under a temp name and
 * renamed, so it appears whole. When a level holds more than `fanIn` sets, they merge (k-way, per file) into one
 * set of the next level. Night N's reduce and cluster read the sets' files next to tonight's runs (historyInputs):
 * nothing of the history is loaded into memory beyond the signature files' ref columns. A set names its records in
 * an id file `ids` (+ `ids.end`, id-file.ts), written and merged by streaming; a set written by the previous release
 * has `ids.json` instead, still read (and merged into an id file when compacted).
 *
 * Idempotent: a set's name follows from its ids, so a rerun of a commit or a compaction finds its output in place;
 * a set covered by a larger set (a compaction cut short before removing its inputs) is ignored and removed.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SynthfilterError } from '../../errors.js';
import { MergeReader, RowWriter, mergeRuns } from './rows.js';
import { BAND_WIDTH, EXACT_WIDTH, HISTORY, sigWidth, type BandParams } from './params.js';
import { IdFileReader, IdFileWriter, idFileExists, idsOf, type IdList } from './id-file.js';
import { KeptIds } from './kept-ids.js';
import type { PartFiles } from './map.js';

export interface RunSet {
  name: string;
  level: number;
  /** history ids [first, end) */
  first: number;
  end: number;
  path: string;
}

const SET_RE = /^L(\d+)-(\d{10})-(\d{10})$/;
export const setName = (level: number, first: number, end: number) => `L${level}-${String(first).padStart(10, '0')}-${String(end).padStart(10, '0')}`;

/** The run sets of `dir`, oldest ids first (sets covered by another are removed). */
export function listSets(dir: string): RunSet[] {
  if (!existsSync(dir)) return [];
  const all: RunSet[] = [];
  for (const name of readdirSync(dir)) {
    const m = SET_RE.exec(name);
    if (!m || !existsSync(join(dir, name, 'set.json'))) continue;
    all.push({ name, level: Number(m[1]), first: Number(m[2]), end: Number(m[3]), path: join(dir, name) });
  }
  const live = all.filter((s) => !all.some((o) => o !== s && o.first <= s.first && o.end >= s.end && o.end - o.first > s.end - s.first));
  for (const s of all) if (!live.includes(s)) rmSync(s.path, { recursive: true, force: true });
  return live.sort((a, b) => a.first - b.first || a.end - b.end);
}

/** What a night's commit records with its set (set.json `generation`; the id file `ids`: the kept records' ids in
 * history-id order, so a later night can name the record it duplicates). */
export interface SetMeta {
  /** the state generation the night committed from */
  generation?: number;
  /** one id per kept record, in seq order (read once, as the set is written) */
  ids?: Iterable<string>;
}

/** The state generation a set was committed from (merged sets: the newest of theirs; -1 when unrecorded). */
export function setGeneration(s: RunSet): number {
  const g = (JSON.parse(readFileSync(join(s.path, 'set.json'), 'utf8')) as { generation?: number }).generation;
  return typeof g === 'number' ? g : -1;
}

/** Remove the sets committed from `generation` or later: what a night's crashed attempt left before its state
 * commit (so the redo sees the history as the night first saw it); `keep`: the level-0 set [first, end) stays
 * (the night's own set, placed whole by placeStagedSet before the crash). */
export function dropSetsFrom(dir: string, generation: number, o: { keep?: { first: number; end: number } } = {}): void {
  for (const s of listSets(dir)) {
    if (setGeneration(s) < generation || (s.level === 0 && s.first === o.keep?.first && s.end === o.keep.end)) continue;
    rmSync(s.path, { recursive: true, force: true });
  }
}

/** An older set's ids.json (one JSON array, loaded whole: sets written before id files). */
class JsonIds implements IdList {
  private readonly ids: string[];
  constructor(path: string, expected: number) {
    let ids: unknown;
    try {
      ids = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new SynthfilterError('E_STATE', `bands history: ${path} does not parse (${(e as Error).message})`, path);
    }
    if (!Array.isArray(ids) || ids.length !== expected || !ids.every((x) => typeof x === 'string')) throw new SynthfilterError('E_STATE', `bands history: ${path} is not an array of ${expected} ids`, path);
    this.ids = ids as string[];
  }
  get count(): number {
    return this.ids.length;
  }
  get(i: number): string {
    if (i < 0 || i >= this.ids.length) throw new RangeError(`bands history ids: no id ${i} (${this.ids.length} ids)`);
    return this.ids[i]!;
  }
  close(): void {}
}

/** The record ids of the history ids [s.first, s.end) by index from s.first: the set's id file, or the ids.json
 * of a set an older release wrote (null when the set names no records). Close it after use. */
export function setIdReader(s: RunSet): IdList | null {
  const file = join(s.path, 'ids');
  if (idFileExists(file)) {
    const r = new IdFileReader(file);
    if (r.count === s.end - s.first) return r;
    r.close();
    throw new SynthfilterError('E_STATE', `bands history: ${file} names ${r.count} records, the set holds ${s.end - s.first}`, file);
  }
  const json = join(s.path, 'ids.json');
  return existsSync(json) ? new JsonIds(json, s.end - s.first) : null;
}

/** Write `ids` as the id file of a set being built in `tmp`: exactly `expected` of them (RangeError otherwise). */
function writeSetIds(tmp: string, ids: Iterable<string>, expected: number): void {
  const w = new IdFileWriter(join(tmp, 'ids'));
  try {
    for (const id of ids) {
      if (w.count === expected) throw new RangeError(`bands history: more ids than the ${expected} kept records`);
      w.add(id);
    }
    if (w.count !== expected) throw new RangeError(`bands history: ${w.count} ids for ${expected} kept records`);
  } catch (e) {
    w.abandon();
    throw e;
  }
  w.close();
}

/** The files night N's reduce (per band group) and cluster read from the history (`below`: only the sets
 * committed from an earlier state generation). */
export function historyInputs(dir: string, groups: number, below = Infinity): { bandRuns: string[][]; exact: string[]; sigs: string[]; nextId: number } {
  const sets = listSets(dir).filter((s) => below === Infinity || setGeneration(s) < below);
  return {
    bandRuns: Array.from({ length: groups }, (_, g) => sets.map((s) => join(s.path, `band-${g}.run`))),
    exact: sets.map((s) => join(s.path, 'exact.run')),
    sigs: sets.map((s) => join(s.path, 'sig')),
    nextId: sets.length ? Math.max(...sets.map((s) => s.end)) : 0,
  };
}

/** Write tonight's kept records as a level-0 set in one call (the night's history tasks do it file by file:
 * stageNightFile, then placeStagedSet): `kept[seq]` = 1, or the cluster task's verdict file (rows with status
 * KEPT). Returns it (null when nothing was kept). Memory: a bit per record of tonight (KeptIds). */
export function commitNight(dir: string, p: BandParams, parts: ReadonlyArray<Omit<PartFiles, 'records' | 'spills'>>, kept: Uint8Array | string, meta: SetMeta = {}): RunSet | null {
  const first = historyInputs(dir, p.groups).nextId;
  const ids = typeof kept === 'string' ? KeptIds.fromVerdicts(kept) : KeptIds.fromFlags(kept);
  if (ids.size === 0) return null;
  const staged = join(dir, `.staged-commit-${first}`);
  const files = nightSetFiles(p).filter((f) => f !== 'ids' || meta.ids);
  for (const f of files) stageNightFile(staged, p, parts, ids, first, f, meta.ids);
  return placeStagedSet(dir, p, { staged, generation: meta.generation, first, kept: ids.size, files });
}

/** The files of a night's set that its history tasks write apart (stageNightFile), then placeStagedSet renames. */
export function nightSetFiles(p: BandParams): string[] {
  return [...Array.from({ length: p.groups }, (_, g) => `band-${g}.run`), 'exact.run', 'sig', 'ids'];
}

/** Where a night's set is staged: in the history folder (one filesystem, so placing it is a rename), hidden from
 * listSets, named by the state generation the night commits from. */
export const stagedSetDir = (dir: string, generation: number): string => join(dir, `.staged-g${generation}`);

/**
 * One file of tonight's set, written into the staged folder under a temporary name and renamed (a rerun writes the
 * same bytes): `file` one of nightSetFiles; `first` the first history id the set takes (the history below the
 * night's generation: historyInputs(dir, groups, generation).nextId); `ids` the kept records' ids in seq order
 * (file "ids" only).
 */
export function stageNightFile(staged: string, p: BandParams, parts: ReadonlyArray<Omit<PartFiles, 'records' | 'spills'>>, kept: KeptIds, first: number, file: string, ids?: Iterable<string>): void {
  mkdirSync(staged, { recursive: true });
  const tmp = join(staged, `.tmp-${file}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  const copy = (inputs: string[], width: number, keyWords: number, refAt: number) => {
    const m = new MergeReader(inputs, width, keyWords);
    const w = new RowWriter(join(tmp, file), width);
    while (m.next()) {
      const rank = kept.rankOf(m.row[refAt]!);
      if (rank < 0) continue;
      m.row[refAt] = (HISTORY | (first + rank)) >>> 0; // seq -> id is increasing: the run stays sorted
      w.write(m.row);
    }
    m.close();
    w.close();
  };
  const band = /^band-(\d+)\.run$/.exec(file);
  if (band) copy(parts.map((f) => f.bandRuns[Number(band[1])]!), BAND_WIDTH, BAND_WIDTH, 2);
  else if (file === 'exact.run') copy(parts.map((f) => f.exact), EXACT_WIDTH, EXACT_WIDTH, 2);
  else if (file === 'sig') copy(parts.map((f) => f.sig), sigWidth(p), 1, 0);
  else if (file === 'ids') writeSetIds(tmp, ids ?? [], kept.size);
  else throw new RangeError(`bands history: a set has no file "${file}"`);
  for (const f of readdirSync(tmp)) renameSync(join(tmp, f), join(staged, f));
  rmSync(tmp, { recursive: true, force: true });
}

/**
 * Make a staged set the level-0 set [first, first + kept) of the history: its set.json, then one rename.
 * Idempotent (a set already in place: the staged folder goes). Returns the set (null: nothing kept). `files`: the
 * files the staged folder must hold (default: every file of nightSetFiles).
 */
export function placeStagedSet(dir: string, p: BandParams, o: { staged: string; generation?: number; first: number; kept: number; files?: string[] }): RunSet | null {
  const end = o.first + o.kept;
  const name = setName(0, o.first, end);
  const path = join(dir, name);
  if (o.kept === 0 || existsSync(join(path, 'set.json'))) {
    rmSync(o.staged, { recursive: true, force: true });
    return o.kept === 0 ? null : { name, level: 0, first: o.first, end, path };
  }
  for (const f of o.files ?? nightSetFiles(p)) {
    if (!existsSync(join(o.staged, f))) throw new SynthfilterError('E_STATE', `bands history: the staged set ${o.staged} has no ${f}: its history task did not finish`);
  }
  writeSetJson(o.staged, p, 0, o.first, end, o.generation);
  rmSync(path, { recursive: true, force: true });
  renameSync(o.staged, path);
  return { name, level: 0, first: o.first, end, path };
}

/** Staged sets of nights before `generation` that never placed them (the state moved past them). */
export function dropStaleStaged(dir: string, generation: number): void {
  for (const n of existsSync(dir) ? readdirSync(dir) : []) {
    const m = /^\.staged-g(\d+)$/.exec(n);
    if (m && Number(m[1]) < generation) rmSync(join(dir, n), { recursive: true, force: true });
  }
}

function writeSetJson(path: string, p: BandParams, level: number, first: number, end: number, generation?: number): void {
  const meta = { format: 1, level, first, end, groups: p.groups, bands: p.bands, rows: p.rows, seed: p.seed, verify: p.verify, sketchSize: p.sketchSize, numPerm: p.numPerm, ...(generation === undefined ? {} : { generation }) };
  writeFileSync(join(path, 'set.json'), JSON.stringify(meta) + '\n');
}

/** A merge an LSM folder of run sets is due: the sets of the lowest level holding more than `fanIn`, the next
 * level's set they become, and its empty temporary folder (null: no level is over). Shared by the band history
 * and the ledger (ledger-runs.ts). */
export interface Compaction {
  merging: RunSet[];
  level: number;
  first: number;
  end: number;
  name: string;
  tmp: string;
}

export function nextCompaction(dir: string, fanIn: number): Compaction | null {
  const sets = listSets(dir);
  const levels = [...new Set(sets.map((s) => s.level))].sort((a, b) => a - b);
  const level = levels.find((l) => sets.filter((s) => s.level === l).length > fanIn);
  if (level === undefined) return null;
  const merging = sets.filter((s) => s.level === level);
  const first = merging[0]!.first;
  const end = merging[merging.length - 1]!.end;
  const name = setName(level + 1, first, end);
  const tmp = join(dir, `.tmp-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  return { merging, level: level + 1, first, end, name, tmp };
}

/** Merge the sets of any level holding more than `fanIn` into one set of the next level, until none does. */
export function compact(dir: string, p: BandParams, fanIn: number): RunSet[] {
  for (let c = nextCompaction(dir, fanIn); c; c = nextCompaction(dir, fanIn)) {
    const { merging, first, end, name, tmp } = c;
    for (let g = 0; g < p.groups; g++) mergeRuns(merging.map((s) => join(s.path, `band-${g}.run`)), join(tmp, `band-${g}.run`), BAND_WIDTH, BAND_WIDTH);
    mergeRuns(merging.map((s) => join(s.path, 'exact.run')), join(tmp, 'exact.run'), EXACT_WIDTH, EXACT_WIDTH);
    mergeRuns(merging.map((s) => join(s.path, 'sig')), join(tmp, 'sig'), sigWidth(p), 1);
    mergeSetIds(merging, tmp, end - first);
    const gens = merging.map(setGeneration);
    writeSetJson(tmp, p, c.level, first, end, gens.some((g) => g >= 0) ? Math.max(...gens) : undefined);
    renameSync(tmp, join(dir, name));
    for (const s of merging) rmSync(s.path, { recursive: true, force: true });
  }
  return listSets(dir);
}

/** The merged sets' ids, one after another, as the id file of the set being built in `tmp` (none unless every set
 * names its records). One set's reader is open at a time. */
function mergeSetIds(merging: RunSet[], tmp: string, expected: number): void {
  const named = merging.every((s) => idFileExists(join(s.path, 'ids')) || existsSync(join(s.path, 'ids.json')));
  if (!named) return;
  function* all(): Generator<string> {
    for (const s of merging) {
      const r = setIdReader(s)!;
      try {
        yield* idsOf(r);
      } finally {
        r.close();
      }
    }
  }
  writeSetIds(tmp, all(), expected);
}

/** The level and id range a set.json records (for tools and tests). */
export function readSet(path: string): { level: number; first: number; end: number } {
  return JSON.parse(readFileSync(join(path, 'set.json'), 'utf8')) as { level: number; first: number; end: number };
}
