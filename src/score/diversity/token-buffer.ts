/**
 * The tokenizer's output: growable typed arrays of token offsets into the text (UTF-16), so tokenizing allocates
 * nothing per token. A token whose text is a special-case piece (specials.ts) that is not the slice of the text
 * at its offsets keeps the piece as a string.
 */

/** Growable token buffers: token k spans text[start[k], end[k]) (UTF-16 offsets) or is a special-case piece. */
export class TokenBuffer {
  start = new Int32Array(1024);
  end = new Int32Array(1024);
  /** index into `pieces` + 1 when the token text is a special-case piece not equal to a text slice, else 0 */
  piece = new Int32Array(1024);
  pieces: string[] = [];
  count = 0;

  reset(): void {
    this.count = 0;
    this.pieces.length = 0;
  }

  push(a: number, b: number, piece: string | null): void {
    if (this.count === this.start.length) {
      const n = this.count * 2;
      const s = new Int32Array(n);
      s.set(this.start);
      this.start = s;
      const e = new Int32Array(n);
      e.set(this.end);
      this.end = e;
      const p = new Int32Array(n);
      p.set(this.piece);
      this.piece = p;
    }
    const k = this.count++;
    this.start[k] = a;
    this.end[k] = b;
    if (piece === null) this.piece[k] = 0;
    else {
      this.pieces.push(piece);
      this.piece[k] = this.pieces.length;
    }
  }

  /** token text (allocates; for tests and debugging) */
  text(src: string, k: number): string {
    const p = this.piece[k]!;
    return p > 0 ? this.pieces[p - 1]! : src.slice(this.start[k], this.end[k]);
  }
}
