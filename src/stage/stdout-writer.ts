/**
 * Writing a stream run's records to stdout: `StdoutWriter` waits for the stream to drain (backpressure) and notes a
 * closed pipe; `StdoutBatch` gathers one batch's lines as Buffers, so an accepted, unannotated JSONL record goes out
 * as its original bytes (no string building, no re-encoding).
 */
import { SynthfilterError } from '../errors.js';

const NL = Buffer.from('\n');

export class StdoutWriter {
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
 * One batch of stdout lines. Consecutive raw lines that sit next to each other in one input chunk are kept as one
 * view of that chunk (its own newlines included): no copy at all for the common case of a run of accepted records.
 */
export class StdoutBatch {
  private readonly pieces: Buffer[] = [];
  private runAb: ArrayBufferLike | null = null;
  private runBytes: Uint8Array | null = null; // the whole backing store of the run's chunk
  private runStart = 0;
  private runEnd = 0;

  /** An original input line: bytes [start, end) of `b`, without its newline. */
  pushRaw(b: Buffer, start: number, end: number): void {
    const from = b.byteOffset + start;
    if (this.runAb !== null && b.buffer === this.runAb && from === this.runEnd + 1 && this.runBytes![this.runEnd] === 0x0a) {
      this.runEnd = b.byteOffset + end;
      return;
    }
    this.flushRun();
    if (this.runBytes === null || this.runBytes.buffer !== b.buffer) this.runBytes = new Uint8Array(b.buffer);
    this.runAb = b.buffer;
    this.runStart = from;
    this.runEnd = b.byteOffset + end;
  }

  /** A serialised line (newline included). */
  push(b: Buffer): void {
    this.flushRun();
    this.pieces.push(b);
  }

  /** Write the batch: a few large pieces as they are (no copy); many small ones joined into one write. */
  async writeTo(stdout: StdoutWriter): Promise<void> {
    this.flushRun();
    if (this.pieces.length <= 4) for (const b of this.pieces) await stdout.write(b);
    else await stdout.write(Buffer.concat(this.pieces));
  }

  private flushRun(): void {
    if (this.runAb) this.pieces.push(Buffer.from(this.runAb as ArrayBuffer, this.runStart, this.runEnd - this.runStart), NL);
    this.runAb = null;
  }
}
