/**
 * The provenance ledger of the batch engine as LSM run sets (issue 19, item 3), under `<state>/ledger/`: each
 * night's commit writes one set of its own notes folded per exact hash; a reader folds the sets oldest first. The
 * fold is that of src/state/ledger.ts `Ledger.note` (the index engine's in-memory ledger), which is associative:
 *   first facts (first run, p_ai)  from the oldest set holding the hash (within a night: its first note)
 *   label                          the first known label in age order ('unknown' until one is known)
 *   emitted                        the capped sum of emitted notes (at most 0xffff)
 * A set is a folder `L<level>-<first generation>-<end generation>` (the state generations its nights committed
 * from; history.ts names, lists, drops and supersedes sets the same way) holding `rows` (fixed-width u32 rows
 * sorted by hash, one per hash, LEDGER_WIDTH) and `set.json` (level, generation range, `runs`: generation -> run
 * id, rows). A row names its first run by the generation of the night that first saw it, so merged sets need no
 * renumbering. Sets are written under a temp name and renamed; when a level holds more than `fanIn` sets they
 * merge (and fold) into one set of the next level. Memory: the external sorter's budget (commit) and a read buffer
 * per set (merge, lookups); nothing per entry of the history.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SynthfilterError } from '../../errors.js';
import type { LedgerNote } from '../../state/backend.js';
import type { LedgerEntry } from '../../state/ledger.js';
import type { OriginLabel } from '../../types.js';
import { ExternalSorter } from './external-sort.js';
import { dropSetsFrom, listSets, nextCompaction, setGeneration, setName, type RunSet } from './history.js';
import { MergeReader, RowReader, RowWriter } from './rows.js';

export { dropSetsFrom };

/** ledger row: [hash hi, hash lo, first generation, label (0 unknown, 1 human, 2 synthetic), emitted, p_ai as the
 * two little-endian words of a float64 (NaN: no p_ai)]. Sorted by hash; the first three words are unique per row
 * across the sets (a hash is once in a set, and sets hold disjoint generations), so merges break no ties. */
export const LEDGER_WIDTH = 7;
const KEY_WORDS = 3;
/** a note as the commit sorts it: [hi, lo, label, emitted, p_ai word 0, p_ai word 1] */
const NOTE_WIDTH = 6;
const MAX_EMITTED = 0xffff;
/** a synthetic record of tonight as the cluster task sorts them: [hash hi, hash lo, seq] */
export const SYNTHETIC_WIDTH = 3;
const LABELS: OriginLabel[] = ['unknown', 'human', 'synthetic'];

export const ledgerDir = (stateDir: string): string => join(stateDir, 'ledger');

const f64 = new Float64Array(1);
const f64Words = new Uint32Array(f64.buffer);

interface LedgerSetMeta {
  format: 1;
  kind: 'ledger';
  level: number;
  first: number;
  end: number;
  generation: number;
  /** state generation -> run id of the nights the set covers (that have notes) */
  runs: Record<string, string>;
  rows: number;
}

function readMeta(s: RunSet): LedgerSetMeta {
  const path = join(s.path, 'set.json');
  let m: LedgerSetMeta;
  try {
    m = JSON.parse(readFileSync(path, 'utf8')) as LedgerSetMeta;
  } catch (e) {
    throw new SynthfilterError('E_STATE', `ledger: ${path} does not parse (${(e as Error).message})`, path);
  }
  if (m.kind !== 'ledger' || typeof m.runs !== 'object' || m.runs === null) throw new SynthfilterError('E_STATE', `ledger: ${path} is not a ledger set`, path);
  return m;
}

function writeMeta(tmp: string, m: LedgerSetMeta): void {
  writeFileSync(join(tmp, 'set.json'), JSON.stringify(m) + '\n');
}

/** The ledger sets of `dir` committed from a state generation below `below`, oldest first. */
export function ledgerSets(dir: string, below = Infinity): RunSet[] {
  return listSets(dir).filter((s) => below === Infinity || setGeneration(s) < below);
}

