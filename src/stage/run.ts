/**
 * A whole run over sources: read -> core -> outputs, with backpressure (one batch in flight), clean stop on a signal,
 * and a manifest. Used by the CLI; the library API uses FilterCore directly. The steps: check the outputs, read and
 * decide every batch (`decideAll`), close the outputs and write the manifest (`finish`).
 */
import { join } from 'node:path';
import { readOptionsOf, readSources } from '../io/read.js';
import { FilterCore, type Stats } from './core.js';
import { shareWarnings, type RunWarning } from './share-warnings.js';
import type { Config } from '../config/index.js';
import { writeFileAtomic } from '../sink/files.js';
import { SynthfilterError } from '../errors.js';
import { assertOutDirSparesInputs, assertOutputsAreNotInputs, type NamedOutput } from '../fsx/output-target.js';
import { RunOutputs } from './run-outputs.js';
import { streamManifest } from './run-manifest.js';

export interface RunOptions {
  sources: string[];
  cfg: Config;
  mode: 'filter' | 'score';
  /** directory mode when set */
  outDir?: string;
  rejectsPath?: string;
  quarantinePath?: string;
  stdout: NodeJS.WritableStream;
  stdin?: NodeJS.ReadableStream;
  /** polled between batches: true stops reading (signal) */
  shouldStop?: () => boolean;
  onProgress?: (s: Stats) => void;
}

export interface RunResult {
  stats: Stats;
  /** the run ended early: broken pipe or signal */
  stoppedBy: 'epipe' | 'signal' | null;
  error: SynthfilterError | null;
  manifestPath?: string;
  unwritten: number;
  /** warnings about the run's synthetic share (also in the manifest); the CLI logs them on stderr */
  warnings: RunWarning[];
}

/** Before anything is written: no output may replace an input (E_USAGE). */
function checkOutputs(o: RunOptions): void {
  const stdinIsInput = (o.sources.length === 0 || o.sources.includes('-')) && (o.stdin ?? process.stdin) === process.stdin;
  const named: NamedOutput[] = [];
  if (o.outDir) assertOutDirSparesInputs(o.outDir, o.sources);
  else {
    if (o.rejectsPath) named.push({ flag: '--rejects', path: o.rejectsPath });
    if (o.quarantinePath && o.quarantinePath !== o.rejectsPath) named.push({ flag: '--quarantine', path: o.quarantinePath });
  }
  assertOutputsAreNotInputs(named, o.sources, stdinIsInput);
}

export async function runFilter(o: RunOptions): Promise<RunResult> {
  checkOutputs(o);
  const core = new FilterCore(o.cfg, { shards: !!o.outDir, inputOrder: o.mode === 'score' });
  const outputs = new RunOutputs(o);
  const { stoppedBy, error } = await decideAll(o, core, outputs);
  return finish(o, core.stats, outputs, stoppedBy, error);
}

/**
 * Read every batch, decide it and write it, until the input ends, stdout closes (epipe) or a signal stops the run;
 * then flush: everything read so far is decided and written, even after an input error or a signal.
 */
async function decideAll(o: RunOptions, core: FilterCore, outputs: RunOutputs): Promise<Pick<RunResult, 'stoppedBy' | 'error'>> {
  let stoppedBy: RunResult['stoppedBy'] = null;
  let error: SynthfilterError | null = null;
  try {
    for await (const batch of readSources(o.sources, readOptionsOf(o.cfg.input), o.stdin)) {
      await outputs.write(await core.processBatch(batch));
      o.onProgress?.(core.stats);
      if (outputs.stdout.broken) {
        stoppedBy = 'epipe';
        break;
      }
      if (o.shouldStop?.()) {
        stoppedBy = 'signal';
        break;
      }
    }
  } catch (e) {
    // a signal destroys stdin to unblock a pending read: the resulting read error is the stop, not a fault
    if (o.shouldStop?.()) stoppedBy = 'signal';
    else if (e instanceof SynthfilterError) error = e;
    else throw e;
  }
  if (stoppedBy !== 'epipe') await outputs.write(await core.end());
  return { stoppedBy, error: error ?? outputs.stdout.failed };
}

/** Close the outputs; in directory mode write the manifest. The share warnings go into the result (and manifest). */
async function finish(o: RunOptions, stats: Stats, outputs: RunOutputs, stoppedBy: RunResult['stoppedBy'], error: SynthfilterError | null): Promise<RunResult> {
  const share = stats.syntheticShare.report();
  const warnings = shareWarnings(stats.syntheticShare, share, o.cfg.route.maxSyntheticShare);
  await outputs.close();
  let manifestPath: string | undefined;
  if (outputs.dirSink) {
    manifestPath = join(o.outDir!, 'manifest.json');
    const manifest = streamManifest({ cfg: o.cfg, sources: o.sources, stats, dirSink: outputs.dirSink, stoppedBy, error, share, warnings });
    writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  return { stats, stoppedBy, error, manifestPath, unwritten: outputs.unwritten, warnings };
}
