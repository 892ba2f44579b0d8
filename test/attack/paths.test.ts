/**
 * Attacks on paths and outputs (issue 16, defects 1, 4 and 8's run-id collision), through the built CLI:
 * names that escape the run's folders, outputs that are inputs, special files as outputs, run-id collisions.
 */
import { readHead } from '../../src/state/generation.js';
import { writeCheckedAtomic } from '../../src/state/checked-file.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { createReadStream, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { BIN, CORE_ONLY_FLAGS, fakeText, jsonl, runCli, tmp, type RunOut } from '../helpers.js';
import { nameProblem, validateName } from '../../src/fsx/names.js';
import { removeContained, renameContained } from '../../src/fsx/contained.js';
import { SynthfilterError } from '../../src/errors.js';

/** Every file under `dir` with its bytes (links as "-> target"), for "nothing here changed" checks. */
function tree(dir: string, skip: (rel: string) => boolean = () => false): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const rel = relative(dir, p);
      if (skip(rel)) continue;
      if (e.isSymbolicLink()) out[rel] = `-> ${execFileSync('readlink', [p]).toString().trim()}`;
      else if (e.isDirectory()) {
        out[rel + '/'] = 'dir';
        walk(p);
      } else out[rel] = readFileSync(p).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** TMP/victim (someone else's data) and TMP/a/b/{in,out,state} (the run's folders, used relative to TMP/a/b). */
function layout() {
  const root = tmp('sf-paths-');
  mkdirSync(join(root, 'victim', 'keep'), { recursive: true });
  writeFileSync(join(root, 'victim', 'keep', 'precious.txt'), 'the only copy\n');
  const cwd = join(root, 'a', 'b');
  mkdirSync(join(cwd, 'in'), { recursive: true });
  writeFileSync(join(cwd, 'in', 'x.jsonl'), jsonl([{ id: 'x1', text: fakeText(1) }, { id: 'x2', text: fakeText(2) }, { id: 'x3', text: fakeText(1) }]));
  return { root, cwd };
}

const clean = (cwd: string, extra: string[], out = 'out', state = 'state') =>
  runCli(['clean', '--in', 'in', '--out', out, '--state', state, '--workers', '1', ...CORE_ONLY_FLAGS, ...extra], '', { cwd });

/** the run folders of the property test (a fresh out/state pair per run) */
const runFolders = (rel: string) => /^a\/b\/(out|state)\d+(\/|$)/.test(rel);

