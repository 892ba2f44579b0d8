/**
 * Attacks on the state folder of `synthfilter clean` (issue 16, defect 7): every state file is damaged in turn
 * (one byte flipped in its payload, one in its checksum footer, cut short) and the run must exit 6 naming that file,
 * publish nothing and change nothing; `state verify` must say the same. Also: a file missing, a file swapped in
 * from another generation, temp files a crash left, and a folder written before checksums (format 1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { CORE_ONLY, CORE_ONLY_FLAGS, fakeText, jsonl, runCli, tmp } from '../helpers.js';
import { resolveConfig } from '../../src/config/index.js';
import { runClean } from '../../src/stage/clean.js';
import { FOOTER_BYTES } from '../../src/state/checked-file.js';
import { verifyStateDir } from '../../src/state/verify.js';

/** Every file under `dir` (relative path -> sha256), the lock excluded; {} when `dir` does not exist. */
function treeOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(join(d, e.name), r);
      else if (e.name !== 'lock') out[r] = createHash('sha256').update(readFileSync(join(d, e.name))).digest('hex');
    }
  };
  if (existsSync(dir)) walk(dir, '');
  return out;
}

const rows = (file: string, from: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({ id: `${file}-${i}`, text: fakeText(from + (i % 7 === 0 ? 0 : i), 60) }));

const clean = (inp: string, out: string, state: string, extra: string[] = []) =>
  runCli(['clean', '--in', inp, '--out', out, '--state', state, '--workers', '1', ...CORE_ONLY_FLAGS, ...extra]);

/**
 * A state folder after two nights, with a third night planned but not run (so pending.json exists and the next run
 * has output to publish). Returns the folder holding in/, out/, state/; callers copy state/ before damaging it.
 */
async function buildState(): Promise<{ root: string; inp: string; out: string; state: string }> {
  const root = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(root, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), jsonl(rows('a', 1, 40)));
  let r = await clean(inp, out, state, ['--run-id', 'night1']);
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(join(inp, 'b.jsonl'), jsonl(rows('b', 1000, 40)));
  r = await clean(inp, out, state, ['--run-id', 'night2']);
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(join(inp, 'c.jsonl'), jsonl(rows('c', 2000, 40)));
  // night3 stops right after planning: its pending record stays, as after a crash
  const stop = new Error('stop after planning');
  await assert.rejects(
    runClean({ inDir: inp, outDir: out, stateDir: state, cfg: resolveConfig(CORE_ONLY), workers: 1, runId: 'night3', onPhase: (p) => { if (p === 'planned') throw stop; } }),
    (e) => e === stop,
  );
  assert.ok(existsSync(join(state, 'pending.json')));
  return { root, inp, out, state };
}

let built: ReturnType<typeof buildState> | null = null;
/** A private copy (in/, out/, state/ in a new temp folder) of the folder buildState makes once for this file; the
 * planned run's pending.json still names the inputs of that first folder, which no test changes. */
async function builtState(): Promise<{ root: string; inp: string; out: string; state: string }> {
  const src = await (built ??= buildState());
  const root = tmp();
  for (const d of ['in', 'out', 'state']) cpSync(join(src.root, d), join(root, d), { recursive: true, preserveTimestamps: true });
  return { root, inp: join(root, 'in'), out: join(root, 'out'), state: join(root, 'state') };
}

const flipAt = (path: string, at: number) => {
  const b = readFileSync(path);
  b[at]! ^= 0x10;
  writeFileSync(path, b);
};

/** The ways a file is damaged; each names where. */
const DAMAGES: Array<{ name: string; apply: (path: string) => void }> = [
  { name: 'payload byte flipped', apply: (p) => flipAt(p, Math.floor((statSync(p).size - FOOTER_BYTES) / 2)) },
  { name: 'footer byte flipped', apply: (p) => flipAt(p, statSync(p).size - 12) },
  { name: 'cut short', apply: (p) => truncateSync(p, Math.floor(statSync(p).size * 0.7)) },
];

const STATE_FILES = ['STATE.json', 'gen-000002/dedup.bin', 'gen-000002/tail.bin', 'gen-000002/ledger.bin', 'gen-000002/registry.json', 'gen-000002/runs.json', 'pending.json'];

test('attack/state: the built folder holds every state file, verifies, and resumes and publishes when intact (control)', async () => {
  const b = await builtState();
  const files = Object.keys(treeOf(b.state));
  for (const f of STATE_FILES) assert.ok(files.includes(f), `${f} in ${files.join(', ')}`);
  const v = await runCli(['state', 'verify', '--state', b.state]);
  assert.equal(v.code, 0, v.stderr);
  const checks = v.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(checks.map((c) => c.file).sort(), [...STATE_FILES].sort());
  for (const c of checks) {
    assert.equal(c.status, 'ok', c.file);
    assert.match(c.crc32, /^[0-9a-f]{8}$/);
  }
  const r = await clean(b.inp, b.out, b.state);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(b.out, 'night3', 'manifest.json')), 'the planned run resumes and publishes');
});

