/**
 * A worker process's scoring threads, one pool per night configuration (a worker may serve nights with different
 * configs). Map tasks score on these threads, never on the main thread: the main thread must stay free to renew
 * the job locks (a lock not renewed within lockMs makes BullMQ treat the job as stalled and hand it to another
 * worker), and `--concurrency K` jobs then really score in parallel.
 */
import type { Config } from '../../config/index.js';
import { ScoringPool } from '../../stage/pool.js';

/** configs kept warm; an older config's pool is closed when a new one is needed */
const KEEP = 4; // as many as OpenNights keeps open (a cached night holds its pool)

export class ScoringPools {
  private readonly pools = new Map<string, ScoringPool>();

  constructor(private readonly threads: number) {}

  for(cfg: Config): ScoringPool {
    const key = JSON.stringify(cfg);
    let p = this.pools.get(key);
    if (!p) {
      p = new ScoringPool(cfg, this.threads);
      this.pools.set(key, p);
      while (this.pools.size > KEEP) {
        const [oldKey, old] = this.pools.entries().next().value!;
        this.pools.delete(oldKey);
        void old.close();
      }
    }
    return p;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close()));
    this.pools.clear();
  }
}
