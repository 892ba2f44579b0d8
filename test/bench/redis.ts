/**
 * Shared state throughput: 4 `synthfilter clean` worker processes against one local Redis (each on a quarter of the
 * corpus) versus 1 worker with the file backend on the whole corpus. Same corpus, `--workers 1` everywhere, so the
 * comparison is processes sharing one index versus one process. Also: Redis memory per indexed record.
 *
 *   npm run bench -- redis            (node --import tsx test/bench/redis.ts [--records 40000] [--parts 4])
 *
 * Corpus (seeded, cached under bench-out/redis/): ~100-word texts; 1 in 8 is a near duplicate (a word added) and
 * 1 in 16 an exact duplicate (case changed) of an earlier text, spread across partitions. Timing is wall clock from
 * spawning the first worker to the last exit (process start-up included); best of --reps (2) interleaved runs, as the
 * machine may be shared. CPU: user + system of every process (a preload reports it at exit), redis-server included.
 * A reference row runs the same 4 workers sharing nothing (separate file states): the parallelism this machine
 * allows at all. Memory: INFO used_memory after the run minus before, divided by the records left in the index;
 * MEMORY USAGE per key family (sampled) for the split.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { BIN, ROOT, fakeText, jsonl } from '../helpers.js';
import { startRedis } from '../redis-server.js';
import { report } from './report.js';

const args = process.argv.slice(2);
const opt = (k: string, d: number) => {
  const i = args.indexOf(k);
  return i >= 0 && i + 1 < args.length ? Number(args[i + 1]) : d;
};
const RECORDS = opt('--records', 40_000);
const PARTS = opt('--parts', 4);
const DIR = join(ROOT, 'bench-out', 'redis');

function corpus(): string {
  const dir = join(DIR, `corpus-${RECORDS}-${PARTS}`);
  if (existsSync(join(dir, '.complete'))) return dir;
  rmSync(dir, { recursive: true, force: true });
  const per = Math.ceil(RECORDS / PARTS);
  for (let p = 0; p < PARTS; p++) {
    mkdirSync(join(dir, `part-${p}`), { recursive: true });
    for (let f = 0; f < 2; f++) {
      const rows = [];
      for (let i = f * (per / 2); i < Math.min(per, (f + 1) * (per / 2)); i++) {
        const k = i * PARTS + p; // interleaved: duplicates of a text land in other partitions
        let text: string;
        if (k % 8 === 3 && k > 100) text = fakeText(1 + ((k * 7919) % (k - 50)), 100) + ' also'; // near duplicate of an earlier text
        else if (k % 16 === 5 && k > 100) text = fakeText(1 + ((k * 104729) % (k - 50)), 100).toUpperCase(); // exact duplicate
        else text = fakeText(1 + k, 100);
        rows.push({ id: `p${p}-${i}`, text });
      }
      writeFileSync(join(dir, `part-${p}`, `f${f}.jsonl`), jsonl(rows));
    }
  }
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

const CPU_PRELOAD = join(ROOT, 'test', 'bench', 'cpu-report.cjs');

interface Ran {
  code: number | null;
  stderr: string;
  /** user + system CPU seconds of the process (its threads included) */
  cpu: number;
}

