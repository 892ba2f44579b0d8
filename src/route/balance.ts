/**
 * Balancing statistics for the router: how many accepted records each stratum (route.balanceBy) and each topic
 * cluster hold, and whether one more would exceed route.maxStratumShare of the accepted records or
 * route.maxClusterSize. The router asks (for records that are not tail) and rejects; this only counts and answers.
 * The stratum share is checked once route.minDocs records have been accepted.
 */
import type { Config } from '../config/index.js';
import { getPath } from '../config/index.js';
import type { Scored } from './records.js';
import { ClusterKeyer, CountTable } from './sketch.js';

export class Balance {
  private accepted = 0;
  private readonly strataAccepted = new Map<string, number>();
  private readonly clusters: CountTable;
  private readonly keyer: ClusterKeyer;

  /** @param textSeed the seed of the records' word hashes (dedup.seed), so the cluster key can skip stop words */
  constructor(
    private readonly rc: Config['route'],
    textSeed: number,
  ) {
    this.clusters = new CountTable(rc.maxClusterSize > 0 ? 1 << 22 : 1);
    this.keyer = new ClusterKeyer(rc.seed, textSeed);
  }

  /** The record's stratum (its route.balanceBy value, "(none)" when missing), null when balancing is off. */
  private stratumOf(s: Scored): string | null {
    if (!this.rc.balanceBy) return null;
    const v = getPath(s.record, this.rc.balanceBy);
    return v === undefined || v === null ? '(none)' : String(v);
  }

  /** Would accepting the record put its stratum over route.maxStratumShare of the accepted records? */
  overStratumCap(s: Scored): boolean {
    if (this.accepted < this.rc.minDocs) return false;
    const st = this.stratumOf(s);
    if (st === null || this.rc.maxStratumShare >= 1) return false;
    const c = this.strataAccepted.get(st) ?? 0;
    return c + 1 > this.rc.maxStratumShare * (this.accepted + 1) + 1e-9;
  }

  /** Does the record's topic cluster already hold route.maxClusterSize accepted records? */
  overClusterCap(s: Scored): boolean {
    return this.rc.maxClusterSize > 0 && this.clusters.get(this.keyer.key(s.features)) >= this.rc.maxClusterSize;
  }

  /** Count an accepted record. */
  accept(s: Scored): void {
    this.accepted++;
    const st = this.stratumOf(s);
    if (st !== null) this.strataAccepted.set(st, (this.strataAccepted.get(st) ?? 0) + 1);
    if (this.rc.maxClusterSize > 0) this.clusters.inc(this.keyer.key(s.features));
  }
}
