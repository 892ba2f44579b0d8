// Defect 9 (issue 16): one exit-code table, the README states it, every listed failure has its code and no stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, runCli, tmp, CORE_ONLY_FLAGS } from '../helpers.js';
import { EXIT, EXIT_CODES, describeError, exitFor } from '../../src/cli/exit-codes.js';
import { SynthfilterError } from '../../src/errors.js';
import { BackendUnavailableError } from '../../src/state/backend.js';

// a stack frame, raw or inside a JSON log line (where the newline is the two characters \n)
const STACK = /(?:\n|\\n)\s+at (?:\S+ \(|file:|node:)/;

/** The rows of the table under a "## Exit codes" (or "###") heading, `\|` unescaped; null when there is none. */
function exitTable(markdown: string): { code: number; meaning: string }[] | null {
  const head = /^#{2,3} Exit codes\s*$/m.exec(markdown);
  if (!head) return null;
  const rest = markdown.slice(head.index + head[0].length);
  const next = rest.search(/^#/m);
  return (next < 0 ? rest : rest.slice(0, next))
    .split('\n')
    .filter((l) => /^\|\s*\d+\s*\|/.test(l))
    .map((l) => {
      const m = /^\|\s*(\d+)\s*\|\s*(.*?)\s*\|$/.exec(l)!;
      return { code: Number(m[1]), meaning: m[2]!.replace(/\\\|/g, '|') };
    });
}

test('the "Exit codes" tables of README.md (and docs/cli.md when it has one) are the exit-code module, row by row', () => {
  const expected = EXIT_CODES.map((r) => ({ code: r.code, meaning: r.meaning }));
  const readme = exitTable(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(readme, 'README.md has an "Exit codes" section');
  assert.deepEqual(readme, expected);
  const cliDoc = join(ROOT, 'docs', 'cli.md');
  const doc = existsSync(cliDoc) ? exitTable(readFileSync(cliDoc, 'utf8')) : null;
  if (doc) assert.deepEqual(doc, expected, 'docs/cli.md');
});

test('exitFor: every SynthfilterError code has its row; OS errors are 2 or 4; anything else is 1 with a stack', () => {
  for (const row of EXIT_CODES) for (const c of row.errors) assert.equal(exitFor(new SynthfilterError(c, 'm')), row.code, c);
  assert.equal(exitFor(new BackendUnavailableError('redis down')), 7);
  const sys = (code: string) => Object.assign(new Error(`${code}: x`), { code, syscall: 'open', errno: -1 });
  assert.equal(exitFor(sys('ENOSPC')), 4);
  assert.equal(exitFor(sys('EROFS')), 4);
  assert.equal(exitFor(sys('ENOENT')), 2);
  assert.equal(exitFor(sys('ENOTDIR')), 2);
  assert.equal(exitFor(new TypeError('x is undefined')), 1);
  assert.equal(exitFor(new SynthfilterError('E_INTERNAL' as any, 'worker died')), 1);
  assert.equal(describeError(new SynthfilterError('E_USAGE', 'bad flag')), 'bad flag');
  assert.match(describeError(new SynthfilterError('E_USAGE', 'bad flag'), true), STACK);
  assert.match(describeError(new TypeError('boom')), /^internal error: TypeError: boom\n\s+at /);
  assert.deepEqual(Object.keys(EXIT), EXIT_CODES.map((r) => r.name));
});

/** Asserts the exit code, a message naming `why`, and no stack trace. */
function expectFailure(r: { code: number | null; stderr: string }, code: number, why: RegExp) {
  assert.equal(r.code, code, r.stderr);
  assert.match(r.stderr, why);
  assert.ok(!STACK.test(r.stderr), `stack trace in: ${r.stderr}`);
}

test('--out naming an existing regular file is exit 4, and the file is untouched', async () => {
  const d = tmp();
  const f = join(d, 'in.jsonl');
  writeFileSync(f, '{"text":"keep me"}\n');
  expectFailure(await runCli(['--out', f, f]), 4, /not a directory|another kind/);
  expectFailure(await runCli(['clean', '--in', d, '--out', f, '--state', join(d, 's')]), 4, /--out/);
  assert.equal(readFileSync(f, 'utf8'), '{"text":"keep me"}\n');
});

test('stdout on a full disk (> /dev/full) is exit 4 with a message', async () => {
  const d = tmp();
  const f = join(d, 'in.jsonl');
  writeFileSync(f, Array.from({ length: 50 }, (_, i) => JSON.stringify({ text: `record ${i} about a plain topic with words` })).join('\n') + '\n');
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const p = spawn('sh', ['-c', `"${process.execPath}" "${BIN}" ${CORE_ONLY_FLAGS.join(' ')} "${f}" > /dev/full`], { cwd: d });
    let stderr = '';
    p.stderr.on('data', (x) => (stderr += x));
    p.on('close', (code) => resolve({ code, stderr }));
  });
  expectFailure(r, 4, /stdout: ENOSPC/);
});

test('clean: --in FILE, --state FILE, --run-id "" and FILE arguments are exit 2', async () => {
  const d = tmp();
  const inDir = join(d, 'in');
  mkdirSync(inDir);
  const file = join(d, 'f.jsonl');
  writeFileSync(file, '{"text":"a"}\n');
  const out = join(d, 'out');
  const st = join(d, 'st');
  expectFailure(await runCli(['clean', '--in', file, '--out', out, '--state', st]), 2, /--in .*not a directory/);
  expectFailure(await runCli(['clean', '--in', inDir, '--out', out, '--state', file]), 2, /--state .*not a directory/);
  expectFailure(await runCli(['clean', '--in', inDir, '--out', out, '--state', st, '--run-id', '']), 2, /--run-id needs a non-empty value/);
  for (const id of ['..', '.', '../../victim', 'a/b', '.hidden', 'x'.repeat(129), 'a b']) {
    expectFailure(await runCli(['clean', '--in', inDir, '--out', out, '--state', st, '--run-id', id]), 2, /--run-id .+ (may only contain|is longer than)/);
  }
  expectFailure(await runCli(['clean', '--in', inDir, '--out', out, '--state', st, file]), 2, /takes no FILE/);
  expectFailure(await runCli(['clean', '--in', inDir, '--state', st]), 2, /missing --out/);
  expectFailure(await runCli(['clean', '--in', inDir, '--out', out, '--state', st, '--workers', 'two']), 2, /--workers must be a positive integer/);
});

test('a config that is not an object, and a bad value, are exit 2 naming the problem', async () => {
  const d = tmp();
  const c = join(d, 'c.json');
  writeFileSync(c, '[1,2]');
  expectFailure(await runCli(['--config', c]), 2, /must hold a JSON object, got array/);
  expectFailure(await runCli(['--set', 'dedup.threshold=7']), 2, /dedup\.threshold/);
});

test('--debug adds the stack trace to an expected error; the exit code stays', async () => {
  const r = await runCli(['--debug', '--set', 'dedup.threshold=7']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, STACK);
});