function run(argv: string[]): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --require ${CPU_PRELOAD}`.trim() };
    const p = spawn(process.execPath, [BIN, ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => {
      const m = /SF_BENCH_CPU (\d+) (\d+)/.exec(stderr);
      resolve({ code, stderr, cpu: m ? (Number(m[1]) + Number(m[2])) / 1e6 : NaN });
    });
  });
}

/** Wall seconds and summed CPU seconds of a set of concurrent worker processes. */
async function timed(f: () => Promise<Ran[]>): Promise<{ secs: number; cpu: number; runs: Ran[] }> {
  const t0 = performance.now();
  const runs = await f();
  const secs = (performance.now() - t0) / 1000;
  for (const r of runs) if (r.code !== 0) throw new Error(`worker failed (${r.code}): ${r.stderr.slice(-2000)}`);
  return { secs, cpu: runs.reduce((a, r) => a + r.cpu, 0), runs };
}

const accepted = (stderr: string) => Number(/accept=(\d+)/.exec(stderr)?.[1] ?? NaN);

type Client = { sendCommand(args: string[]): Promise<unknown>; connect(): Promise<unknown>; destroy(): void };

async function usedMemory(c: Client): Promise<number> {
  return Number(/used_memory:(\d+)/.exec(String(await c.sendCommand(['INFO', 'memory'])))?.[1] ?? NaN);
}

/** MEMORY USAGE summed by key family ({prefix}:b, :x, :s, ...), over up to `sample` keys per family, extrapolated. */
async function families(c: Client, prefix: string, sample = 3000): Promise<Record<string, { keys: number; bytes: number }>> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = (await c.sendCommand(['SCAN', cursor, 'MATCH', `{${prefix}}:*`, 'COUNT', '5000'])) as [string, string[]];
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const by = new Map<string, string[]>();
  for (const k of keys) {
    const fam = k.slice(prefix.length + 3).split(':')[0] ?? '';
    (by.get(fam) ?? by.set(fam, []).get(fam)!).push(k);
  }
  const out: Record<string, { keys: number; bytes: number }> = {};
  for (const [fam, ks] of by) {
    const step = Math.max(1, Math.floor(ks.length / sample));
    const picked = ks.filter((_, i) => i % step === 0);
    const sizes = await Promise.all(picked.map((k) => c.sendCommand(['MEMORY', 'USAGE', k, 'SAMPLES', '0'])));
    const sum = sizes.reduce((a: number, x) => a + (Number(x) || 0), 0);
    out[fam] = { keys: ks.length, bytes: Math.round((sum / picked.length) * ks.length) };
  }
  return out;
}

async function redisCpu(c: Client): Promise<number> {
  const info = String(await c.sendCommand(['INFO', 'cpu']));
  return Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0) + Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
}

async function main(): Promise<void> {
  const REPS = opt('--reps', 2);
  const dir = corpus();
  const parts = Array.from({ length: PARTS }, (_, p) => join(dir, `part-${p}`));
  const work = join(DIR, 'runs');
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const load0 = loadavg()[0]!;
  const srv = await startRedis();
  const { createClient } = await import('redis');
  const client = createClient({ url: srv.url }) as unknown as Client;
  await client.connect();
  const best = { file: { secs: Infinity, cpu: NaN }, redis: { secs: Infinity, cpu: NaN, server: NaN }, separate: { secs: Infinity, cpu: NaN } };
  const memRows: Array<Record<string, unknown>> = [];
  try {
    const redisRun = async (bits: number, tag: string) => {
      const prefix = `bench${tag}`;
      const set = ['--set', 'state.backend="redis"', '--set', `state.url="${srv.url}"`, '--set', `state.prefix="${prefix}"`, '--set', `state.bucketBits=${bits}`];
      const before = await usedMemory(client);
      const c0 = await redisCpu(client);
      const t = await timed(() =>
        Promise.all(parts.map((p, i) => run(['clean', '--in', p, '--out', join(work, `redis-${tag}-out${i}`), '--partition', `part-${i}`, '--workers', '1', '--run-id', 'bench', ...set]))),
      );
      const serverCpu = (await redisCpu(client)) - c0;
      const after = await usedMemory(client);
      return { ...t, serverCpu, before, after, prefix, kept: t.runs.reduce((a, r) => a + accepted(r.stderr), 0) };
    };
    // interleaved repetitions, best of each (the machine may be shared)
    for (let rep = 0; rep < REPS; rep++) {
      const f = await timed(async () => [await run(['clean', '--quiet', '--in', dir, '--out', join(work, `file-out${rep}`), '--state', join(work, `file-state${rep}`), '--workers', '1', '--run-id', 'bench'])]);
      if (f.secs < best.file.secs) best.file = { secs: f.secs, cpu: f.cpu };
      // the parallelism ceiling of this machine: 4 workers that share nothing (4 file states, no cross-partition dedup)
      const sep = await timed(() =>
        Promise.all(parts.map((p, i) => run(['clean', '--quiet', '--in', p, '--out', join(work, `sep${rep}-out${i}`), '--state', join(work, `sep${rep}-state${i}`), '--workers', '1', '--run-id', 'bench']))),
      );
      if (sep.secs < best.separate.secs) best.separate = { secs: sep.secs, cpu: sep.cpu };
      const r = await redisRun(16, `16r${rep}`);
      if (r.secs < best.redis.secs) best.redis = { secs: r.secs, cpu: r.cpu + r.serverCpu, server: r.serverCpu };
      if (rep === 0) memRows.push(await memoryRow(client, r, 16));
    }
    memRows.push(await memoryRow(client, await redisRun(12, '12'), 12));
  } finally {
    client.destroy();
    await srv.stop();
  }
  const load1 = loadavg()[0]!;
  const ratio = best.file.secs / best.redis.secs;
  const rows = [
    { setup: '1 worker, file backend', records: RECORDS, seconds: +best.file.secs.toFixed(2), 'records/s': Math.round(RECORDS / best.file.secs), 'CPU s': +best.file.cpu.toFixed(2), 'CPU us/record': Math.round((best.file.cpu / RECORDS) * 1e6) },
    { setup: `${PARTS} workers, one Redis (of it redis-server: ${best.redis.server.toFixed(2)} CPU s)`, records: RECORDS, seconds: +best.redis.secs.toFixed(2), 'records/s': Math.round(RECORDS / best.redis.secs), 'CPU s': +best.redis.cpu.toFixed(2), 'CPU us/record': Math.round((best.redis.cpu / RECORDS) * 1e6) },
    { setup: 'ratio (Redis workers / file worker)', records: RECORDS, seconds: null, 'records/s': +ratio.toFixed(2), 'CPU s': null, 'CPU us/record': null },
    { setup: `reference: ${PARTS} workers sharing nothing (separate file states)`, records: RECORDS, seconds: +best.separate.secs.toFixed(2), 'records/s': Math.round(RECORDS / best.separate.secs), 'CPU s': +best.separate.cpu.toFixed(2), 'CPU us/record': Math.round((best.separate.cpu / RECORDS) * 1e6) },
    { setup: 'reference ratio (sharing nothing / file worker)', records: RECORDS, seconds: null, 'records/s': +(best.file.secs / best.separate.secs).toFixed(2), 'CPU s': null, 'CPU us/record': null },
  ];
  report('redis', {
    scope:
      `${RECORDS} records in ${PARTS} partitions; ${PARTS} clean processes (--workers 1) sharing one local Redis vs 1 process with the file backend; ` +
      `best of ${REPS} interleaved runs; ${cpus().length} cores, load average ${load0.toFixed(1)} -> ${load1.toFixed(1)} (CPU s: all processes, redis-server included)`,
    target: 'ratio >= 1.5',
    rows,
    memory: memRows,
  });
  console.log('\n   Redis memory by key family (MEMORY USAGE; b band buckets, x exact hashes, s signature slots, i ids, l ledger)');
  console.table(memRows);
  console.log(`\n   ratio ${ratio.toFixed(2)} (target >= 1.5)`);
  rmSync(work, { recursive: true, force: true }); // outputs are large; the corpus stays cached
}

async function memoryRow(c: Client, r: { before: number; after: number; prefix: string; kept: number }, bits: number): Promise<Record<string, unknown>> {
  const fam = await families(c, r.prefix);
  const index = ['b', 'x', 's', 'i'].reduce((a, f) => a + (fam[f]?.bytes ?? 0), 0);
  const per = (f: string) => (fam[f] ? Math.round(fam[f]!.bytes / r.kept) : 0);
  return {
    bucketBits: bits,
    indexed: r.kept,
    'used_memory delta MB': +((r.after - r.before) / 1e6).toFixed(2),
    'B/record all': Math.round((r.after - r.before) / r.kept),
    'B/record index': Math.round(index / r.kept),
    b: per('b'),
    x: per('x'),
    s: per('s'),
    i: per('i'),
    l: per('l'),
    'b keys': fam['b']?.keys ?? 0,
  };
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
