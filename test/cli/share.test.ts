/**
 * The honest synthetic share through the CLI (issue 18): manifest fields for filter runs, clean nights and shards,
 * the summary line, each warning, provenance_invalid, and an empty run's null estimate.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, fakeText, jsonl, runCli, tmp } from '../helpers.js';

const manifest = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
const codes = (m: { warnings: Array<{ code: string; message: string }> }) => m.warnings.map((w) => w.code);
/** The warning codes logged on stderr (one JSON object per line when stderr is not a TTY). */
const stderrWarnings = (stderr: string) =>
  stderr
    .trim()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l))
    .filter((l) => l.level === 'warn')
    .map((l) => String(l.message).split(':')[0]);

const DECLARED = ['--set', 'origin.declared.field="meta.source"', '--set', 'origin.declared.synthetic=["gpt-4","synthetic"]', '--set', 'origin.declared.human=["human"]'];
const fixture = readFileSync(join(ROOT, 'test', 'fixtures', 'origin-sample.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { label: 'ai' | 'human'; text: string });

function assertInterval(e: { value: number; low: number; high: number }, what: string) {
  assert.ok(e && typeof e.value === 'number', `${what}: ${JSON.stringify(e)}`);
  assert.ok(0 <= e.low && e.low <= e.value && e.value <= e.high && e.high <= 1, `${what}: ${JSON.stringify(e)}`);
}

test('share: manifest carries the estimate for input, accepted and each shard; label fields kept; summary line', async () => {
  const d = tmp();
  const out = join(d, 'out');
  // all provenance declared: the estimate is then exact and must equal the label counts of the same sets
  const r = await runCli(['--config', join(ROOT, 'config', 'samples.json'), '--out', out, join(ROOT, 'samples', 'mixed.jsonl')]);
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(out);
  const ss = m.synthetic_share;
  assert.equal(typeof ss.input, 'number', 'label-based input share kept');
  assert.equal(typeof ss.accepted, 'number', 'label-based accepted share kept');
  assert.equal(ss.provenance_invalid, 0);
  const e = ss.estimate;
  assertInterval(e.input, 'input');
  assertInterval(e.accepted, 'accepted');
  assert.equal(e.undeclared, 0);
  assert.equal(typeof e.method, 'string');
  assert.ok(Math.abs(e.input.value - ss.input) < 1e-6 && e.input.low === e.input.high, JSON.stringify(e.input));
  assert.ok(Math.abs(e.accepted.value - ss.accepted) < 1e-6 && e.accepted.low === e.accepted.high, JSON.stringify(e.accepted));
  assert.ok(m.shards.length >= 2, 'several shards');
  for (const s of m.shards) {
    assertInterval(s.synthetic_share_estimate, s.name);
    assert.ok(Math.abs(s.synthetic_share_estimate.value - s.origin.synthetic / s.records) < 1e-6, `${s.name}: ${JSON.stringify(s.synthetic_share_estimate)}`);
  }
  assert.deepEqual(m.warnings, []);
  assert.match(r.stderr, /synthetic≈0\.\d\d \[0\.\d\d, 0\.\d\d\] accepted≈0\.20 \[0\.20, 0\.20\]/);
});

test('share: undeclared records: the interval has width, undeclared is the fraction without provenance', async () => {
  const d = tmp();
  const out = join(d, 'out');
  const rows = fixture.map((x, i) => ({ id: `f${i}`, text: x.text, ...(i % 3 === 0 ? { meta: { source: x.label === 'ai' ? 'synthetic' : 'human' } } : {}) }));
  const r = await runCli([...DECLARED, '--out', out], jsonl(rows));
  assert.equal(r.code, 0, r.stderr);
  const e = manifest(out).synthetic_share.estimate;
  assertInterval(e.input, 'input');
  assert.ok(e.input.high > e.input.low, 'undeclared records widen the interval');
  assert.equal(e.undeclared, rows.filter((x) => !('meta' in x)).length / rows.length);
  assert.equal(e.abstained, 0, 'every fixture text is long enough to score');
});

test('share: undeclared_majority when most records carry no provenance, not when most do', async () => {
  const d = tmp();
  const rows = Array.from({ length: 10 }, (_, i) => ({ id: `u${i}`, text: fakeText(i + 1, 80), ...(i < 3 ? { meta: { source: 'human' } } : {}) }));
  const r = await runCli([...DECLARED, '--out', join(d, 'a')], jsonl(rows));
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(d, 'a'));
  assert.ok(codes(m).includes('undeclared_majority'), JSON.stringify(m.warnings));
  assert.match(m.warnings.find((w: { code: string }) => w.code === 'undeclared_majority').message, /7 of 10 records/);
  assert.ok(stderrWarnings(r.stderr).includes('undeclared_majority'), r.stderr);
  const declared = rows.map((x, i) => (i < 7 ? { ...x, meta: { source: 'human' } } : x));
  const r2 = await runCli([...DECLARED, '--out', join(d, 'b')], jsonl(declared));
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(!codes(manifest(join(d, 'b'))).includes('undeclared_majority'));
  assert.ok(!stderrWarnings(r2.stderr).includes('undeclared_majority'), r2.stderr);
});

test('share: detector_abstained when many undeclared records are too short to score', async () => {
  const d = tmp();
  const long = fixture.map((x, i) => ({ id: `l${i}`, text: x.text }));
  const short = Array.from({ length: 8 }, (_, i) => ({ id: `s${i}`, text: fakeText(100 + i, 12) }));
  const r = await runCli(['--out', join(d, 'a')], jsonl([...long, ...short]));
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(d, 'a'));
  const w = m.warnings.find((x: { code: string }) => x.code === 'detector_abstained');
  assert.ok(w, JSON.stringify(m.warnings));
  assert.match(w.message, /8 of 20 undeclared records .*too_short 8/);
  assert.ok(Math.abs(m.synthetic_share.estimate.abstained - 8 / 20) < 1e-9);
  assert.ok(stderrWarnings(r.stderr).includes('detector_abstained'), r.stderr);
  // below the threshold (2 of 14 = 14%): no warning
  const r2 = await runCli(['--out', join(d, 'b')], jsonl([...long, ...short.slice(0, 2)]));
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(!codes(manifest(join(d, 'b'))).includes('detector_abstained'), JSON.stringify(manifest(join(d, 'b')).warnings));
});