test('attack/state: each state file flipped or cut short -> clean exits 6 naming it, publishes nothing, changes nothing; verify exits 6', async () => {
  const b = await builtState();
  const outBefore = treeOf(b.out);
  let n = 0;
  for (const file of STATE_FILES) {
    for (const damage of DAMAGES) {
      const state = join(b.root, `damaged-${n++}`);
      cpSync(b.state, state, { recursive: true });
      damage.apply(join(state, file));
      const stateBefore = treeOf(state);
      const what = `${file}, ${damage.name}`;
      const r = await clean(b.inp, b.out, state);
      assert.equal(r.code, 6, `${what}: ${r.stderr}`);
      assert.ok(r.stderr.includes(`${file} is damaged`), `${what}: the message names the file: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, `${what}: no stack trace`);
      assert.equal(r.stdout, '');
      assert.deepEqual(treeOf(b.out), outBefore, `${what}: the output folder is unchanged`);
      assert.deepEqual(treeOf(state), stateBefore, `${what}: the state folder is unchanged`);
      assert.ok(!existsSync(join(state, 'lock')), `${what}: the lock is released`);
      // verify through the CLI once per file, in this process for the other damages (the same function)
      if (damage === DAMAGES[0]) {
        const v = await runCli(['state', 'verify', '--state', state]);
        assert.equal(v.code, 6, `${what}: verify: ${v.stderr}`);
        const bad = v.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((c) => c.status === 'damaged');
        assert.deepEqual(bad.map((c) => c.file), [file], `${what}: verify names only the damaged file`);
        assert.ok(v.stderr.includes(`${file} is damaged`), v.stderr);
      } else {
        const v = verifyStateDir(state);
        assert.ok(v.damaged, what);
        assert.deepEqual(v.files.filter((c) => c.status === 'damaged').map((c) => c.file), [file], `${what}: verify names only the damaged file`);
      }
      rmSync(state, { recursive: true });
    }
  }
});

test('attack/state: a missing generation file, a missing STATE.json, and a file from another generation are refused', async () => {
  const b = await builtState();
  const cases: Array<{ name: string; file: string; apply: (state: string) => void }> = [
    // before checksums, a deleted dedup.bin silently meant an empty index: every old text came back as new
    { name: 'dedup.bin deleted', file: 'gen-000002/dedup.bin', apply: (s) => rmSync(join(s, 'gen-000002', 'dedup.bin')) },
    { name: 'ledger.bin deleted', file: 'gen-000002/ledger.bin', apply: (s) => rmSync(join(s, 'gen-000002', 'ledger.bin')) },
    // a generation after the first exists only once STATE.json does: without it the history would be dropped
    { name: 'STATE.json deleted', file: 'STATE.json', apply: (s) => rmSync(join(s, 'STATE.json')) },
    {
      // a well-formed file (its own footer checks) from the night before: STATE.json records another checksum
      name: 'runs.json of generation 1',
      file: 'gen-000002/runs.json',
      apply: (s) => writeFileSync(join(s, 'gen-000002', 'runs.json'), generation1Runs),
    },
  ];
  // generation 1's runs.json, kept from a copy of the state taken after night 1
  const g1 = join(b.root, 'g1');
  mkdirSync(join(g1, 'in'), { recursive: true });
  writeFileSync(join(g1, 'in', 'a.jsonl'), readFileSync(join(b.inp, 'a.jsonl')));
  const r1 = await clean(join(g1, 'in'), join(g1, 'out'), join(g1, 'state'), ['--run-id', 'night1']);
  assert.equal(r1.code, 0, r1.stderr);
  const generation1Runs = readFileSync(join(g1, 'state', 'gen-000001', 'runs.json'));
  const outBefore = treeOf(b.out);
  for (const [i, c] of cases.entries()) {
    const state = join(b.root, `case-${i}`);
    cpSync(b.state, state, { recursive: true });
    c.apply(state);
    const r = await clean(b.inp, b.out, state);
    assert.equal(r.code, 6, `${c.name}: ${r.stderr}`);
    assert.ok(r.stderr.includes(`${c.file} is damaged`), `${c.name}: ${r.stderr}`);
    assert.deepEqual(treeOf(b.out), outBefore, `${c.name}: nothing published`);
    const v = await runCli(['state', 'verify', '--state', state]);
    assert.equal(v.code, 6, `${c.name}: verify: ${v.stderr}`);
    assert.ok(v.stderr.includes(c.file), `${c.name}: ${v.stderr}`);
  }
});

test('attack/state: temp files a crash left are removed at start (only ours, only in the state folder; links not followed)', async () => {
  const b = await builtState();
  const outside = join(b.root, 'outside.txt');
  writeFileSync(outside, 'not the state folder\n');
  const ours = ['STATE.json.tmp-4242', 'pending.json.tmp-77'];
  for (const f of ours) writeFileSync(join(b.state, f), '{"format":2,"half written');
  symlinkSync(outside, join(b.state, 'STATE.json.tmp-99')); // a link with our temp name: the link goes, its target stays
  const foreign = ['STATE.json.tmp-x', 'notes.tmp-1', 'registry.json.tmp-5'];
  for (const f of foreign) writeFileSync(join(b.state, f), 'someone else\n');
  writeFileSync(join(b.inp, 'STATE.json.tmp-1'), 'an input-folder file with our temp name\n');
  const v = await runCli(['state', 'verify', '--state', b.state]);
  assert.equal(v.code, 0, 'leftovers do not make a folder damaged: ' + v.stderr);
  const leftovers = v.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((c) => c.status === 'leftover').map((c) => c.file);
  assert.deepEqual(leftovers.sort(), [...ours, 'STATE.json.tmp-99'].sort());
  const r = await clean(b.inp, b.out, b.state);
  assert.equal(r.code, 0, r.stderr);
  for (const f of [...ours, 'STATE.json.tmp-99']) assert.ok(!existsSync(join(b.state, f)), `${f} removed`);
  for (const f of foreign) assert.equal(readFileSync(join(b.state, f), 'utf8'), 'someone else\n', `${f} kept`);
  assert.equal(readFileSync(outside, 'utf8'), 'not the state folder\n');
  assert.ok(existsSync(join(b.inp, 'STATE.json.tmp-1')));
  assert.match(r.stderr, /removed temp files a crashed run left behind/);
});

/** Rewrite a state folder as synthfilter 0.1 wrote it: no footers, STATE.json {format: 1, fingerprint, generation}. */
function toFormat1(state: string): void {
  const strip = (p: string) => writeFileSync(p, readFileSync(p).subarray(0, statSync(p).size - FOOTER_BYTES));
  for (const g of readdirSync(state).filter((d) => d.startsWith('gen-'))) for (const f of readdirSync(join(state, g))) strip(join(state, g, f));
  if (existsSync(join(state, 'pending.json'))) strip(join(state, 'pending.json'));
  strip(join(state, 'STATE.json'));
  const head = JSON.parse(readFileSync(join(state, 'STATE.json'), 'utf8'));
  writeFileSync(join(state, 'STATE.json'), JSON.stringify({ format: 1, fingerprint: head.fingerprint, generation: head.generation }) + '\n');
}

test('attack/state: a format-1 folder (no checksums) is read with a warning, gives the same output, and is rewritten as format 2', async () => {
  const b = await builtState();
  const legacy = join(b.root, 'legacy');
  const broken = join(b.root, 'legacy-broken');
  for (const s of [legacy, broken]) {
    cpSync(b.state, s, { recursive: true });
    toFormat1(s);
  }
  const v1 = await runCli(['state', 'verify', '--state', legacy]);
  assert.equal(v1.code, 0, v1.stderr);
  assert.ok(v1.stdout.trim().split('\n').map((l) => JSON.parse(l)).every((c) => c.status === 'legacy'), v1.stdout);
  assert.match(v1.stderr, /format 1/);
  const outA = join(b.root, 'out-a');
  const outB = join(b.root, 'out-b');
  const a = await clean(b.inp, outA, b.state);
  const l = await clean(b.inp, outB, legacy);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(l.code, 0, l.stderr);
  assert.match(l.stderr, /format 1 \(no checksums\)/);
  const shards = (o: string) => Object.fromEntries(Object.entries(treeOf(o)).filter(([k]) => !/(manifest|report)\.(json|html)$/.test(k)));
  assert.deepEqual(shards(outB), shards(outA), 'same shards, rejects and quarantine from the format-1 folder');
  const v2 = await runCli(['state', 'verify', '--state', legacy]);
  assert.equal(v2.code, 0, v2.stderr);
  assert.ok(v2.stdout.trim().split('\n').map((x) => JSON.parse(x)).every((c) => c.status === 'ok'), 'rewritten as format 2: ' + v2.stdout);
  // a format-1 file damaged where it cannot be checked is still refused when its content does not decode
  writeFileSync(join(broken, 'gen-000002', 'registry.json'), '{"a.jsonl": {"size": 1');
  const r = await clean(b.inp, join(b.root, 'out-c'), broken);
  assert.equal(r.code, 6, r.stderr);
  assert.ok(r.stderr.includes('gen-000002/registry.json is damaged'), r.stderr);
});

test('attack/state: state verify usage errors exit 2; an empty folder is good', async () => {
  const d = tmp();
  let r = await runCli(['state', 'verify']);
  assert.equal(r.code, 2, r.stderr);
  r = await runCli(['state', 'verify', '--state', join(d, 'nope')]);
  assert.equal(r.code, 2, r.stderr);
  writeFileSync(join(d, 'file'), 'x');
  r = await runCli(['state', 'verify', '--state', join(d, 'file')]);
  assert.equal(r.code, 2, r.stderr);
  r = await runCli(['state', 'frobnicate']);
  assert.equal(r.code, 2, r.stderr);
  mkdirSync(join(d, 'empty'));
  r = await runCli(['state', 'verify', '--state', join(d, 'empty')]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  // a moved-away generation: STATE.json names gen-000002, which is gone
  const b = await builtState();
  renameSync(join(b.state, 'gen-000002'), join(b.state, 'gen-000009'));
  r = await runCli(['state', 'verify', '--state', b.state]);
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /gen-000002\/ is missing/);
});
