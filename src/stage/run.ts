/**
 * A whole run over sources: read -> core -> sinks, with backpressure (one batch in flight), clean stop on a signal,
 * and a manifest. Used by the CLI; the library API uses FilterCore directly.
 */
import { readOptionsOf, readSources } from '../io/read.js';
import { FilterCore, tailRetention, type Stats } from './core.js';
import { shareWarnings, type RunWarning } from './share-warnings.js';
import { fingerprint, type Config } from '../config/index.js';
import { DirectorySink, AtomicFile, writeFileAtomic, type FileInfo } from '../sink/files.js';
import { serializeOutcome } from '../sink/serialize.js';
import { SynthfilterError } from '../errors.js';
import { assertOutDirSparesInputs, assertOutputsAreNotInputs, outputTarget, type NamedOutput } from '../fsx/output-target.js';
import { entryLocation, realLocation } from '../fsx/contained.js';
import { VERSION } from '../version.js';
import { join } from 'node:path';
import type { Outcome } from '../types.js';
import { internalsOf } from './outcome-internals.js';

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

const NL = Buffer.from('\n');

class StdoutWriter {
  broken = false;
  /** a write error other than a closed pipe (e.g. ENOSPC): the run stops and reports it as an output error */
  failed: SynthfilterError | null = null;
  private wake: (() => void) | null = null;
  constructor(private readonly out: NodeJS.WritableStream) {
    const done = () => {
      this.broken = true;
      this.wake?.();
    };
    out.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED') this.failed ??= new SynthfilterError('E_OUTPUT', `stdout: ${e.message}`);
      done();
    });
    out.on('close', done);
    out.on('drain', () => this.wake?.());
  }
  async write(s: string | Buffer): Promise<void> {
    if (this.broken || !s.length) return;
    if (!this.out.write(s)) {
      await new Promise<void>((resolve) => {
        this.wake = () => {
          this.wake = null;
          resolve();
        };
      });
    }
  }
}

/**
 * Before anything is written: no output may replace an input (E_USAGE), and --rejects and --quarantine naming one
 * file (also through a link) share one writer.
 */
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

/** Where an output's bytes really go (a link's target, the real folder). */
function outputLocation(p: string): string {
  const t = outputTarget(p);
  return t.mode === 'replace' ? entryLocation(t.path) : realLocation(p);
}

/** The same output file under two names (a link, `./x` and `x`)? */
const sameOutput = (a: string, b: string) => a === b || outputLocation(a) === outputLocation(b);

