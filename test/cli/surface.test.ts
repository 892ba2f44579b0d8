// Defects 3 and 10 (issue 16): -q is --quiet, help and version on stdout, help is complete, flags that do not
// apply to a command are refused.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { PassThrough, Writable } from 'node:stream';
import { BIN, ROOT, runCli, tmp, jsonl, CORE_ONLY_FLAGS } from '../helpers.js';
import { COMMANDS, main } from '../../src/cli/main.js';
import { FLAGS, GLOBAL_FLAGS, type FlagName } from '../../src/cli/flags.js';

const VERSION = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;

/** main() in this process with captured stdout/stderr: for argument handling that fails before any work. */
async function runMain(argv: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main({ argv, stdout, stderr, stdin: new PassThrough() });
  return { code, stdout: out, stderr: err };
}

test('regression: `-q in.jsonl < other.jsonl` reads in.jsonl quietly and leaves it intact', async () => {
  const d = tmp();
  const inFile = join(d, 'in.jsonl');
  const body = jsonl([{ id: 'in-1', text: 'the first record of the input file' }, { id: 'in-2', text: 'and a second one, different' }]);
  writeFileSync(inFile, body);
  const before = statSync(inFile);
  const r = await runCli(['-q', inFile, ...CORE_ONLY_FLAGS], jsonl([{ id: 'other', text: 'from stdin, must not be read' }]));
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'quiet: nothing on stderr');
  assert.deepEqual(r.stdout.trim().split('\n').map((l) => JSON.parse(l).id), ['in-1', 'in-2']);
  assert.equal(readFileSync(inFile, 'utf8'), body);
  assert.equal(statSync(inFile).size, before.size);
  // --quarantine has no short form any more
  const q = await runMain(['-q', '--quarantine', join(d, 'q.jsonl'), inFile, ...CORE_ONLY_FLAGS]);
  assert.equal(q.code, 0, q.stderr);
});

test('--help is complete: every command, every flag, the exit codes; `help COMMAND` lists its flags', async () => {
  const h = await runCli(['--help']);
  assert.equal(h.code, 0);
  for (const c of COMMANDS) assert.ok(h.stdout.includes(`synthfilter ${c.usage}`), c.name);
  for (const f of Object.keys(FLAGS)) assert.match(h.stdout, new RegExp(`--${f}\\b`), f);
  for (const f of ['--workers', '--run-id', '--partition', '--state', '--in', '--debug', '--quiet']) assert.ok(h.stdout.includes(f), f);
  assert.match(h.stdout, /Exit codes:[\s\S]*\b143\b/);
  for (const c of COMMANDS) {
    const r = await runMain(['help', ...c.name.split(' ')]);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.startsWith(`Usage: synthfilter ${c.usage}`), c.name);
    for (const f of [...c.flags, ...GLOBAL_FLAGS]) assert.match(r.stdout, new RegExp(`--${f}\\b`), `${c.name} --${f}`);
  }
  const clean = await runMain(['clean', '--help']);
  assert.equal(clean.code, 0);
  assert.ok(clean.stdout.startsWith('Usage: synthfilter clean'));
  for (const f of ['--workers', '--run-id', '--partition', '--state', '--in']) assert.ok(clean.stdout.includes(f), f);
});

test('`synthfilter help` is the help, not an input file; `help NOPE` is exit 2', async () => {
  const d = tmp();
  const r = await runCli(['help'], '', { cwd: d });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^synthfilter .*\n\nUsage:/);
  assert.equal(r.stderr, '');
  const bad = await runMain(['help', 'nope']);
  assert.equal(bad.code, 2);
  assert.equal(bad.stdout, '');
});

test('-V, -v and --version print the package version to stdout', async () => {
  const r = await runCli(['-V']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `${VERSION}\n`);
  for (const a of [['-v'], ['--version'], ['clean', '--version'], ['score', '-V']]) {
    const x = await runMain(a);
    assert.equal(x.code, 0, a.join(' '));
    assert.equal(x.stdout, `${VERSION}\n`, a.join(' '));
  }
});

test('each command refuses every flag it does not take: exit 2 naming the flag and the command', async () => {
  const sample: Record<string, string[]> = {}; // a value for flags that take one
  for (const [name, f] of Object.entries(FLAGS)) sample[name] = 'value' in f ? ['x'] : [];
  let refused = 0;
  for (const c of COMMANDS) {
    const takes = new Set<FlagName>([...c.flags, ...GLOBAL_FLAGS]);
    for (const f of Object.keys(FLAGS) as FlagName[]) {
      if (takes.has(f)) continue;
      const r = await runMain([...c.name.split(' '), `--${f}`, ...sample[f]!]);
      assert.equal(r.code, 2, `${c.name} --${f}: ${r.stderr}`);
      assert.match(r.stderr, new RegExp(`--${f} does not apply to "${c.name}"`));
      assert.equal(r.stdout, '');
      refused++;
    }
  }
  assert.ok(refused >= 20, `refused ${refused}`);
  // the short form of a flag is refused too, also inside a cluster
  assert.equal((await runMain(['score', '-o', 'x'])).code, 2);
  assert.equal((await runMain(['score', '-qa'])).code, 2);
  // the named cases of the issue
  assert.match((await runMain(['--workers', '2'])).stderr, /--workers does not apply to "filter"/);
  assert.match((await runMain(['--in', 'x'])).stderr, /--in does not apply to "filter"/);
  const both = await runCli(['--out', join(tmp(), 'o'), '--rejects', join(tmp(), 'r')]);
  assert.equal(both.code, 2, both.stderr);
  assert.match(both.stderr, /are for stdout mode/);
});

test('unknown flags and empty path values are exit 2 with a pointer to help', async () => {
  for (const a of [['--nope'], ['-Z'], ['--out', ''], ['--rejects='], ['clean', '--state', ''], ['--set']]) {
    const r = await runMain(a);
    assert.equal(r.code, 2, a.join(' '));
    assert.match(r.stderr, /synthfilter help|non-empty/, a.join(' '));
  }
});

test('help and version on a closed pipe end with 0, on a full disk with 4; never an unhandled error', async () => {
  const failing = (code: string) =>
    new Writable({
      write(_chunk, _enc, cb) {
        cb(Object.assign(new Error(`write ${code}`), { code, syscall: 'write' }));
      },
    });
  for (const argv of [['--help'], ['help', 'clean'], ['-V'], ['score', '--help']]) {
    const pipe = await main({ argv, stdout: failing('EPIPE'), stderr: new PassThrough(), stdin: new PassThrough() });
    assert.equal(pipe, 0, `${argv.join(' ')} | head`);
    const full = await main({ argv, stdout: failing('ENOSPC'), stderr: new PassThrough(), stdin: new PassThrough() });
    assert.equal(full, 4, `${argv.join(' ')} > /dev/full`);
  }
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" --help > /dev/full`]);
    let stderr = '';
    p.stderr.on('data', (x) => (stderr += x));
    p.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /stdout: ENOSPC/);
  assert.ok(!/Unhandled|\n\s+at /.test(r.stderr), r.stderr);
});
