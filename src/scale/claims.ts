/**
 * Claims on a night's tasks: which process is running which task. A claim is a task file (`claims/<task>`) created
 * exclusively, holding its owner and the end of its lease; its owner renews the lease while the task runs (a
 * heartbeat) and removes the claim when the task ends. A claim whose lease ran out, or whose owner is a dead
 * process on this host, may be taken over, so a killed rank's task is redone by another. Two processes may in a
 * rare race both believe they hold one task: tasks are idempotent, so that costs time, never correctness.
 */
import { hostname } from 'node:os';
import type { TaskStore } from './store.js';

export interface Claim {
  host: string;
  pid: number;
  /** the rank or worker name, for messages */
  owner: string;
  /** epoch ms */
  expires: number;
}

/** Default lease; SYNTHFILTER_TASK_LEASE_MS overrides it (docs/scale.md). */
export function leaseMs(): number {
  const v = Number(process.env.SYNTHFILTER_TASK_LEASE_MS);
  return Number.isFinite(v) && v >= 100 ? v : 60_000;
}

function processGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code !== 'EPERM';
  }
}

/** Is the claim still held (lease running, and its process alive when it is on this host)? */
export function isLive(c: Claim, now = Date.now()): boolean {
  if (c.expires < now) return false;
  if (c.host === hostname() && c.pid !== process.pid && processGone(c.pid)) return false;
  return true;
}

function parse(text: string | null): Claim | null {
  if (text === null) return null;
  try {
    return JSON.parse(text) as Claim;
  } catch {
    return null; // a claim being written or damaged: treated as expired
  }
}

export class Claims {
  private readonly me = { host: hostname(), pid: process.pid };

  constructor(
    private readonly store: TaskStore,
    /** the night's folder in the store ("g3") */
    private readonly dir: string,
    private readonly owner: string,
    private readonly lease: number = leaseMs(),
  ) {}

  private key(task: string): string {
    return `${this.dir}/claims/${task}`;
  }

  private mine(): string {
    return JSON.stringify({ ...this.me, owner: this.owner, expires: Date.now() + this.lease } satisfies Claim);
  }

  /** Claim `task`: true when this process now holds it (free, expired, or its owner is gone). */
  tryClaim(task: string): boolean {
    const key = this.key(task);
    if (this.store.createExclusive(key, this.mine())) return true;
    const cur = parse(this.store.read(key));
    if (cur && isLive(cur)) return false;
    this.store.remove(key);
    return this.store.createExclusive(key, this.mine());
  }

  /** The heartbeat: extend the lease of a held claim. */
  renew(task: string): void {
    this.store.write(this.key(task), this.mine());
  }

  release(task: string): void {
    this.store.remove(this.key(task));
  }

  /** Is any task of the night claimed by a live process? */
  anyLive(): boolean {
    return this.store.list(`${this.dir}/claims/`).some((k) => {
      const c = parse(this.store.read(k));
      return c !== null && isLive(c);
    });
  }
}