export async function runFilter(o: RunOptions): Promise<RunResult> {
  const { cfg } = o;
  checkOutputs(o);
  const core = new FilterCore(cfg, { shards: !!o.outDir, inputOrder: o.mode === 'score' });
  const stdout = new StdoutWriter(o.stdout);
  const key = cfg.output.annotationKey;
  const dirSink = o.outDir ? new DirectorySink(o.outDir, { annotate: cfg.output.annotate, annotationKey: key, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: (cfg.route.balanceBy as string | null) ?? null }) : null;
  const gz = (p: string) => p.endsWith('.gz');
  const rejectsFile = !dirSink && o.rejectsPath ? new AtomicFile(o.rejectsPath, gz(o.rejectsPath), o.rejectsPath) : null;
  const quarantineFile =
    !dirSink && o.quarantinePath
      ? rejectsFile && sameOutput(o.quarantinePath, o.rejectsPath!)
        ? rejectsFile
        : new AtomicFile(o.quarantinePath, gz(o.quarantinePath), o.quarantinePath)
      : null;
  let unwritten = 0;
  let stoppedBy: RunResult['stoppedBy'] = null;
  let error: SynthfilterError | null = null;

  const dispatch = async (outs: Outcome[]) => {
    if (!outs.length) return;
    if (dirSink) return dirSink.write(outs);
    // stdout output as Buffers: an accepted, unannotated JSONL record is written as its original bytes (no string
    // building, no re-encoding); anything else is serialised
    // consecutive accepted lines that sit next to each other in one input chunk are written as one view of that
    // chunk (its own newlines included): no copy at all for the common case of a run of accepted records
    const main: Buffer[] = [];
    let runAb: ArrayBufferLike | null = null;
    let runBytes: Uint8Array | null = null; // the whole backing store of the run's chunk
    let runStart = 0;
    let runEnd = 0;
    const flushRun = () => {
      if (runAb) main.push(Buffer.from(runAb as ArrayBuffer, runStart, runEnd - runStart), NL);
      runAb = null;
    };
    const pushRaw = (b: Buffer, start: number, end: number) => {
      const from = b.byteOffset + start;
      if (runAb !== null && b.buffer === runAb && from === runEnd + 1 && runBytes![runEnd] === 0x0a) {
        runEnd = b.byteOffset + end;
        return;
      }
      flushRun();
      if (runBytes === null || runBytes.buffer !== b.buffer) runBytes = new Uint8Array(b.buffer);
      runAb = b.buffer;
      runStart = from;
      runEnd = b.byteOffset + end;
    };
    const pushOut = (b: Buffer) => {
      flushRun();
      main.push(b);
    };
    let rej = '';
    let nrej = 0;
    let quar = '';
    let nquar = 0;
    for (const x of outs) {
      const d = x.annotation.decision;
      if (o.mode === 'score') pushOut(Buffer.from(serializeOutcome(x, true, key) + '\n'));
      else if (d === 'accept') {
        const inner = internalsOf(x);
        if (!cfg.output.annotate && inner?.rawChunk) pushRaw(inner.rawChunk, inner.rawStart!, inner.rawEnd!);
        else pushOut(Buffer.from(serializeOutcome(x, cfg.output.annotate, key) + '\n'));
      }
      else if (d === 'quarantine' && quarantineFile) {
        quar += serializeOutcome(x, true, key) + '\n';
        nquar++;
      } else if (rejectsFile) {
        rej += serializeOutcome(x, true, key) + '\n';
        nrej++;
      } else unwritten++;
    }
    if (rej) await rejectsFile!.write(rej, nrej);
    if (quar) await quarantineFile!.write(quar, nquar);
    flushRun();
    // a few large pieces are written as they are (no copy); many small ones are joined into one write
    if (main.length <= 4) for (const b of main) await stdout.write(b);
    else await stdout.write(Buffer.concat(main));
  };

  try {
    for await (const batch of readSources(o.sources, readOptionsOf(cfg.input), o.stdin)) {
      await dispatch(await core.processBatch(batch));
      o.onProgress?.(core.stats);
      if (stdout.broken) {
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
  // flush: everything read so far is decided and written, even after an input error or a signal
  if (stoppedBy !== 'epipe') await dispatch(await core.end());
  error ??= stdout.failed;
  let manifestPath: string | undefined;
  const share = core.stats.syntheticShare.report();
  const warnings = shareWarnings(core.stats.syntheticShare, share, cfg.route.maxSyntheticShare);
  const files: FileInfo[] = [];
  if (rejectsFile) files.push(await rejectsFile.close());
  if (quarantineFile && quarantineFile !== rejectsFile) files.push(await quarantineFile.close());
  if (dirSink) {
    await dirSink.close();
    manifestPath = join(o.outDir!, 'manifest.json');
    const manifest = {
      version: VERSION,
      created: new Date().toISOString(),
      config_fingerprint: fingerprint(cfg),
      inputs: o.sources.length ? o.sources : ['-'],
      complete: stoppedBy === null && error === null,
      stopped_by: stoppedBy,
      error: error ? error.message : null,
      counts: { input: core.stats.seen, accept: core.stats.accept, reject: core.stats.reject, quarantine: core.stats.quarantine },
      reasons: core.stats.reasons,
      origin: { input: core.stats.origin, accepted: core.stats.originAccepted },
      synthetic_share: {
        input: core.stats.seen - core.stats.quarantine ? core.stats.origin.synthetic / (core.stats.seen - core.stats.quarantine) : 0,
        accepted: core.stats.accept ? core.stats.originAccepted.synthetic / core.stats.accept : 0,
        ...share,
      },
      warnings,
      tail: { ...core.stats.tail, retention: tailRetention(core.stats) },
      p_ai_hist: core.stats.pAiHist,
      shards: dirSink.shards.map((x) => ({ ...x, synthetic_share_estimate: core.stats.syntheticShare.shard(x.name) })),
      rejects: dirSink.rejects,
      quarantine: dirSink.quarantine,
      config: cfg,
    };
    writeFileAtomic(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
  }
  return { stats: core.stats, stoppedBy, error, manifestPath, unwritten, warnings };
}
