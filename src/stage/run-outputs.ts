/**
 * Where a stream run's outcomes go: in directory mode the output directory's shards and side files; otherwise
 * stdout (accepted records, or every record with `score`), the --rejects and --quarantine files, and a count of the
 * records that had nowhere to go.
 */
import { entryLocation, realLocation } from '../fsx/contained.js';
import { outputTarget } from '../fsx/output-target.js';
import { AtomicFile, DirectorySink } from '../sink/files.js';
import { serializeOutcome } from '../sink/serialize.js';
import type { Outcome } from '../types.js';
import { internalsOf } from './outcome-internals.js';
import type { RunOptions } from './run.js';
import { StdoutBatch, StdoutWriter } from './stdout-writer.js';

/** The run options that choose the outputs. */
export type OutputsOptions = Pick<RunOptions, 'cfg' | 'mode' | 'outDir' | 'rejectsPath' | 'quarantinePath' | 'stdout'>;

/** Where an output's bytes really go (a link's target, the real folder). */
function outputLocation(p: string): string {
  const t = outputTarget(p);
  return t.mode === 'replace' ? entryLocation(t.path) : realLocation(p);
}

/** The same output file under two names (a link, `./x` and `x`)? */
const sameOutput = (a: string, b: string) => a === b || outputLocation(a) === outputLocation(b);

const gz = (p: string) => p.endsWith('.gz');

export class RunOutputs {
  readonly stdout: StdoutWriter;
  /** directory mode: the shards and side files */
  readonly dirSink: DirectorySink | null;
  private readonly rejectsFile: AtomicFile | null;
  private readonly quarantineFile: AtomicFile | null;
  private readonly key: string;
  /** rejected or quarantined records without a file to go to (stream mode without --rejects / --quarantine) */
  unwritten = 0;

  constructor(private readonly o: OutputsOptions) {
    const { cfg } = o;
    this.key = cfg.output.annotationKey;
    this.stdout = new StdoutWriter(o.stdout);
    this.dirSink = o.outDir ? new DirectorySink(o.outDir, { annotate: cfg.output.annotate, annotationKey: this.key, gzip: cfg.output.compress === 'gzip', sideMaxRecords: cfg.output.shardMaxRecords, stratumField: cfg.route.balanceBy ?? null }) : null;
    this.rejectsFile = !this.dirSink && o.rejectsPath ? new AtomicFile(o.rejectsPath, gz(o.rejectsPath), o.rejectsPath) : null;
    // --rejects and --quarantine naming one file (also through a link) share one writer
    this.quarantineFile =
      !this.dirSink && o.quarantinePath
        ? this.rejectsFile && sameOutput(o.quarantinePath, o.rejectsPath!)
          ? this.rejectsFile
          : new AtomicFile(o.quarantinePath, gz(o.quarantinePath), o.quarantinePath)
        : null;
  }

  /** Write one batch of decided records. */
  async write(outs: Outcome[]): Promise<void> {
    if (!outs.length) return;
    if (this.dirSink) return this.dirSink.write(outs);
    const { cfg, mode } = this.o;
    const main = new StdoutBatch();
    let rej = '';
    let nrej = 0;
    let quar = '';
    let nquar = 0;
    for (const x of outs) {
      const d = x.annotation.decision;
      if (mode === 'score') main.push(Buffer.from(serializeOutcome(x, true, this.key) + '\n'));
      else if (d === 'accept') {
        const inner = internalsOf(x);
        if (!cfg.output.annotate && inner?.rawChunk) main.pushRaw(inner.rawChunk, inner.rawStart!, inner.rawEnd!);
        else main.push(Buffer.from(serializeOutcome(x, cfg.output.annotate, this.key) + '\n'));
      } else if (d === 'quarantine' && this.quarantineFile) {
        quar += serializeOutcome(x, true, this.key) + '\n';
        nquar++;
      } else if (this.rejectsFile) {
        rej += serializeOutcome(x, true, this.key) + '\n';
        nrej++;
      } else this.unwritten++;
    }
    if (rej) await this.rejectsFile!.write(rej, nrej);
    if (quar) await this.quarantineFile!.write(quar, nquar);
    await main.writeTo(this.stdout);
  }

  /** Close the side files, then the output directory (its shards are final once this returns). */
  async close(): Promise<void> {
    if (this.rejectsFile) await this.rejectsFile.close();
    if (this.quarantineFile && this.quarantineFile !== this.rejectsFile) await this.quarantineFile.close();
    if (this.dirSink) await this.dirSink.close();
  }
}
