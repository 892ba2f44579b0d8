/**
 * The BullMQ runner (src/scale/queue, docs/queue.md) on a real redis-server: worker processes started and killed by
 * pid run a night's tasks phase by phase; a killed worker's job is resumed by another; a task that always fails is
 * given up after its retries and the night completes; workers may join late; resubmitting adds no job. The night
 * here is a stand-in (test/fixtures/queue/fake-night.ts) whose tasks leave traces; the CLI tests at the end run
 * `synthfilter worker` and `clean --queue`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, ROOT, runCli, tmp } from '../helpers.js';
import { startRedis, type RedisServer } from '../redis-server.js';

const FAKE = join(ROOT, 'test', 'fixtures', 'queue', 'fake-worker.ts');

let srv: RedisServer;
before(async () => {
  srv = await startRedis();
});
after(async () => {
  await srv?.stop();
});

/** every test gets an empty queue: the fake nights share one run id */
const flush = () => srv.cli('FLUSHALL');

const procs: ChildProcess[] = [];
after(() => {
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

interface Proc {
  p: ChildProcess;
  out: () => string;
  err: () => string;
  exited: Promise<number | null>;
}
function start(args: string[], viaTsx = true): Proc {
  const p = spawn(process.execPath, viaTsx ? ['--import', 'tsx', FAKE, ...args] : [BIN, ...args], { cwd: ROOT });
  procs.push(p);
  let out = '';
  let err = '';
  p.stdout!.setEncoding('utf8').on('data', (d) => (out += d));
  p.stderr!.setEncoding('utf8').on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => p.on('close', (code) => r(code)));
  return { p, out: () => out, err: () => err, exited };
}

async function until(what: string, cond: () => boolean, ms = 30_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function startWorker(lockMs = 1000, stalledMs = 500): Promise<Proc> {
  const w = start(['worker', srv.url, String(lockMs), String(stalledMs)]);
  await until('worker ready', () => w.err().includes('ready') || w.p.exitCode !== null);
  assert.equal(w.p.exitCode, null, w.err());
  return w;
}

async function stop(w: Proc): Promise<void> {
  if (w.p.exitCode !== null || w.p.signalCode !== null) return;
  w.p.kill('SIGTERM');
  await w.exited;
}

function night(phases: string[][]): string {
  const d = tmp('sf-queue-');
  writeFileSync(join(d, 'plan.json'), JSON.stringify({ runId: `run-${Math.random().toString(36).slice(2, 8)}`, phases }));
  return d;
}
/** runs.log as [task, pid] pairs */
const runs = (d: string) =>
  existsSync(join(d, 'runs.log'))
    ? readFileSync(join(d, 'runs.log'), 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split(' ') as [string, string])
    : [];
const gaveUp = (d: string) => readdirSync(join(d, 'gaveup')).sort();

async function submit(d: string): Promise<{ runId?: string; published?: boolean; error?: string }> {
  const s = start(['submit', srv.url, d]);
  const code = await s.exited;
  assert.ok(s.out().trim(), `submit printed nothing (exit ${code}): ${s.err()}`);
  return JSON.parse(s.out());
}

const MAPS = Array.from({ length: 6 }, (_, i) => `map:${i}`);

test('two workers run every task of a night once, phase by phase, and the night is published', async () => {
  flush();
  const d = night([MAPS, ['reduce:0', 'reduce:1'], ['cluster'], ['finish']]);
  const ws = [await startWorker(), await startWorker()];
  try {
    const r = await submit(d);
    assert.equal(r.published, true, JSON.stringify(r));
    assert.ok(existsSync(join(d, 'published')));
    const ran = runs(d).map(([t]) => t);
    assert.deepEqual([...ran].sort(), [...MAPS, 'reduce:0', 'reduce:1', 'cluster', 'finish'].sort(), 'each task ran exactly once');
    assert.deepEqual(gaveUp(d), [], 'no task given up (a phase-order violation would have failed a task)');
  } finally {
    await Promise.all(ws.map(stop));
  }
  for (const w of ws) assert.match(w.err(), /closed/, 'SIGTERM closes the worker gracefully');
});

test('a worker killed with -9 mid-task: another worker picks up its stalled job and the night completes', async () => {
  flush();
  const d = night([['slow:a', 'map:1'], ['finish']]);
  const a = await startWorker();
  const submitted = submit(d);
  await until('worker A to start slow:a', () => runs(d).some(([t]) => t === 'slow:a'));
  a.p.kill('SIGKILL');
  await a.exited;
  const b = await startWorker();
  try {
    writeFileSync(join(d, 'release'), '');
    const r = await submitted;
    assert.equal(r.published, true, JSON.stringify(r));
    const slow = runs(d).filter(([t]) => t === 'slow:a').map(([, pid]) => pid);
    assert.deepEqual(slow, [String(a.p.pid), String(b.p.pid)], 'slow:a ran on A (killed), then on B');
    assert.deepEqual(gaveUp(d), []);
  } finally {
    await stop(b);
  }
});

test('a task that always fails is retried, then given up with its reason, and the night completes', async () => {
  flush();
  const d = night([['map:0', 'bad:1', 'map:2'], ['finish']]);
  const w = await startWorker();
  try {
    const r = await submit(d);
    assert.equal(r.published, true, JSON.stringify(r));
    assert.equal(runs(d).filter(([t]) => t === 'bad:1').length, 3, 'three attempts');
    assert.deepEqual(gaveUp(d), ['bad_1']);
    assert.match(readFileSync(join(d, 'gaveup', 'bad_1'), 'utf8'), /failed 3 times, last: task bad:1 always fails/);
    assert.ok(runs(d).some(([t]) => t === 'finish'), 'the next phase ran');
  } finally {
    await stop(w);
  }
});

test('workers that join after the night was submitted run it; resubmitting adds no job', async () => {
  flush();
  const d = night([MAPS, ['finish']]);
  const first = submit(d);
  const again = submit(d); // the same night twice (e.g. a rerun of the submitter): the same job ids
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(runs(d), [], 'nothing runs without a worker');
  const w1 = await startWorker();
  const w2 = await startWorker();
  try {
    const [r1, r2] = await Promise.all([first, again]);
    assert.equal(r1.published, true, JSON.stringify(r1));
    assert.equal(r2.published, true, JSON.stringify(r2));
    assert.equal(runs(d).length, MAPS.length + 1, 'each task ran once although the night was submitted twice');
    const jobs = srv.cli('--scan', '--pattern', 'bull:synthfilter:*|task|*').split('\n').filter((k) => /\|task\|[^:]*$/.test(k));
    assert.equal(jobs.length, MAPS.length + 1, `one job per task: ${jobs.join(' ')}`);
  } finally {
    await Promise.all([stop(w1), stop(w2)]);
  }
});

test('worker and clean --queue: a bad URL exits 2, an unreachable Redis exits 7, without a stack trace', async () => {
  const d = tmp('sf-queue-');
  for (const [args, code, msg] of [
    [['worker'], 2, /missing --queue/],
    [['worker', '--queue', 'http://127.0.0.1:6379'], 2, /redis:\/\/ or rediss:\/\//],
    [['worker', '--queue', srv.url, '--concurrency', '0'], 2, /--concurrency must be an integer/],
    [['worker', '--queue', 'redis://127.0.0.1:1'], 7, /Redis at redis:\/\/127\.0\.0\.1:1 is unreachable/],
    [['clean', '--in', d, '--out', join(d, 'out'), '--queue', 'redis://127.0.0.1:1'], 2, /missing --state DIR/],
    [['clean', '--in', d, '--out', join(d, 'out'), '--state', join(d, 's'), '--queue', 'redis://127.0.0.1:1'], 7, /unreachable/],
    [['clean', '--in', d, '--out', join(d, 'out'), '--state', join(d, 's'), '--no-wait'], 2, /--no-wait applies only with --queue/],
  ] as const) {
    const r = await runCli([...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('without the bullmq package, --queue exits 2 naming what to install', () => {
  const d = tmp('sf-queue-');
  writeFileSync(
    join(d, 'hooks.mjs'),
    `export async function resolve(s, c, next) { if (s === 'bullmq') { const e = new Error("Cannot find package 'bullmq' imported from " + c.parentURL); e.code = 'ERR_MODULE_NOT_FOUND'; throw e; } return next(s, c); }`,
  );
  writeFileSync(join(d, 'hide.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(d, 'hooks.mjs')).href)});\n`);
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(d, 'hide.mjs')).href, BIN, 'worker', '--queue', srv.url], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /install bullmq to use --queue/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
});

// ---- the real night: `synthfilter worker` processes and `clean --queue` against a plain `clean` ----

/** An input folder of three parts of the sample (several map tasks). */
function inputDir(): string {
  const d = tmp('sf-queue-in-');
  const lines = readFileSync(join(ROOT, 'samples', 'mixed.jsonl'), 'utf8').split('\n').filter(Boolean);
  const third = Math.ceil(lines.length / 3);
  for (let i = 0; i < 3; i++) writeFileSync(join(d, `part${i}.jsonl`), lines.slice(i * third, (i + 1) * third).join('\n') + '\n');
  return d;
}

/** Every published file of a run folder, the manifest and report without their start times (the only difference
 *  a run's clock makes); report.html is drawn from report.json. */
function published(out: string, runId: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string) => {
    for (const e of readdirSync(join(out, runId, rel), { withFileTypes: true })) {
      const r = join(rel, e.name);
      if (e.isDirectory()) walk(r);
      else if (e.name !== 'report.html') {
        const b = readFileSync(join(out, runId, r));
        files.set(r, e.name.endsWith('.json') ? b.toString().replace(/"started_?[aA]t": "[^"]*"/g, '"started_at": "-"') : b.toString('base64'));
      }
    }
  };
  walk('.');
  return files;
}

/** lockMs: short where a test kills a worker; long enough elsewhere that a loaded machine never lets a lock lapse */
async function cliWorker(lockMs = 10_000): Promise<Proc> {
  const w = start(['worker', '--queue', srv.url, '--lock-ms', String(lockMs), '--stalled-ms', '500'], false);
  await until('synthfilter worker ready', () => w.err().includes('taking jobs') || w.p.exitCode !== null);
  assert.equal(w.p.exitCode, null, w.err());
  return w;
}

test('clean --queue with two synthfilter workers publishes the same files as a plain clean', async () => {
  flush();
  const inp = inputDir();
  const d = tmp('sf-queue-');
  const plain = await runCli(['clean', '--in', inp, '--out', join(d, 'out1'), '--state', join(d, 's1'), '--run-id', 'n1']);
  assert.equal(plain.code, 0, plain.stderr);
  const ws = [await cliWorker(), await cliWorker()];
  try {
    const q = await runCli(['clean', '--in', inp, '--out', join(d, 'out2'), '--state', join(d, 's2'), '--run-id', 'n1', '--queue', srv.url]);
    assert.equal(q.code, 0, q.stderr);
    assert.match(q.stderr, /submitted: 4 tasks in 2 phases/);
    assert.match(q.stderr, /published by the queue's workers/);
    assert.equal(q.stdout, '', 'stdout carries data only');
    const a = published(join(d, 'out1'), 'n1');
    const b = published(join(d, 'out2'), 'n1');
    assert.ok(a.size >= 4, [...a.keys()].join(' '));
    assert.deepEqual(b, a);
    // the next night has nothing new: exit 0 without submitting anything
    const again = await runCli(['clean', '--in', inp, '--out', join(d, 'out2'), '--state', join(d, 's2'), '--queue', srv.url]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stderr, /nothing to do/);
  } finally {
    await Promise.all(ws.map(stop));
  }
  const ran = ws.map((w) => (w.err().match(/worker: task \S+ of n1 done/g) ?? []).length);
  assert.equal(ran[0]! + ran[1]!, 4, `every task ran once: ${ran}\n${ws.map((w) => w.err()).join("\n")}`);
});

test('clean --queue with dedup.engine batch runs the band tasks as jobs and publishes the same files as a plain clean', async () => {
  flush();
  const inp = inputDir();
  const d = tmp('sf-queue-');
  const batch = ['--set', 'dedup.engine=batch'];
  const plain = await runCli(['clean', '--in', inp, '--out', join(d, 'out1'), '--state', join(d, 's1'), '--run-id', 'n1', ...batch]);
  assert.equal(plain.code, 0, plain.stderr);
  const ws = [await cliWorker(), await cliWorker()];
  try {
    const q = await runCli(['clean', '--in', inp, '--out', join(d, 'out2'), '--state', join(d, 's2'), '--run-id', 'n1', '--queue', srv.url, ...batch]);
    assert.equal(q.code, 0, q.stderr);
    // 3 map, 3 bands, one reduce per band group, cluster, route, 3 write, finish
    assert.match(q.stderr, /submitted: \d+ tasks in 7 phases/);
    assert.deepEqual(published(join(d, 'out2'), 'n1'), published(join(d, 'out1'), 'n1'));
  } finally {
    await Promise.all(ws.map(stop));
  }
  const ran = ws.flatMap((w) => w.err().match(/worker: task (bands|reduce|cluster|route|write)\S* of n1 done/g) ?? []);
  assert.ok(ran.length >= 9, `the band, route and write tasks ran as jobs: ${ran.join(', ')}`);
});

test('a synthfilter worker killed with -9 while it holds a job: a later worker resumes the night, same files', async () => {
  flush();
  const inp = inputDir();
  const d = tmp('sf-queue-');
  const plain = await runCli(['clean', '--in', inp, '--out', join(d, 'out1'), '--state', join(d, 's1'), '--run-id', 'n1']);
  assert.equal(plain.code, 0, plain.stderr);
  const a = await cliWorker(1500);
  const q = runCli(['clean', '--in', inp, '--out', join(d, 'out2'), '--state', join(d, 's2'), '--run-id', 'n1', '--queue', srv.url]);
  await until('worker A to hold a job', () => srv.cli('LLEN', 'bull:synthfilter:active') !== '0');
  a.p.kill('SIGKILL');
  await a.exited;
  const b = await cliWorker(1500);
  try {
    const r = await q;
    assert.equal(r.code, 0, r.stderr);
    assert.match(b.err(), /stalled/, 'B took over the job A held');
    assert.deepEqual(published(join(d, 'out2'), 'n1'), published(join(d, 'out1'), 'n1'));
  } finally {
    await stop(b);
  }
});