/**
 * A copy of the shipped detector with quantification rates that separate machine from human text sharply (so the
 * interval is narrow): the estimator reads them from the model file's `quantification` field.
 */
function sharpModel(dir: string): string {
  const model = JSON.parse(readFileSync(join(ROOT, 'models', 'origin-v1.json'), 'utf8'));
  const src = (name: string, fpr: number, tpr: number) => ({ name, nHuman: 500, nAi: 500, meanHuman: 0.1, meanAi: 0.9, fpr, tpr });
  model.quantification = { version: 1, method: 'acc', accThreshold: 0.5, bins: 20, sources: [src('a', 0.02, 0.9), src('b', 0.03, 0.92), src('c', 0.01, 0.88)], operatingPoints: {} };
  const p = join(dir, 'sharp-model.json');
  writeFileSync(p, JSON.stringify(model));
  return p;
}

test('share: synthetic_share_above_cap when the accepted interval lies above route.maxSyntheticShare', async () => {
  const d = tmp();
  const model = sharpModel(d);
  // machine text the detector scores high, but a threshold so strict that none is labelled synthetic: the label
  // cap lets everything through, as it does for most real machine text
  const rows: Array<{ id: string; text: string }> = [];
  for (let k = 0; k < 15; k++) fixture.forEach((x, i) => x.label === 'ai' && rows.push({ id: `a${k}-${i}`, text: x.text }));
  fixture.forEach((x, i) => x.label === 'human' && rows.push({ id: `h${i}`, text: x.text }));
  const args = ['--set', `origin.model="${model}"`, '--set', 'origin.threshold=0.999', '--set', 'dedup.enabled=false'];
  const r = await runCli([...args, '--out', join(d, 'a')], jsonl(rows));
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(d, 'a'));
  assert.equal(m.synthetic_share.accepted, 0, 'no record labelled synthetic');
  assert.ok(m.synthetic_share.estimate.accepted.low > 0.2, JSON.stringify(m.synthetic_share.estimate));
  const w = m.warnings.find((x: { code: string }) => x.code === 'synthetic_share_above_cap');
  assert.ok(w, JSON.stringify(m.warnings));
  assert.match(w.message, /route\.maxSyntheticShare=0\.2/);
  assert.ok(stderrWarnings(r.stderr).includes('synthetic_share_above_cap'), r.stderr);
  // the same records under a cap of 1: nothing lies above it
  const r2 = await runCli([...args, '--set', 'route.maxSyntheticShare=1', '--out', join(d, 'b')], jsonl(rows));
  assert.equal(r2.code, 0, r2.stderr);
  assert.ok(!codes(manifest(join(d, 'b'))).includes('synthetic_share_above_cap'));
  // capBasis expected on the same input caps by expected mass: the kept estimate falls, records are capped
  const r3 = await runCli([...args, '--set', 'route.capBasis="expected"', '--out', join(d, 'c')], jsonl(rows));
  assert.equal(r3.code, 0, r3.stderr);
  const m3 = manifest(join(d, 'c'));
  assert.ok(m3.reasons.synthetic_cap > 0, JSON.stringify(m3.reasons));
  assert.ok(m3.synthetic_share.estimate.accepted.value < m.synthetic_share.estimate.accepted.value, JSON.stringify(m3.synthetic_share.estimate));
});

