/**
 * Which record an outcome of the router belongs to, by its id: the seq last registered under that id. The router
 * finishes records out of order (it holds synthetic records back), so routing registers every scored record before
 * deciding it. An id's entry lives only while a record registered under it has no outcome yet, so the map holds
 * the records in flight, not the night; the answers are those of a map that kept every id (the latest seq under
 * the id).
 */
export class OutcomeSeqs {
  private readonly latest = new Map<string, { seq: number; open: number }>();

  /** a scored record is about to be decided (each registered record gets exactly one `take`) */
  register(id: string, seq: number): void {
    const e = this.latest.get(id);
    if (e) {
      e.seq = seq;
      e.open++;
    } else this.latest.set(id, { seq, open: 1 });
  }

  /** a registered record's outcome: the latest seq registered under its id (undefined for an unknown id) */
  take(id: string): number | undefined {
    const e = this.latest.get(id);
    if (!e) return undefined;
    if (--e.open === 0) this.latest.delete(id);
    return e.seq;
  }

  /** ids with records in flight */
  get size(): number {
    return this.latest.size;
  }
}
