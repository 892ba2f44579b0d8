/**
 * The night as tasks (issue 19): the contract every runner (ranks, local workers, the BullMQ queue) codes against.
 * `openNight` plans the night (or joins the one already planned in the state folder) and returns its tasks in
 * phases; any worker may run any task, any number of times, and the published output does not depend on who ran
 * what. The implementation follows in this file; the contract below is shared by helpers A and C.
 */
import type { Config } from '../config/index.js';

/** A logger as the stage takes it (stderr only). */
export type Log = (msg: string, fields?: Record<string, unknown>) => void;

/** Everything a worker anywhere needs to take part in one night: JSON-serialisable (goes into BullMQ job data). */
export interface NightSpec {
  inDir: string;        // absolute
  outDir: string;       // absolute
  stateDir: string;     // absolute; the shared folder where tasks' inputs/outputs and markers live
  cfg: Config;          // the effective config (its fingerprint must match the planned night's: else exit 2)
  runId?: string;       // default: derived deterministically from the plan (so every rank agrees)
  partition?: string;
}

/** One planned night: its tasks in phases. Phase k's tasks start only after every task of phase k-1 is done.
 *  Tasks of one phase are independent; each is idempotent (a rerun of a finished or half-finished task writes the
 *  same files), so any worker may run any task, any number of times, and the published output does not depend on
 *  who ran what. */
export interface Night {
  readonly runId: string;
  readonly phases: ReadonlyArray<ReadonlyArray<string>>;   // task ids, e.g. [["map:000000-0000", ...], ["reduce:00", ...], ["cluster"], ["finish"]]
  isDone(taskId: string): boolean;          // its done marker exists
  run(taskId: string, signal?: AbortSignal): Promise<void>;  // runs it (no-op if done); throws on failure
  /** after a task failed its last retry: quarantine its input (map task: the input part's file, with the reason,
   *  into the night's quarantine) and mark the task done-with-failure so the night completes */
  giveUp(taskId: string, reason: string): Promise<void>;
  published(): boolean;                     // the night is published and committed
}

/** Plan the night (or join the one already planned in the state folder): idempotent, safe to call from many
 *  processes at once (the first plan is written with an exclusive create; the others read it). Returns null when
 *  there is nothing new. A spec whose config fingerprint differs from the planned night's -> CliError exit 2
 *  (a SynthfilterError with code E_CONFIG). */
export async function openNight(spec: NightSpec, log?: Log): Promise<Night | null> {
  void spec;
  void log;
  throw new Error('openNight: not implemented yet (contract commit; the implementation lands next on branch scale)');
}