test('share: provenance_invalid counts malformed or unlisted declared values as undeclared, without failing', async () => {
  const d = tmp();
  const rows = [
    { id: 'ok1', text: fakeText(1, 80), meta: { source: 'human' } },
    { id: 'ok2', text: fakeText(2, 80), meta: { source: 'gpt-4' } },
    { id: 'bad1', text: fakeText(3, 80), meta: { source: 42 } },
    { id: 'bad2', text: fakeText(4, 80), meta: { source: { model: 'x' } } },
    { id: 'bad3', text: fakeText(5, 80), meta: { source: 'gpt-9000' } },
    { id: 'bad4', text: fakeText(6, 80), meta: { source: ['human'] } },
    { id: 'none1', text: fakeText(7, 80), meta: { source: null } },
    { id: 'none2', text: fakeText(8, 80) },
  ];
  const r = await runCli([...DECLARED, '--out', join(d, 'o')], jsonl(rows));
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(d, 'o'));
  assert.equal(m.counts.quarantine, 0);
  assert.equal(m.synthetic_share.provenance_invalid, 4);
  assert.equal(m.synthetic_share.estimate.undeclared, 6 / 8, 'invalid and missing provenance count as undeclared');
});

test('share: an empty run and an all-quarantined run report estimate null with a reason', async () => {
  const d = tmp();
  const r = await runCli(['--out', join(d, 'empty')], '');
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(d, 'empty'));
  assert.equal(m.synthetic_share.estimate, null);
  assert.match(m.synthetic_share.estimate_reason, /no records/);
  assert.deepEqual(m.warnings, []);
  assert.doesNotMatch(r.stderr, /synthetic≈/);
  const q = await runCli(['--out', join(d, 'bad')], '{"text": 1}\nnot json\n');
  assert.equal(q.code, 0, q.stderr);
  const mq = manifest(join(d, 'bad'));
  assert.equal(mq.counts.quarantine, 2);
  assert.equal(mq.synthetic_share.estimate, null);
  assert.match(mq.synthetic_share.estimate_reason, /no records/);
});

