/**
 * The Redis backend's partition lock: one run per partition at a time, across machines. The lock is a key with a
 * time to live that a heartbeat renews; a lock whose holder stopped expires by itself, and a lock held by a process
 * that is gone on this very host is taken over at once.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { SynthfilterError } from '../../errors.js';
import type { ScriptConnection } from './connection.js';

const LOCK_TTL_MS = 60_000;

export class PartitionLock {
  private holder: string | null = null;
  private heartbeat: NodeJS.Timeout | null = null;

  /** `ph`: the partition's hash (its keys' suffix); `partition`: its name, for messages */
  constructor(
    private readonly conn: ScriptConnection,
    private readonly ph: string,
    private readonly partition: string,
  ) {}

  /** Take the lock (E_LOCKED when another live run holds it) and start renewing it. */
  async acquire(): Promise<void> {
    const me = JSON.stringify({ token: randomBytes(8).toString('hex'), pid: process.pid, host: hostname(), started: new Date().toISOString() });
    let takeover = '';
    for (let attempt = 0; attempt < 2; attempt++) {
      const r = ((await this.conn.call('lock', [this.ph, me, String(LOCK_TTL_MS), takeover], false)) as Buffer).toString();
      if (r === 'ok') {
        this.holder = me;
        this.heartbeat = setInterval(() => void this.renew(), LOCK_TTL_MS / 4);
        this.heartbeat.unref();
        return;
      }
      let info: { pid?: number; host?: string; started?: string } = {};
      try {
        info = JSON.parse(r);
      } catch {
        /* not ours to read */
      }
      if (info.host === hostname() && typeof info.pid === 'number' && !pidAlive(info.pid)) {
        takeover = r; // its process is gone: take the lock over
        continue;
      }
      throw new SynthfilterError(
        'E_LOCKED',
        `partition ${this.partition} is locked by pid ${info.pid ?? '?'} on ${info.host ?? '?'} since ${info.started ?? '?'}: another run is active ` +
          `(a lock whose holder stopped expires after ${LOCK_TTL_MS / 1000} s)`,
      );
    }
    throw new SynthfilterError('E_LOCKED', `partition ${this.partition}: could not take the lock`);
  }

  private async renew(): Promise<void> {
    if (!this.holder || this.conn.failed) return;
    try {
      const r = ((await this.conn.call('lock', [this.ph, this.holder, String(LOCK_TTL_MS), ''], false)) as Buffer).toString();
      if (r !== 'ok') this.conn.fail(new SynthfilterError('E_LOCKED', `lost the lock of partition ${this.partition} to ${r}`));
    } catch {
      /* an outage: the run's own calls report it */
    }
  }

  /** Stop renewing and give the lock back (best effort: after a failure the lock expires by itself). */
  async release(): Promise<void> {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
    const holder = this.holder;
    this.holder = null;
    if (!holder || !this.conn.usable) return; // the lock expires by itself
    await this.conn.quick(this.conn.call('unlock', [this.ph, holder], false));
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