test('paths: --run-id that is not a plain name (../../victim, .., ., a/b, "", /abs, .hidden) exits 2 and touches nothing', async () => {
  const { root, cwd } = layout();
  const before = tree(root);
  // (the names property below covers the charset and length rules without a process per name)
  for (const id of ['../../victim', '..', '.', 'a/b', '', '.hidden']) {
    const r = await clean(cwd, [`--run-id=${id}`]);
    assert.equal(r.code, 2, `--run-id ${JSON.stringify(id)}: ${r.stderr}`);
    assert.match(r.stderr, /--run-id/, 'the message names the flag');
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
  assert.deepEqual(tree(root), before, 'nothing changed anywhere, not even under the run folders');
  const p = await clean(cwd, ['--partition', '../p']);
  assert.equal(p.code, 2, p.stderr);
  assert.match(p.stderr, /--partition/);
  // a plain name works and lands where it should
  const ok = await clean(cwd, ['--run-id', 'night_1.a-b']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.ok(existsSync(join(cwd, 'out', 'night_1.a-b', 'manifest.json')));
  assert.equal(readFileSync(join(root, 'victim', 'keep', 'precious.txt'), 'utf8'), 'the only copy\n');
});

test('paths: a pending run id planted in the state (../../victim) is refused with exit 6, the victim intact', async () => {
  const { root, cwd } = layout();
  const r0 = await clean(cwd, ['--run-id', 'n1']);
  assert.equal(r0.code, 0, r0.stderr);
  // state files carry a checksum footer: the planted record is written as a well-formed one, so only its run id is bad
  const head = readHead(join(cwd, 'state'))!;
  writeCheckedAtomic(join(cwd, 'state', 'pending.json'), JSON.stringify({ runId: '../../victim', startedAt: 'x', fingerprint: head.fingerprint, generation: head.generation, files: [] }));
  const before = tree(join(root, 'victim'));
  const r = await clean(cwd, []);
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /pending run id/);
  assert.deepEqual(tree(join(root, 'victim')), before);
});

test('paths: another run\'s output is never replaced: a reused --run-id exits 4, the first output and the state intact', async () => {
  const { root, cwd } = layout();
  assert.equal((await clean(cwd, ['--run-id', 'night'])).code, 0);
  const first = tree(join(cwd, 'out'));
  writeFileSync(join(cwd, 'in', 'y.jsonl'), jsonl([{ id: 'y1', text: fakeText(7) }]));
  const r = await clean(cwd, ['--run-id', 'night']);
  assert.equal(r.code, 4, r.stderr);
  assert.match(r.stderr, /refusing to replace another run's output/);
  assert.deepEqual(tree(join(cwd, 'out')), first);
  assert.ok(!existsSync(join(cwd, 'state', 'pending.json')), 'the refused run left nothing pending');
  // an output folder that is a link to someone else's data is not entered or replaced either
  symlinkSync(join(root, 'victim'), join(cwd, 'out', 'linked'));
  const l = await clean(cwd, ['--run-id', 'linked']);
  assert.equal(l.code, 4, l.stderr);
  assert.ok(lstatSync(join(cwd, 'out', 'linked')).isSymbolicLink());
  assert.equal(readFileSync(join(root, 'victim', 'keep', 'precious.txt'), 'utf8'), 'the only copy\n');
  // the next night under a fresh id goes through
  const ok = await clean(cwd, ['--run-id', 'night2']);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(JSON.parse(readFileSync(join(cwd, 'out', 'night2', 'manifest.json'), 'utf8')).counts.input, 1);
});

test('paths: default run ids are derived from the night\'s plan: two runs in a row both keep their output', async () => {
  const { cwd } = layout();
  const a = await clean(cwd, []);
  writeFileSync(join(cwd, 'in', 'y.jsonl'), jsonl([{ id: 'y1', text: fakeText(7) }]));
  const b = await clean(cwd, []);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  const runs = readdirSync(join(cwd, 'out')).filter((d) => !d.startsWith('.'));
  assert.equal(runs.length, 2, runs.join(','));
  for (const r of runs) assert.match(r, /^run-[0-9a-f]{16}$/);
  assert.deepEqual(runs.map((r) => JSON.parse(readFileSync(join(cwd, 'out', r, 'manifest.json'), 'utf8')).counts.input).sort(), [1, 3]);
});

test('paths: clean refuses --in FILE, --state FILE (2), --out FILE (4), --out or --state inside --in (2)', async () => {
  const { cwd } = layout();
  writeFileSync(join(cwd, 'file'), 'x');
  const cases: Array<[string[], number, RegExp]> = [
    [['clean', '--in', 'file', '--out', 'out', '--state', 'state'], 2, /--in file(:| is) not a (folder|directory)/],
    [['clean', '--in', 'in', '--out', 'out', '--state', 'file'], 2, /--state file(:| is) not a (folder|directory)/],
    [['clean', '--in', 'in', '--out', 'file', '--state', 'state'], 4, /--out file is not a folder|file: --out must name a directory/],
    [['clean', '--in', 'in', '--out', 'in/out', '--state', 'state'], 2, /--out in\/out is inside --in/],
    [['clean', '--in', 'in', '--out', 'out', '--state', 'in'], 2, /--state in is inside --in/],
  ];
  for (const [args, code, msg] of cases) {
    const r = await runCli(args, '', { cwd });
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  assert.ok(!existsSync(join(cwd, 'in', 'out')));
});

const filter = (cwd: string, args: string[], input = '') => runCli([...CORE_ONLY_FLAGS, ...args], input, { cwd });
const sh = (cwd: string, script: string): Promise<RunOut> =>
  new Promise((resolve, reject) => {
    const p = spawn('sh', ['-c', script], { cwd, env: { ...process.env, SF: `${process.execPath} ${BIN} ${CORE_ONLY_FLAGS.join(' ')}` } });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });

/** Input with one duplicate (rejected) and one malformed line (quarantined). */
const MIXED = jsonl([{ id: 'm1', text: fakeText(3) }, { id: 'm2', text: fakeText(3) }]) + 'not json\n';

test('outputs: an output that is an input (same path, hard link, standard input) exits 2 and the input is byte-identical', async () => {
  const d = tmp('sf-out-');
  writeFileSync(join(d, 'in.jsonl'), MIXED);
  linkSync(join(d, 'in.jsonl'), join(d, 'hard.jsonl'));
  symlinkSync('in.jsonl', join(d, 'soft.jsonl'));
  const attempts: Array<() => Promise<RunOut>> = [
    () => filter(d, ['--rejects', 'in.jsonl', 'in.jsonl']),
    () => filter(d, ['--quarantine', 'in.jsonl', 'in.jsonl']),
    () => filter(d, ['--rejects', 'hard.jsonl', 'in.jsonl']),
    () => filter(d, ['--rejects', 'soft.jsonl', 'in.jsonl']),
    () => filter(d, ['--rejects', 'in.jsonl', 'other.jsonl', 'in.jsonl']),
    () => sh(d, '$SF --quarantine in.jsonl < in.jsonl'),
    () => sh(d, '$SF --rejects hard.jsonl - < in.jsonl'),
  ];
  for (const go of attempts) {
    const r = await go();
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /same file as the input/);
    assert.equal(r.stdout, '', 'nothing written before the refusal');
    assert.equal(readFileSync(join(d, 'in.jsonl'), 'utf8'), MIXED);
  }
  assert.deepEqual(readdirSync(d).sort(), ['hard.jsonl', 'in.jsonl', 'soft.jsonl'], 'no output or temp file left');
  // the sink's own names in --out are refused too when an input sits there
  mkdirSync(join(d, 'o'));
  writeFileSync(join(d, 'o', 'shard-00000.jsonl'), MIXED);
  const r = await filter(d, ['--out', 'o', 'o/shard-00000.jsonl']);
  assert.equal(r.code, 2, r.stderr);
  assert.equal(readFileSync(join(d, 'o', 'shard-00000.jsonl'), 'utf8'), MIXED);
  // an unrelated existing output is replaced as before
  writeFileSync(join(d, 'old.jsonl'), 'old\n');
  const ok = await filter(d, ['--rejects', 'old.jsonl'], MIXED);
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readFileSync(join(d, 'old.jsonl'), 'utf8').trim().split('\n').length, 2);
});

test('outputs: a FIFO as --rejects is written in place for its reader and stays a FIFO', async () => {
  const d = tmp('sf-fifo-');
  writeFileSync(join(d, 'in.jsonl'), MIXED);
  execFileSync('mkfifo', [join(d, 'rej')]);
  let got = '';
  const reader = new Promise<void>((resolve, reject) => {
    createReadStream(join(d, 'rej'))
      .on('data', (c) => (got += c))
      .on('end', resolve)
      .on('error', reject);
  });
  const r = await filter(d, ['--rejects', 'rej', 'in.jsonl']);
  await reader;
  assert.equal(r.code, 0, r.stderr);
  const lines = got.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(lines.map((x) => x.synthfilter.decision), ['reject', 'quarantine']);
  assert.ok(lstatSync(join(d, 'rej')).isFIFO(), 'still a FIFO');
  assert.deepEqual(readdirSync(d).sort(), ['in.jsonl', 'rej'], 'no temp file');
});

test('outputs: a symlink as --rejects: its target is written, the link stays a link (also a dangling link)', async () => {
  const d = tmp('sf-link-');
  writeFileSync(join(d, 'in.jsonl'), MIXED);
  mkdirSync(join(d, 'elsewhere'));
  writeFileSync(join(d, 'elsewhere', 'target.jsonl'), 'old\n');
  symlinkSync('elsewhere/target.jsonl', join(d, 'rej.jsonl'));
  symlinkSync('elsewhere/new.jsonl', join(d, 'dangling.jsonl'));
  for (const [link, target] of [['rej.jsonl', 'target.jsonl'], ['dangling.jsonl', 'new.jsonl']]) {
    const r = await filter(d, ['--rejects', link!, 'in.jsonl']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(lstatSync(join(d, link!)).isSymbolicLink(), `${link} is still a link`);
    const lines = readFileSync(join(d, 'elsewhere', target!), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.map((x) => x.synthfilter.decision), ['reject', 'quarantine']);
  }
  assert.deepEqual(readdirSync(join(d, 'elsewhere')).sort(), ['new.jsonl', 'target.jsonl'], 'no temp file');
  // --rejects and --quarantine naming one file through a link share one writer (nothing lost)
  const r = await filter(d, ['--rejects', 'elsewhere/target.jsonl', '--quarantine', 'rej.jsonl', 'in.jsonl']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(join(d, 'elsewhere', 'target.jsonl'), 'utf8').trim().split('\n').length, 2);
  // a folder is refused with the output exit code
  const f = await filter(d, ['--rejects', 'elsewhere', 'in.jsonl']);
  assert.equal(f.code, 4, f.stderr);
  assert.match(f.stderr, /is a folder/);
});

test('contained: deletes and renames outside the roots are refused; links are removed, never followed', () => {
  const d = tmp('sf-contained-');
  const root = join(d, 'root');
  mkdirSync(join(root, 'run', 'sub'), { recursive: true });
  mkdirSync(join(d, 'victim'));
  writeFileSync(join(d, 'victim', 'v.txt'), 'v');
  symlinkSync(join(d, 'victim'), join(root, 'run', 'sub', 'to-victim'));
  symlinkSync(join(d, 'victim'), join(root, 'escape'));
  const refused = (f: () => void) => assert.throws(f, (e: unknown) => e instanceof SynthfilterError && /refusing/.test(e.message));
  refused(() => removeContained(join(root, '..', 'victim'), [root]));
  refused(() => removeContained(root, [root])); // the root itself
  refused(() => removeContained(join(root, 'escape', 'v.txt'), [root])); // through a link in the path
  refused(() => renameContained(join(d, 'victim', 'v.txt'), join(root, 'v.txt'), [root]));
  refused(() => renameContained(join(root, 'run'), join(d, 'moved'), [root]));
  removeContained(join(root, 'run'), [root]); // holds a link to the victim: the link goes, the victim stays
  removeContained(join(root, 'escape'), [root]); // a link itself
  assert.deepEqual(readdirSync(root), []);
  assert.equal(readFileSync(join(d, 'victim', 'v.txt'), 'utf8'), 'v');
  removeContained(join(root, 'never-there'), [root]); // nothing there is fine
});

test('names: property: a name is accepted exactly when it is one plain directory entry of the safe set', () => {
  const tricky = fc.constantFrom('..', '.', '', 'a/b', '../x', 'a\\b', 'a\0b', '\u2024\u2024', 'ok', 'x'.repeat(100), 'x'.repeat(101), ' a', 'a b', '-x', '_x');
  fc.assert(
    fc.property(fc.oneof(tricky, fc.string({ unit: 'binary', maxLength: 12 }), fc.stringMatching(/^[A-Za-z0-9._\-/]{0,8}$/)), (s) => {
      const plain = s.length >= 1 && s.length <= 100 && /^[A-Za-z0-9_]/.test(s) && [...s].every((c) => /[A-Za-z0-9._-]/.test(c));
      assert.equal(nameProblem(s) === null, plain, JSON.stringify(s));
      if (!plain) assert.throws(() => validateName('--run-id', s), (e: unknown) => e instanceof SynthfilterError && e.code === 'E_USAGE' && e.message.startsWith('--run-id'));
    }),
    { numRuns: 200 },
  );
});

test('paths: property: any --run-id exits 0 or 2, and nothing outside the run folders changes', async () => {
  const { root, cwd } = layout();
  const before = tree(root, runFolders);
  const victim = tree(join(root, 'victim'));
  let n = 0;
  const id = fc.oneof(
    fc.constantFrom('../../victim', '../..', 'a/../..', '..\\..', '~', 'run-1', 'in', 'out'),
    fc.string({ unit: 'grapheme', maxLength: 10 }),
    fc.stringMatching(/^[./a-z]{0,6}$/),
  );
  await fc.assert(
    fc.asyncProperty(id.filter((s) => !s.includes('\0')), async (s) => {
      n++;
      // a fresh output and state folder per run so every accepted id does real work
      const r = await clean(cwd, [`--run-id=${s}`], `out${n}`, `state${n}`);
      assert.ok(r.code === 0 || r.code === 2, `--run-id ${JSON.stringify(s)}: exit ${r.code} ${r.stderr}`);
      if (r.code === 0) assert.ok(existsSync(join(cwd, `out${n}`, s, 'manifest.json')), s);
      assert.deepEqual(tree(join(root, 'victim')), victim);
    }),
    { numRuns: 8 },
  );
  assert.deepEqual(tree(root, runFolders), before, 'nothing outside the run folders changed');
});
