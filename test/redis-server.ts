/**
 * A private redis-server for tests and benchmarks, on a random loopback port. Missing redis-server is a failure
 * that names the command to install it, never a skip.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const INSTALL_HINT = 'redis-server is not installed; run `bash scripts/ensure-test-deps.sh` (installs the Debian package redis-server)';

export function requireRedisServer(): void {
  const r = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(INSTALL_HINT);
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(500, () => done(false));
    s.on('error', () => done(false));
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      buf += d.toString();
      if (buf.includes('\r\n')) done(buf.startsWith('+PONG'));
    });
  });
}

export interface RedisServerOptions {
  /** keep data across restarts (append-only file, fsync always) */
  persist?: boolean;
  /** start a Redis Cluster node (cluster-enabled, its own nodes file; slots are assigned by the test) */
  cluster?: boolean;
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  readonly dir: string;
  port = 0;

  constructor(private readonly opts: RedisServerOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'sf-redis-'));
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  private args(): string[] {
    const a = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--dir', this.dir, '--protected-mode', 'no'];
    a.push('--appendonly', this.opts.persist ? 'yes' : 'no');
    if (this.opts.persist) a.push('--appendfsync', 'always');
    if (this.opts.cluster) a.push('--cluster-enabled', 'yes', '--cluster-config-file', join(this.dir, 'nodes.conf'));
    return a;
  }

  /** Start on a free random port (or, after `stop`, on the same port again). */
  async start(): Promise<void> {
    requireRedisServer();
    const fixed = this.port !== 0;
    for (let attempt = 0; attempt < 20; attempt++) {
      if (!fixed) this.port = 20000 + Math.floor(Math.random() * 40000);
      if (!fixed && (await ping(this.port))) continue; // someone else's server
      const p = spawn('redis-server', this.args(), { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      p.stdout!.on('data', (d) => (out += d.toString()));
      p.stderr!.on('data', (d) => (out += d.toString()));
      let exited = false;
      p.on('exit', () => (exited = true));
      const t0 = Date.now();
      while (!exited && Date.now() - t0 < 5000) {
        if (await ping(this.port)) {
          this.proc = p;
          return;
        }
        await new Promise((r) => setTimeout(r, 30));
      }
      p.kill('SIGKILL');
      if (fixed && attempt < 19) {
        await new Promise((r) => setTimeout(r, 200)); // the old socket may linger briefly
        continue;
      }
      if (fixed) throw new Error(`redis-server did not start on port ${this.port}: ${out.slice(-500)}`);
    }
    throw new Error('redis-server: no free port found');
  }

  /** SIGTERM (a clean shutdown) and wait for the process to exit. */
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    this.proc = null;
    if (p.exitCode !== null || p.signalCode !== null) return;
    await new Promise<void>((r) => {
      p.on('exit', () => r());
      p.kill('SIGTERM');
    });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  get running(): boolean {
    return this.proc !== null;
  }

  /** One command through redis-cli (tests' inspection only). */
  cli(...args: string[]): string {
    const r = spawnSync('redis-cli', ['-p', String(this.port), ...args], { encoding: 'utf8' });
    return r.stdout.trim();
  }
}

export async function startRedis(opts: RedisServerOptions = {}): Promise<RedisServer> {
  const s = new RedisServer(opts);
  await s.start();
  return s;
}