/** A folded entry being built from rows in age order (one hash at a time). */
class Fold {
  readonly row = new Uint32Array(LEDGER_WIDTH);
  /** start a new hash from its oldest row */
  start(r: ArrayLike<number>): void {
    for (let k = 0; k < LEDGER_WIDTH; k++) this.row[k] = r[k]!;
  }
  sameHash(r: ArrayLike<number>): boolean {
    return r[0] === this.row[0] && r[1] === this.row[1];
  }
  /** fold in a younger row (or note) of the same hash */
  add(label: number, emitted: number): void {
    if (this.row[3] === 0) this.row[3] = label;
    this.row[4] = Math.min(MAX_EMITTED, this.row[4]! + emitted);
  }
}

export interface LedgerCommit {
  /** the night's run id */
  run: string;
  /** the state generation the night commits from (the set's age; a redo drops the sets from it first) */
  generation: number;
  /** bytes the note sort may hold */
  memoryBytes: number;
}

/**
 * Write a night's notes (in routing order, in batches as readNotes yields them) as a level-0 set: sorted by hash
 * (stable: ties keep routing order), folded. Returns the set (null when there are no notes). A set of the
 * generation already in place is kept (a rerun of a commit writes the same bytes).
 */
export function commitLedgerNight(dir: string, notes: Iterable<readonly LedgerNote[]>, o: LedgerCommit): RunSet | null {
  const name = setName(0, o.generation, o.generation + 1);
  const path = join(dir, name);
  const set: RunSet = { name, level: 0, first: o.generation, end: o.generation + 1, path };
  if (existsSync(join(path, 'set.json'))) return set;
  const tmp = join(dir, `.tmp-${name}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const sorter = new ExternalSorter({ width: NOTE_WIDTH, keyWords: 2, memoryBytes: o.memoryBytes, tmpDir: join(tmp, 'spill') });
  const row = new Uint32Array(NOTE_WIDTH);
  for (const batch of notes) {
    for (const n of batch) {
      row[0] = n.hash[0]!;
      row[1] = n.hash[1]!;
      row[2] = LABELS.indexOf(n.label);
      row[3] = n.emitted ? 1 : 0;
      f64[0] = n.pAi === null ? NaN : n.pAi;
      row[4] = f64Words[0]!;
      row[5] = f64Words[1]!;
      sorter.push(row);
    }
  }
  const sorted = join(tmp, 'notes.sorted');
  if (sorter.finish(sorted) === 0) {
    rmSync(tmp, { recursive: true, force: true });
    return null;
  }
  const rows = foldNotes(sorted, join(tmp, 'rows'), o.generation);
  rmSync(sorted, { force: true });
  rmSync(join(tmp, 'spill'), { recursive: true, force: true });
  writeMeta(tmp, { format: 1, kind: 'ledger', level: 0, first: set.first, end: set.end, generation: o.generation, runs: { [o.generation]: o.run }, rows });
  renameSync(tmp, path);
  return set;
}

/** Sorted notes -> one ledger row per hash (first note's facts, label upgraded, emitted counted). */
function foldNotes(sorted: string, out: string, generation: number): number {
  const r = new RowReader(sorted, NOTE_WIDTH);
  const w = new RowWriter(out, LEDGER_WIDTH);
  const fold = new Fold();
  const f = fold.row;
  let open = false;
  while (r.next()) {
    const n = r.row;
    if (open && fold.sameHash(n)) {
      fold.add(n[2]!, n[3]!);
      continue;
    }
    if (open) w.write(f);
    f[0] = n[0]!;
    f[1] = n[1]!;
    f[2] = generation;
    f[3] = n[2]!; // label
    f[4] = n[3]!; // emitted
    f[5] = n[4]!; // p_ai
    f[6] = n[5]!;
    open = true;
  }
  if (open) w.write(f);
  r.close();
  w.close();
  return w.rows;
}

/**
 * The sets' entries folded across sets, in hash order: `next()` moves to the next hash, whose folded row is `row`
 * (LEDGER_WIDTH words, valid until the next call). Reads each set's rows once, through one buffer per set.
 */
export class FoldedLedger {
  private readonly m: MergeReader;
  private readonly fold = new Fold();
  private pending: boolean;
  private readonly runs: Record<string, string> = {};

  constructor(sets: readonly RunSet[]) {
    for (const s of sets) Object.assign(this.runs, readMeta(s).runs);
    this.m = new MergeReader(
      sets.map((s) => join(s.path, 'rows')),
      LEDGER_WIDTH,
      KEY_WORDS,
    );
    this.pending = this.m.next();
  }

  get row(): Uint32Array {
    return this.fold.row;
  }

  next(): boolean {
    if (!this.pending) return false;
    this.fold.start(this.m.row);
    while ((this.pending = this.m.next()) && this.fold.sameHash(this.m.row)) this.fold.add(this.m.row[3]!, this.m.row[4]!);
    return true;
  }

  /** The current row as the index engine's ledger reports it. */
  entry(): LedgerEntry {
    const r = this.fold.row;
    f64Words[0] = r[5]!;
    f64Words[1] = r[6]!;
    const run = this.runs[String(r[2])];
    if (run === undefined) throw new SynthfilterError('E_STATE', `ledger: no run recorded for generation ${r[2]}`);
    return { firstRun: run, label: LABELS[r[3]!] ?? 'unknown', pAi: Number.isNaN(f64[0]!) ? null : f64[0]!, emitted: r[4]! };
  }

  close(): void {
    this.m.close();
  }
}

/** Merge the sets of any level holding more than `fanIn` into one set of the next level, until none does. */
export function compactLedger(dir: string, fanIn: number): RunSet[] {
  for (let c = nextCompaction(dir, fanIn); c; c = nextCompaction(dir, fanIn)) {
    const { merging, first, end, name, tmp } = c;
    const folded = new FoldedLedger(merging);
    const w = new RowWriter(join(tmp, 'rows'), LEDGER_WIDTH);
    while (folded.next()) w.write(folded.row);
    folded.close();
    w.close();
    const runs = Object.assign({}, ...merging.map((s) => readMeta(s).runs)) as Record<string, string>;
    writeMeta(tmp, { format: 1, kind: 'ledger', level: c.level, first, end, generation: Math.max(...merging.map(setGeneration)), runs, rows: w.rows });
    renameSync(tmp, join(dir, name));
    for (const s of merging) rmSync(s.path, { recursive: true, force: true });
  }
  return listSets(dir);
}

export interface ReuseJoin {
  /** the ledger sets to read (the ledger as the night first saw it) */
  sets: readonly RunSet[];
  /** rows [hash hi, hash lo, seq] sorted by hash */
  synthetic: string;
  /** a hash emitted this many times or more is reused */
  maxReuse: number;
  onReuse: (seq: number) => void;
}

/** Merge-join tonight's synthetic records against the folded ledger: `onReuse(seq)` for each record whose hash the
 * ledger saw emitted `maxReuse` times or more. Returns how many. */
export function joinSyntheticReuse(j: ReuseJoin): number {
  const syn = new RowReader(j.synthetic, SYNTHETIC_WIDTH);
  const ledger = new FoldedLedger(j.sets);
  let n = 0;
  try {
    let live = syn.next();
    while (live && ledger.next()) {
      const l = ledger.row;
      while (live && (syn.row[0]! < l[0]! || (syn.row[0] === l[0] && syn.row[1]! < l[1]!))) live = syn.next();
      while (live && syn.row[0] === l[0] && syn.row[1] === l[1]) {
        if (l[4]! >= j.maxReuse) {
          j.onReuse(syn.row[2]!);
          n++;
        }
        live = syn.next();
      }
    }
  } finally {
    syn.close();
    ledger.close();
  }
  return n;
}
