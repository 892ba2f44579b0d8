// Attack suite, CLI arguments (issue 16): random commands, flags from the real flag table (long and short forms,
// in and out of place), garbage flags, hostile values (paths with `..`, special files, reserved config keys) run
// against the built CLI with its cwd inside a temp root. Every run must end with a code from the exit-code table
// and no stack trace (never exit 1: that is a bug), write nothing outside its work folder (a sentinel sibling
// folder and the root's listing stay as they were) and leave Object.prototype clean (probe preloaded).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, lstatSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { BIN, tmp, jsonl, fakeText } from '../helpers.js';
import { EXIT_CODES } from '../../src/cli/exit-codes.js';
import { FLAGS, type FlagName } from '../../src/cli/flags.js';

const PROBE = pathToFileURL(join(import.meta.dirname, 'proto-probe.mjs')).href;
const CODES = new Set<number>(EXIT_CODES.map((r) => r.code));
const RUNS = 40;
const STACK = /(?:\n|\\n)\s+at (?:\S+ \(|file:|node:)/;

/** Every file under `dir` with its type, size and content hash (symlinks by target): a tamper-evident listing. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      const r = `${rel}/${name}`;
      if (st.isDirectory()) {
        out.push(`${r}/`);
        walk(p, r);
      } else if (st.isFile()) out.push(`${r} ${st.size} ${createHash('sha256').update(readFileSync(p)).digest('hex')} ${st.mtimeMs}`);
      else out.push(`${r} ${st.isSymbolicLink() ? 'link' : 'special'}`);
    }
  };
  walk(dir, '');
  return out;
}

/** The fixture: root/work (the CLI's cwd, where it may write) and root/sentinel (must never change). */
function fixture(): { root: string; work: string; sentinel: string } {
  const root = tmp('sf-fuzz-');
  const work = join(root, 'work');
  const sentinel = join(root, 'sentinel');
  mkdirSync(join(sentinel, 'victim'), { recursive: true });
  writeFileSync(join(sentinel, 'victim', 'only-copy.jsonl'), jsonl([{ text: 'the only copy of a corpus' }]));
  mkdirSync(join(work, 'in'), { recursive: true });
  writeFileSync(join(work, 'in.jsonl'), jsonl(Array.from({ length: 20 }, (_, i) => ({ id: i, text: fakeText(i + 1, 30) }))));
  writeFileSync(join(work, 'in', 'a.jsonl'), jsonl(Array.from({ length: 5 }, (_, i) => ({ text: fakeText(i + 50, 30) }))));
  writeFileSync(join(work, 'bad.bin'), Buffer.from([0x1f, 0x8b, 8, 0, 0xff, 0x00, 0x5b, 0x7b, 0x0a]));
  writeFileSync(join(work, 'empty.jsonl'), '');
  writeFileSync(join(work, 'c.json'), JSON.stringify({ origin: { enabled: false }, diversity: { enabled: false } }));
  writeFileSync(join(work, 'arr.json'), '[1,2]');
  writeFileSync(join(work, 'proto.json'), '{"__proto__":{"polluted":1},"dedup":{"constructor":{"prototype":{"x":1}}}}');
  symlinkSync('loop', join(work, 'loop'));
  symlinkSync('nowhere/at/all', join(work, 'dangling'));
  return { root, work, sentinel };
}

/** A relative path that may use `.` and `..` but never climbs above the cwd (writes there are the user's wish). */
const containedPath = fc
  .array(fc.constantFrom('in', 'out', 'o2', 'sub', 'in.jsonl', 'c.json', '.', '..', 'new dir', 'x.gz'), { minLength: 1, maxLength: 4 })
  .map((segs) => {
    let depth = 0;
    const kept = segs.filter((s) => {
      if (s === '..') return depth > 0 && depth-- > 0;
      if (s !== '.') depth++;
      return true;
    });
    return kept.join('/') || '.';
  });

const existing = fc.constantFrom('in.jsonl', 'in', 'bad.bin', 'empty.jsonl', 'c.json', 'arr.json', 'proto.json', 'loop', 'dangling', 'missing.jsonl', '-');

/** Names that must never become paths outside the work folder (run ids, partitions). */
const hostileName = fc.oneof(
  fc.constantFrom('..', '.', '../..', '../../sentinel/victim', '../sentinel', 'a/b', '/', '/tmp', '', '.hidden', 'night-1', 'x'.repeat(300)),
  fc.string({ maxLength: 12 }).filter((s) => !s.includes('\0')),
);

const configValue = fc.oneof(
  fc.constantFrom('dedup.threshold=0.9', 'dedup.threshold=7', 'origin.enabled=false', 'diversity.enabled=false', '__proto__.polluted=1', 'constructor.prototype.x=1', 'dedup={"__proto__":{"x":1}}', 'nope=1', '=1', 'a..b=1', 'output.shardMaxRecords=2'),
  fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })).map(([k, v]) => `${k}=${v}`),
);

