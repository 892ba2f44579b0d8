/**
 * Step "commit" of the nightly job: the new state generation. The registry gains the run's files (a file that
 * failed to read completely is not registered: the next night reads it again, and what was already emitted from it
 * is then an exact duplicate of history), the run history its summary, the tail statistics are replaced, and the
 * backend persists everything staged (index changes, ledger notes) as one step.
 */
import type { PendingRun, RegistryEntry, RunSummary } from '../../state/file-store.js';
import type { StateBackend, TailStats } from '../../state/index.js';

export interface CommitInput {
  backend: StateBackend;
  run: PendingRun;
  /** the registry as the run found it */
  registry: Record<string, RegistryEntry>;
  summary: RunSummary;
  tail: TailStats;
  /** read errors ("<path>: <message>") of files that could not be read completely */
  errors: string[];
}

/** The registry after the run: every file of the run that was read completely. */
export function nextRegistry(run: PendingRun, registry: Record<string, RegistryEntry>, errors: string[]): Record<string, RegistryEntry> {
  const out = { ...registry };
  const failed = new Set(errors.map((e) => e.split(': ')[0]));
  for (const f of run.files) if (!failed.has(f.path)) out[f.rel] = { size: f.size, mtimeMs: f.mtimeMs, sha256: f.sha256, runId: run.runId };
  return out;
}

export async function commitRun(c: CommitInput): Promise<void> {
  await c.backend.registrySet(nextRegistry(c.run, c.registry, c.errors));
  await c.backend.runsAppend(c.summary);
  await c.backend.tailSet(c.tail);
  await c.backend.persist();
}