test('share: clean keeps the estimate per night and warns synthetic_share_rising when it rose', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  const night = (file: string, n: number, source: (i: number) => string, seed: number) =>
    writeFileSync(join(inp, file), jsonl(Array.from({ length: n }, (_, i) => ({ id: `${file}-${i}`, text: fakeText(seed + i, 80), meta: { source: source(i) } }))));
  night('a.jsonl', 30, () => 'human', 1000);
  const r1 = await runCli(['clean', ...DECLARED, '--in', inp, '--out', out, '--state', state, '--run-id', 'night1']);
  assert.equal(r1.code, 0, r1.stderr);
  const m1 = manifest(join(out, 'night1'));
  assert.deepEqual(m1.synthetic_share.estimate.input, { value: 0, low: 0, high: 0 });
  assert.ok(!codes(m1).includes('synthetic_share_rising'));
  for (const s of m1.shards) assertInterval(s.synthetic_share_estimate, s.name);
  // night 2: 80% declared synthetic
  night('b.jsonl', 30, (i) => (i % 5 === 0 ? 'human' : 'synthetic'), 2000);
  const r2 = await runCli(['clean', ...DECLARED, '--in', inp, '--out', out, '--state', state, '--run-id', 'night2']);
  assert.equal(r2.code, 0, r2.stderr);
  const m2 = manifest(join(out, 'night2'));
  assert.ok(Math.abs(m2.synthetic_share.estimate.input.value - 0.8) < 1e-6, JSON.stringify(m2.synthetic_share));
  const w = m2.warnings.find((x: { code: string }) => x.code === 'synthetic_share_rising');
  assert.ok(w, JSON.stringify(m2.warnings));
  assert.ok(stderrWarnings(r2.stderr).includes('synthetic_share_rising'), r2.stderr);
  assert.match(r2.stderr, /synthetic≈0\.80 \[0\.80, 0\.80\]/);
  // the run history keeps each night's estimate (the report's trend)
  const report = JSON.parse(readFileSync(join(out, 'night2', 'report.json'), 'utf8'));
  assert.deepEqual(report.history.map((h: { synthetic_share_estimate: { input: { value: number } } }) => h.synthetic_share_estimate.input.value), [0, 0.8]);
  assert.deepEqual(report.warnings, m2.warnings);
});

test('share: clean with capBasis expected caps undeclared machine text by its expected mass', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  const rows: Array<{ id: string; text: string; meta?: { source: string } }> = [];
  for (let k = 0; k < 10; k++) fixture.forEach((x, i) => x.label === 'ai' && rows.push({ id: `a${k}-${i}`, text: `${x.text} (${k})` }));
  for (let i = 0; i < 20; i++) rows.push({ id: `h${i}`, text: fakeText(500 + i, 80), meta: { source: 'human' } });
  writeFileSync(join(inp, 'a.jsonl'), jsonl(rows));
  const args = [...DECLARED, '--set', `origin.model="${sharpModel(d)}"`, '--set', 'origin.threshold=0.999', '--set', 'dedup.enabled=false', '--set', 'diversity.enabled=false'];
  const r = await runCli(['clean', ...args, '--set', 'route.capBasis="expected"', '--in', inp, '--out', out, '--state', state, '--run-id', 'n1']);
  assert.equal(r.code, 0, r.stderr);
  const m = manifest(join(out, 'n1'));
  assert.ok(m.reasons.synthetic_cap > 0, JSON.stringify(m.reasons));
  const rejected = m.rejects.flatMap((f: { file: string }) =>
    gunzipSync(readFileSync(join(out, 'n1', f.file))).toString().trim().split('\n').map((l) => JSON.parse(l)),
  );
  for (const x of rejected.filter((x: { synthfilter: { reasons: string[] } }) => x.synthfilter.reasons.includes('synthetic_cap'))) {
    assert.ok(!x.meta, `declared-human ${x.id} was capped`);
    assert.ok(x.synthfilter.origin.synthetic_mass > 0.2, JSON.stringify(x.synthfilter.origin));
  }
  assert.equal(m.counts.accept + m.counts.reject, rows.length);
  assert.equal(rows.filter((x) => x.meta).length, m.origin.accepted.human, 'every declared-human record kept');
});
