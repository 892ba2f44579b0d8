/**
 * Cap accounting for the router: the fill of the shard being written (records, bytes, synthetic records or mass)
 * and whether a record can enter it without breaking the synthetic cap. A shard is full at
 * output.shardMaxRecords records or output.shardMaxBytes bytes; the next record then opens a new shard, whose
 * count starts at zero. The router decides what to place; this only counts and answers.
 */

export class ShardFill {
  /** index of the shard being written */
  index = 0;
  private n = 0; // records in current shard
  private syn = 0; // synthetic records (capBasis "expected": synthetic mass) in current shard
  private bytes = 0;

  /**
   * @param share route.maxSyntheticShare
   * @param maxRecords records per shard (Infinity: one shard)
   * @param maxBytes bytes per shard (Infinity: one shard)
   */
  constructor(
    private readonly share: number,
    private readonly maxRecords: number,
    private readonly maxBytes: number,
  ) {}

  /** Would a record of `nextBytes` bytes open a new shard? */
  wouldRotate(nextBytes: number): boolean {
    return this.n > 0 && (this.n >= this.maxRecords || this.bytes + nextBytes > this.maxBytes);
  }

  /** Can a record of synthetic mass `mass` enter the shard it would land in without breaking the cap (prefix-exact)? */
  roomFor(nextBytes: number, mass: number): boolean {
    if (this.wouldRotate(nextBytes)) return mass <= this.share + 1e-9;
    return this.syn + mass <= this.share * (this.n + 1) + 1e-9;
  }

  /** Count a placed record in the shard it lands in (opening a new one when full); returns that shard's index. */
  add(bytes: number, mass: number): number {
    if (this.wouldRotate(bytes)) {
      this.index++;
      this.n = 0;
      this.syn = 0;
      this.bytes = 0;
    }
    this.n++;
    this.syn += mass;
    this.bytes += bytes;
    return this.index;
  }
}