function valueFor(flag: FlagName): fc.Arbitrary<string> {
  switch (flag) {
    case 'out':
    case 'rejects':
    case 'quarantine':
    case 'state':
      return fc.oneof(containedPath, existing);
    case 'in':
    case 'config':
      return fc.oneof(existing, containedPath);
    case 'run-id':
    case 'partition':
      return hostileName;
    case 'set':
      return configValue;
    case 'workers':
      return fc.constantFrom('1', '2', '0', '-1', 'two', '1.5', '');
    case 'format':
      return fc.constantFrom('auto', 'jsonl', 'json', 'xml', '');
    default:
      return fc.string({ maxLength: 8 }).filter((s) => !s.includes('\0'));
  }
}

const NAMES = Object.keys(FLAGS) as FlagName[];
// help and version end a run before any work: rare, so most runs exercise the commands
const flagArb: fc.Arbitrary<string[]> = fc
  .constantFrom(...NAMES.filter((n) => n !== 'help' && n !== 'version'), ...NAMES)
  .chain((name) => {
    const f = FLAGS[name] as { short?: string; value?: string };
    const form = f.short ? fc.constantFrom(`--${name}`, `-${f.short}`) : fc.constant(`--${name}`);
    return f.value ? fc.tuple(form, valueFor(name)).map(([a, v]) => [a, v]) : form.map((a) => [a]);
  });
const garbageArb: fc.Arbitrary<string[]> = fc.oneof(
  fc.string({ maxLength: 10 }).filter((s) => !s.includes('\0')).map((s) => [`--${s}`]),
  fc.constantFrom<string[]>(['-'], ['--'], ['-q-'], ['-o'], ['--set'], ['-Vq'], ['--out='], ['---out', 'x']),
);
const positionalArb: fc.Arbitrary<string[]> = fc.oneof(existing, containedPath).map((p) => [p]);

const argvArb = fc
  .tuple(
    fc.constantFrom([], ['filter'], ['score'], ['clean'], ['clean'], ['help'], ['help', 'clean'], ['state'], ['bogus']),
    fc.array(fc.oneof({ weight: 6, arbitrary: flagArb }, { weight: 1, arbitrary: garbageArb }, { weight: 2, arbitrary: positionalArb }), { maxLength: 7 }),
  )
  .map(([cmd, parts]) => [...cmd, ...parts.flat()]);

function runIn(cwd: string, args: string[]): Promise<{ code: number | null; signal: string | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', PROBE, BIN, ...args], { cwd, stdio: ['pipe', 'ignore', 'pipe'] });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    // a run that waits on something (it should not) is stopped by its own id and reported below
    const timer = setTimeout(() => p.kill('SIGKILL'), 30_000);
    p.on('error', reject);
    p.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stderr });
    });
    p.stdin.on('error', () => {}); // a command that never reads stdin closes it early
    p.stdin.end(jsonl([{ text: fakeText(7, 20) }]));
  });
}

/** The problems of one finished run (empty when it kept every promise). */
function problems(argv: string[], r: { code: number | null; signal: string | null; stderr: string }): string[] {
  const out: string[] = [];
  if (r.signal !== null) out.push(`killed by ${r.signal}`);
  else if (!CODES.has(r.code!)) out.push(`exit ${r.code} is not in the table`);
  else if (r.code === 1) out.push('exit 1: internal error');
  if (STACK.test(r.stderr) && !argv.includes('--debug')) out.push('stack trace on stderr (without --debug)');
  if (!/proto-probe: clean/.test(r.stderr)) out.push('Object.prototype changed');
  return out;
}

test(`fuzzed CLI arguments (${RUNS} runs): codes from the table, no stack, nothing written outside the work folder, prototype clean`, async () => {
  const { root, work, sentinel } = fixture();
  const sentinelBefore = snapshot(sentinel);
  // a new seed each run, printed with any failure: FUZZ_SEED=<seed> replays it
  const seed = Number(process.env['FUZZ_SEED'] ?? Date.now() % 2 ** 31);
  const cases = fc.sample(argvArb, { seed, numRuns: RUNS });
  const seen = new Map<number | null, number>();
  const PARALLEL = 4; // runs are mostly process start-up: a few at a time keeps the suite short
  for (let i = 0; i < cases.length; i += PARALLEL) {
    const batch = cases.slice(i, i + PARALLEL);
    const results = await Promise.all(batch.map((argv) => runIn(work, argv)));
    results.forEach((r, j) => {
      seen.set(r.code, (seen.get(r.code) ?? 0) + 1);
      const bad = problems(batch[j]!, r);
      assert.deepEqual(bad, [], `FUZZ_SEED=${seed}: synthfilter ${JSON.stringify(batch[j])}\n${r.stderr.slice(-2000)}`);
    });
    const ran = batch.map((a) => JSON.stringify(a)).join('\n  ');
    assert.deepEqual(readdirSync(root).sort(), ['sentinel', 'work'], `FUZZ_SEED=${seed}: a file appeared beside the work folder after:\n  ${ran}`);
    assert.deepEqual(snapshot(sentinel), sentinelBefore, `FUZZ_SEED=${seed}: the sentinel folder changed after:\n  ${ran}`);
  }
  console.log(`cli-fuzz seed ${seed}: exit codes ${JSON.stringify([...seen].sort((a, b) => b[1] - a[1]))}`);
  // the fuzz reaches real work, not only argument errors
  assert.ok((seen.get(2) ?? 0) < RUNS, `every run was a usage error (seed ${seed})`);
});
