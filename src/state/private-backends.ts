/**
 * Private state backends: `memory` (nothing persisted) and `file` (FileStateStore generations under a state
 * directory). Both hold the dedup scorer, the ledger and the registry in this process; the file backend loads a
 * generation at open and writes the next one at persist, exactly as the nightly job always did.
 */
import { mkdirSync } from 'node:fs';
import { removeContained } from '../fsx/contained.js';
import { join } from 'node:path';
import type { Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { createDedupScorer, type DedupScorer } from '../score/dedup/index.js';
import { dedupConfigOf } from '../score/build.js';
import { FileStateStore, type PendingRun, type RegistryEntry, type RunSummary } from './file-store.js';
import { Ledger, type LedgerEntry } from './ledger.js';
import { StagedNotes } from './staged-notes.js';
import type { BackendKind, DedupItem, DedupVerdict, LedgerNote, SettleRequest, Settled, StateBackend, TailStats } from './backend.js';

/** partitions locked by memory backends of this process */
const memoryLocks = new Set<string>();

export interface PrivateBackendOptions {
  cfg: Config;
  fingerprint: string;
  partition: string;
  /** local directory for spools (memory backend) */
  workDir: string;
}

export class MemoryBackend implements StateBackend {
  get signatureLanes(): number {
    return this.scorer?.lanes ?? 0;
  }
  readonly kind: BackendKind = 'memory';
  readonly dedup: boolean;
  readonly partition: string;
  protected scorer: DedupScorer | null = null;
  protected ledger = new Ledger();
  protected registry: Record<string, RegistryEntry> = {};
  protected runs: RunSummary[] = [];
  protected tail: TailStats | null = null;
  protected gen = 0;
  private pending: PendingRun | null = null;
  private staged = { notes: new StagedNotes(), registry: null as Record<string, RegistryEntry> | null, runs: [] as RunSummary[], tail: null as TailStats | null };
  private locked = false;
  private _workDir: string;

  constructor(protected readonly o: PrivateBackendOptions) {
    this.dedup = o.cfg.dedup.enabled;
    this.partition = o.partition;
    this._workDir = o.workDir;
  }

  get workDir(): string {
    return this._workDir;
  }

  get generation(): number {
    return this.gen;
  }

  protected makeScorer(snapshot: Uint8Array | null): void {
    this.scorer = this.dedup ? createDedupScorer(dedupConfigOf(this.o.cfg), snapshot ?? undefined) : null;
  }

  async open(): Promise<void> {
    this.makeScorer(null);
  }

  async lock(): Promise<void> {
    if (memoryLocks.has(this.partition)) throw new SynthfilterError('E_LOCKED', `partition ${this.partition} is locked by another run in this process`);
    memoryLocks.add(this.partition);
    this.locked = true;
  }

  async unlock(): Promise<void> {
    if (this.locked) memoryLocks.delete(this.partition);
    this.locked = false;
  }

  async readPending(): Promise<PendingRun | null> {
    return this.pending;
  }

  async writePending(p: PendingRun): Promise<void> {
    this.pending = p;
  }

  async beginRun(_runId: string): Promise<void> {
    mkdirSync(this.workDir, { recursive: true });
  }

  async clearPending(runId: string): Promise<void> {
    removeContained(join(this.workDir, runId), [this.workDir]);
    this.pending = null;
  }

  async checkAndInsert(items: DedupItem[]): Promise<DedupVerdict[]> {
    const d = this.scorer;
    const out: DedupVerdict[] = [];
    for (const it of items) {
      if (!d) {
        out.push({ dup: { kind: null, of: null, similarity: null }, matchRef: null, ref: null });
        continue;
      }
      const dup = d.score({}, it.features);
      if (dup.kind !== null && dup.of !== null) {
        out.push({ dup, matchRef: dup.of, ref: null });
        continue;
      }
      if (it.insert) d.commit(it.id, it.features);
      out.push({ dup, matchRef: null, ref: it.insert ? it.id : null });
    }
    return out;
  }

  /** A private backend has no other writer: the chosen member always wins, and is indexed by `join` once the run
   * knows it was accepted. */
  async settle(reqs: SettleRequest[]): Promise<Settled[]> {
    return reqs.map(() => ({ best: true, indexed: false, ref: null }));
  }

  async join(items: DedupItem[]): Promise<string[]> {
    for (const it of items) this.scorer?.commit(it.id, it.features);
    return items.map((it) => it.id);
  }

  async remove(refs: string[]): Promise<void> {
    this.scorer?.removeMany(refs); // one pass over the tables for the whole list
  }

  async ledgerGet(hashes: Array<ArrayLike<number>>): Promise<Array<LedgerEntry | null>> {
    return hashes.map((h) => this.ledger.get(h[0]!, h[1]!));
  }

  async ledgerNote(notes: LedgerNote[]): Promise<void> {
    for (const n of notes) this.staged.notes.push(n);
  }

  async registryGet(): Promise<Record<string, RegistryEntry>> {
    return { ...this.registry };
  }

  async registrySet(entries: Record<string, RegistryEntry>): Promise<void> {
    this.staged.registry = { ...(this.staged.registry ?? this.registry), ...entries };
  }

  async runsList(): Promise<RunSummary[]> {
    return [...this.runs];
  }

  async runsAppend(s: RunSummary): Promise<void> {
    this.staged.runs.push(s);
  }

  async tailGet(): Promise<TailStats | null> {
    return this.tail;
  }

  async tailSet(t: TailStats): Promise<void> {
    this.staged.tail = t;
  }

  /** Apply what was staged, in the order it was staged. */
  protected applyStaged(): void {
    const s = this.staged;
    for (const n of s.notes) this.ledger.note(n.hash[0]!, n.hash[1]!, n.run, n.label, n.pAi, n.emitted);
    if (s.registry) this.registry = s.registry;
    this.runs.push(...s.runs);
    if (s.tail) this.tail = s.tail;
    this.staged = { notes: new StagedNotes(), registry: null, runs: [], tail: null };
  }

  async persist(): Promise<void> {
    this.applyStaged();
    this.gen++;
  }

  async close(): Promise<void> {
    await this.unlock();
  }
}

/** The file backend: a FileStateStore directory, one worker per directory (its lock is the partition lock). */
export class FileBackend extends MemoryBackend {
  override readonly kind: BackendKind = 'file';
  private readonly store: FileStateStore;

  /** `log`: warnings about the folder (a format-1 folder read unchecked, orphan temp files removed) */
  constructor(o: Omit<PrivateBackendOptions, 'workDir'>, readonly dir: string, log?: (msg: string) => void) {
    super({ ...o, workDir: '' });
    this.store = new FileStateStore(dir, log);
  }

  override get workDir(): string {
    return this.store.workDir;
  }

  override async open(): Promise<void> {
    const snap = this.store.load(this.o.fingerprint);
    this.makeScorer(snap?.dedup ?? null);
    if (snap) {
      this.ledger = snap.ledger;
      this.registry = snap.registry;
      this.runs = snap.runs;
      this.tail = snap.tail;
      this.gen = snap.generation;
    }
  }

  override async lock(): Promise<void> {
    this.store.lock();
  }

  override async unlock(): Promise<void> {
    this.store.unlock();
  }

  override async readPending(): Promise<PendingRun | null> {
    return this.store.readPending();
  }

  override async writePending(p: PendingRun): Promise<void> {
    this.store.writePending(p);
  }

  override async clearPending(runId: string): Promise<void> {
    this.store.clearPending(runId);
  }

  /** Write the next generation (dedup index, tail, ledger, registry, runs), then switch STATE.json to it. */
  override async persist(): Promise<void> {
    this.applyStaged();
    this.store.save({
      fingerprint: this.o.fingerprint,
      generation: this.gen,
      dedup: this.scorer ? this.scorer.serializeParts() : null,
      tail: this.tail,
      ledger: this.ledger,
      registry: this.registry,
      runs: this.runs,
    });
    this.gen++;
  }
}
