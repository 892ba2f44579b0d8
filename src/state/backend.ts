/**
 * The one state interface of the nightly job (`synthfilter clean`), with three backends:
 *
 *   memory   nothing persisted (library use, tests; `clean` without a state directory)
 *   file     FileStateStore generations under --state DIR (one worker per directory; the default for `clean`)
 *   redis    shared by many workers on many machines (state.url): near-duplicate index, exact hashes, provenance
 *            ledger, input registry and run history live in Redis; see docs/redis.md
 *
 * Contract (checked by test/unit/state-conformance.test.ts against all three):
 * - Dedup effects are immediate. `checkAndInsert` processes a batch sequentially (a record sees every record
 *   inserted before it, in the same batch too) and, on a shared backend, atomically with respect to other workers:
 *   a record is compared with the index and, when it is unique and `insert` is set, indexed, as one step.
 *   Batches issued by one backend instance are applied in call order even when several are in flight.
 * - Refs are opaque handles of indexed records (the id for memory/file, a document number for redis). A verdict's
 *   `matchRef` names the indexed record that was matched, `ref` the record itself when it was indexed.
 * - `settle` makes a near-duplicate cluster's chosen member its indexed representative in place of the root. A
 *   shared backend does it at once (and may refuse, keeping the root, when another worker already matched the
 *   root or the member now duplicates something else); a private backend defers to `join` after routing.
 * - Ledger notes, the input registry, the run history and the tail statistics are staged and become durable and
 *   visible together at `persist()` (the run's commit). `ledgerGet` reads committed state.
 * - `lock` serialises runs on one partition (one worker's inputs); E_LOCKED when another live process holds it.
 */
import type { Features, DupScore, OriginLabel } from '../types.js';
import type { LedgerEntry } from './ledger.js';
import type { PendingRun, RegistryEntry, RunSummary } from './file-store.js';
import { SynthfilterError } from '../errors.js';

export type BackendKind = 'memory' | 'file' | 'redis';

export interface DedupItem {
  id: string;
  features: Features;
  /** index the record when it is unique (false: check only) */
  insert: boolean;
}

export interface DedupVerdict {
  /** the duplicate found ({kind: null} when unique; `short` as the dedup scorer sets it) */
  dup: DupScore;
  /** ref of the indexed record this one duplicates */
  matchRef: string | null;
  /** ref of this record when it was indexed */
  ref: string | null;
}

export interface LedgerNote {
  /** exact hash [hi, lo] of the normalised text */
  hash: ArrayLike<number>;
  run: string;
  label: OriginLabel;
  pAi: number | null;
  emitted: boolean;
}

export interface SettleRequest {
  /** ref of the cluster's indexed root */
  root: string;
  /** the member that should represent the cluster */
  best: DedupItem;
}

export interface Settled {
  /** the chosen member represents the cluster (false: the root stays) */
  best: boolean;
  /** the representative is indexed now (a private backend indexes accepted members later, with `join`) */
  indexed: boolean;
  /** ref of the representative when indexed */
  ref: string | null;
}

export interface TailStats {
  docs: number;
  df: Uint32Array;
}

export interface StateBackend {
  readonly kind: BackendKind;
  /** the worker partition this instance serves (lock, pending run, registry, run history) */
  readonly partition: string;
  /** local directory for the run's spools */
  readonly workDir: string;
  /** near-duplicate checks are on (dedup.enabled) */
  readonly dedup: boolean;
  /** MinHash lanes this backend reads from a signature computed ahead (`Features.signature`); 0: none needed.
   * Valid after open(). */
  readonly signatureLanes: number;
  /** committed runs so far (a pending run belongs to the generation it was planned on) */
  readonly generation: number;

  /** Connect and load; E_STATE when the state was built with another config fingerprint. */
  open(): Promise<void>;
  lock(): Promise<void>;
  unlock(): Promise<void>;

  readPending(): Promise<PendingRun | null>;
  writePending(p: PendingRun): Promise<void>;
  /** A run starts (new or resumed): what an interrupted attempt on this partition indexed is forgotten. */
  beginRun(runId: string): Promise<void>;
  /** After the commit: the pending run and its work files go. */
  clearPending(runId: string): Promise<void>;

  checkAndInsert(items: DedupItem[]): Promise<DedupVerdict[]>;
  settle(reqs: SettleRequest[]): Promise<Settled[]>;
  /** Index records without a check (a cluster's chosen member, on a private backend). */
  join(items: DedupItem[]): Promise<string[]>;
  remove(refs: string[]): Promise<void>;

  ledgerGet(hashes: Array<ArrayLike<number>>): Promise<Array<LedgerEntry | null>>;
  ledgerNote(notes: LedgerNote[]): Promise<void>;
  registryGet(): Promise<Record<string, RegistryEntry>>;
  registrySet(entries: Record<string, RegistryEntry>): Promise<void>;
  runsList(): Promise<RunSummary[]>;
  runsAppend(s: RunSummary): Promise<void>;
  tailGet(): Promise<TailStats | null>;
  tailSet(t: TailStats): Promise<void>;

  /** Commit everything staged since open (or the last persist) as one step. */
  persist(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The shared backend could not be reached within state.retryMs, or lost its data mid-run. `clean` exits 7
 * (EXIT.backend); nothing of the run was committed.
 */
export class BackendUnavailableError extends SynthfilterError {
  readonly unavailable = true;
  constructor(message: string) {
    super('E_BACKEND', message);
    this.name = 'BackendUnavailableError';
  }
}

export const isBackendUnavailable = (e: unknown): e is BackendUnavailableError => e instanceof SynthfilterError && (e as { unavailable?: boolean }).unavailable === true;
