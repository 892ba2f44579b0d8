/** Batch dedup by LSH band (src/scale/bands): map -> reduce -> cluster against a brute-force all-pairs check, bytes
 * independent of the split into parts and of the memory budget. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { dedupConfigOf } from '../../src/score/build.js';
import { FilterCore } from '../../src/stage/core.js';
import { bandParamsOf, sigWidth, wordsSim, type BandParams } from '../../src/scale/bands/params.js';
import { mapPart, signatureRow, type MapRecord } from '../../src/scale/bands/map.js';
import { reduceGroup, rowSimilarity } from '../../src/scale/bands/reduce.js';
import { clusterNight, VERDICT, VERDICT_WIDTH } from '../../src/scale/bands/cluster.js';
import { adjacency, greedyKeep, preferenceOrder } from '../../src/scale/bands/greedy.js';
import { MergeReader, RowWriter } from '../../src/scale/bands/rows.js';
import { narrowRuns } from '../../src/scale/bands/narrow-runs.js';
import { fakeText, tmp } from '../helpers.js';

const cfg = resolveConfig({ diversity: { enabled: false }, origin: { enabled: false } });
const core = new FilterCore(cfg);

/** A planted night: originals, near copies (a few words changed), exact copies, chains of edits. */
function planted(n: number, seed: number): Array<{ text: string; length: number; label: number; clean: number }> {
  let s = seed;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = rnd();
    if (out.length > 0 && r < 0.15) out.push(out[Math.floor(rnd() * out.length)]!); // exact copy
    else if (out.length > 0 && r < 0.5) {
      const w = out[Math.floor(rnd() * out.length)]!.split(' ');
      const edits = 1 + Math.floor(rnd() * 2);
      for (let e = 0; e < edits; e++) w[Math.floor(rnd() * w.length)] = fakeText(Math.floor(rnd() * 1e6) + 1, 1);
      if (rnd() < 0.3) w.push(...fakeText(Math.floor(rnd() * 1e6) + 1, 3).split(' '));
      out.push(w.join(' '));
    } else out.push(fakeText(Math.floor(rnd() * 1e9) + 1, 60 + Math.floor(rnd() * 40)));
  }
  return out.map((text) => ({ text, length: Buffer.byteLength(text), label: Math.floor(rnd() * 3), clean: rnd() < 0.95 ? 1 : 0 }));
}

const night = planted(400, 11);
const feats = night.map((r) => core.featuresOf(r.text));
const records: MapRecord[] = feats.map((f, seq) => ({ ref: seq, exactHash: f.exactHash, shingles: f.shingles }));

interface Run {
  verdicts: Buffer;
  pairs: Buffer[];
  spills: number;
}

async function pipeline(p: BandParams, cuts: number[], memoryBytes: number, keep: string): Promise<Run> {
  const dir = tmp('sf-bands-');
  const parts = [];
  let spills = 0;
  for (let i = 0; i < cuts.length - 1; i++) {
    const f = await mapPart(records.slice(cuts[i], cuts[i + 1]), { params: p, dir, name: `part-${i}`, memoryBytes });
    spills += f.spills;
    parts.push(f);
  }
  const pairs: string[] = [];
  for (let g = 0; g < p.groups; g++) {
    const out = join(dir, `pairs-${g}.run`);
    spills += reduceGroup({ params: p, runs: parts.map((f) => f.bandRuns[g]!), sigs: parts.map((f) => f.sig), out, memoryBytes, tmpDir: join(dir, `reduce-${g}`) }).spills;
    pairs.push(out);
  }
  const out = join(dir, 'verdicts');
  clusterNight({ count: night.length, node: new Uint8Array(night.length).fill(1), pairs, exact: parts.map((f) => f.exact), out, keep, ...prefs() });
  return { verdicts: readFileSync(out), pairs: pairs.map((x) => readFileSync(x)), spills };
}

function prefs() {
  return {
    clean: Uint8Array.from(night.map((r) => r.clean)),
    labelRank: Uint8Array.from(night.map((r) => r.label)),
    length: Float64Array.from(night.map((r) => r.length)),
  };
}

function verdictsOf(buf: Buffer): Array<{ status: number; ref: number; sim: number }> {
  const w = new Uint32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
  const out = [];
  for (let i = 0; i < w.length; i += VERDICT_WIDTH) out.push({ status: w[i + 1]!, ref: w[i + 2]!, sim: wordsSim(w, i + 3) });
  return out;
}

/** Brute force: every pair's similarity on the signature rows, the graph, the same greedy rule. */
function bruteForce(p: BandParams, keep: string) {
  const rows = records.map((r) => {
    const row = new Uint32Array(sigWidth(p));
    signatureRow(p, r.ref, r.shingles, null, row);
    return row;
  });
  const n = records.length;
  const head = new Int32Array(n);
  const firstOf = new Map<string, number>();
  feats.forEach((f, s) => {
    const k = `${f.exactHash[0]}:${f.exactHash[1]}`;
    if (!firstOf.has(k)) firstOf.set(k, s);
    head[s] = firstOf.get(k)!;
  });
  const from: number[] = [];
  const to: number[] = [];
  const sim: number[] = [];
  const simOf = (a: number, b: number) => rowSimilarity(p, rows[a]!, rows[b]!);
  for (let a = 0; a < n; a++) {
    for (let b = a + 1; b < n; b++) {
      if (head[a] === head[b] || head[a] !== a || head[b] !== b) continue;
      const x = simOf(a, b);
      if (x >= p.threshold) (from.push(a), to.push(b), sim.push(x));
    }
  }
  const order = preferenceOrder(Int32Array.from({ length: n }, (_, i) => i), { ...prefs(), keep });
  const g = greedyKeep(n, order, head, adjacency(n, Int32Array.from(from), Int32Array.from(to), Float64Array.from(sim), from.length), (s) => night[s]!.clean === 1);
  return { g, simOf, edges: from.length };
}

const params = bandParamsOf(dedupConfigOf(cfg), 3);

for (const keep of ['first', 'human-first', 'longest']) {
  test(`bands (${keep}): the same verdicts as a brute-force all-pairs check; no two kept records are near duplicates`, async () => {
    const run = await pipeline(params, [0, night.length], 1 << 20, keep);
    const v = verdictsOf(run.verdicts);
    const { g, simOf, edges } = bruteForce(params, keep);
    assert.ok(edges > 40, `the planted set has near-duplicate pairs (${edges})`);
    const kept = v.map((x, s) => (x.status === VERDICT.KEPT ? s : -1)).filter((s) => s >= 0);
    assert.deepEqual(kept, Array.from(g.kept).sort((a, b) => a - b));
    for (let s = 0; s < v.length; s++) {
      const x = v[s]!;
      if (x.status === VERDICT.EXACT || x.status === VERDICT.NEAR) {
        assert.equal(x.ref, g.lostTo[s], `record ${s} lost to the same record`);
        assert.equal(v[x.ref]!.status, VERDICT.KEPT);
        if (x.status === VERDICT.NEAR) assert.ok(simOf(Math.min(s, x.ref), Math.max(s, x.ref)) >= params.threshold);
      } else assert.equal(g.lostTo[s], -1);
    }
    for (let i = 0; i < kept.length; i++) for (let j = i + 1; j < kept.length; j++) assert.ok(simOf(kept[i]!, kept[j]!) < params.threshold, `kept ${kept[i]} and ${kept[j]} are near duplicates`);
    if (keep === 'first') assert.ok(v.some((x) => x.status === VERDICT.EXACT) && v.some((x) => x.status === VERDICT.NEAR));
  });
}

test('bands: the bytes do not depend on the split into parts nor on the memory budget (a tiny budget spills)', async () => {
  const whole = await pipeline(params, [0, night.length], 1 << 20, 'human-first');
  assert.equal(whole.spills, 0);
  const split = await pipeline(params, [0, 97, 250, night.length], 1 << 20, 'human-first');
  const tiny = await pipeline(params, [0, 130, night.length], 64, 'human-first');
  assert.ok(tiny.spills > 10, `a 64-byte budget spills (${tiny.spills})`);
  for (const other of [split, tiny]) {
    assert.ok(whole.verdicts.equals(other.verdicts));
    whole.pairs.forEach((b, g) => assert.ok(b.equals(other.pairs[g]!), `pairs of group ${g}`));
  }
});

test('bands history: night 2 finds night 1 in LSM run sets; compaction changes no verdict', async () => {
  const { commitNight, compact, historyInputs, listSets } = await import('../../src/scale/bands/history.js');
  const p = bandParamsOf(dedupConfigOf(cfg), 2);
  const state = tmp('sf-bands-hist-');
  const work = tmp('sf-bands-work-');
  // night 1: the first 200 records, 4 commits of 50 (fan-in 2 compacts them)
  const nightOf = (lo: number, hi: number) => records.slice(lo, hi).map((r) => ({ ...r, ref: r.ref - lo }));
  const runNight = async (recs: MapRecord[], tag: string, stateDir = state) => {
    const part = await mapPart(recs, { params: p, dir: work, name: tag, memoryBytes: 1 << 16 });
    const h = historyInputs(stateDir, p.groups);
    const pairs: string[] = [];
    for (let g = 0; g < p.groups; g++) {
      const out = join(work, `${tag}.pairs-${g}`);
      reduceGroup({ params: p, runs: [part.bandRuns[g]!, ...h.bandRuns[g]!], sigs: [part.sig, ...h.sigs], out, memoryBytes: 1 << 16, tmpDir: join(work, `${tag}.r${g}`) });
      pairs.push(out);
    }
    const n = recs.length;
    const out = join(work, `${tag}.verdicts`);
    clusterNight({ count: n, node: new Uint8Array(n).fill(1), pairs, exact: [part.exact, ...h.exact], out, keep: 'first', clean: new Uint8Array(n).fill(1), labelRank: new Uint8Array(n), length: new Float64Array(n) });
    const v = verdictsOf(readFileSync(out));
    return { part, v };
  };
  for (let k = 0; k < 4; k++) {
    const { part, v } = await runNight(nightOf(k * 50, k * 50 + 50), `n1-${k}`);
    commitNight(state, p, [part], Uint8Array.from(v.map((x) => (x.status === VERDICT.KEPT ? 1 : 0))));
  }
  assert.equal(listSets(state).length, 4);
  // night 2: the next 200 records; exact copies and near copies of night-1 records are history duplicates
  const before = await runNight(nightOf(200, 400), 'n2a');
  const hist = before.v.filter((x) => x.status === VERDICT.EXACT_HISTORY || x.status === VERDICT.NEAR_HISTORY);
  assert.ok(hist.length > 10, `history duplicates found (${hist.length})`);
  assert.ok(hist.every((x) => x.ref >= 0x80000000));
  const sets = compact(state, p, 2);
  assert.ok(sets.length < 4 && sets.some((s) => s.level > 0), JSON.stringify(sets.map((s) => s.name)));
  const after = await runNight(nightOf(200, 400), 'n2b');
  assert.deepEqual(after.v, before.v);
  // the same, checked against one run over all 400 records: night 2's history duplicates are exactly the records
  // that lost to a record of the first 200
  const all = await runNight(nightOf(0, 400), 'all', tmp('sf-bands-empty-'));
  for (let s = 0; s < 200; s++) {
    const one = all.v[200 + s]!;
    const lostToNight1 = (one.status === VERDICT.EXACT || one.status === VERDICT.NEAR) && one.ref < 200;
    const h = before.v[s]!;
    assert.equal(h.status === VERDICT.EXACT_HISTORY || h.status === VERDICT.NEAR_HISTORY, lostToNight1, `record ${200 + s}: ${JSON.stringify([one, h, one.ref < 200 ? all.v[one.ref] : null])}`);
  }
});

test('bands history: record ids survive commits and compaction, also from an older set\'s ids.json', async () => {
  const { commitNight, compact, listSets, setIdReader } = await import('../../src/scale/bands/history.js');
  const { HistoryNames } = await import('../../src/scale/bands/history-names.js');
  const { idsOf } = await import('../../src/scale/bands/id-file.js');
  const { HISTORY } = await import('../../src/scale/bands/params.js');
  const p = bandParamsOf(dedupConfigOf(cfg), 2);
  const state = tmp('sf-bands-ids-');
  const work = tmp('sf-bands-ids-work-');
  const named: string[] = []; // the history's ids in history-id order
  for (let k = 0; k < 5; k++) {
    const recs = records.slice(k * 40, k * 40 + 40).map((r) => ({ ...r, ref: r.ref - k * 40 }));
    const part = await mapPart(recs, { params: p, dir: work, name: `n${k}`, memoryBytes: 1 << 16 });
    const kept = Uint8Array.from(recs, (_, s) => ((s + k) % 3 === 1 ? 0 : 1));
    const ids = [...kept].flatMap((f, s) => (f ? [`night-${k}/doc-${s}${s % 5 === 0 ? '-ünï-😀' : ''}`] : []));
    commitNight(state, p, [part], kept, { generation: k, ids: ids.values() });
    named.push(...ids);
    if (k === 1) {
      // the set as the previous release wrote it: ids.json, no id file
      const s = listSets(state).at(-1)!;
      const r = setIdReader(s)!;
      writeFileSync(join(s.path, 'ids.json'), JSON.stringify([...idsOf(r)]));
      r.close();
      rmSync(join(s.path, 'ids'));
      rmSync(join(s.path, 'ids.end'));
    }
  }
  const namesAll = (below = Infinity) => {
    const h = new HistoryNames(state, below);
    const out = named.map((_, id) => h.idOf((HISTORY | id) >>> 0));
    h.close();
    return out;
  };
  assert.deepEqual(namesAll(), named);
  assert.equal(namesAll(1).filter((x, id) => x === named[id]).length, listSets(state)[0]!.end, 'below: only the sets of earlier generations');
  const sets = compact(state, p, 2);
  assert.ok(sets.some((s) => s.level > 0), JSON.stringify(sets.map((s) => s.name)));
  for (const s of sets.filter((x) => x.level > 0)) {
    assert.ok(existsSync(join(s.path, 'ids')) && !existsSync(join(s.path, 'ids.json')), `${s.name} names its records in an id file`);
  }
  assert.deepEqual(namesAll(), named);
});

test('bands history: the ids must match the kept records; a set without ids names them history:<id>', async () => {
  const { commitNight, compact, listSets } = await import('../../src/scale/bands/history.js');
  const { HistoryNames } = await import('../../src/scale/bands/history-names.js');
  const { HISTORY } = await import('../../src/scale/bands/params.js');
  const p = bandParamsOf(dedupConfigOf(cfg), 2);
  const state = tmp('sf-bands-ids-');
  const work = tmp('sf-bands-ids-work-');
  const part = await mapPart(records.slice(0, 30), { params: p, dir: work, name: 'n', memoryBytes: 1 << 16 });
  const kept = new Uint8Array(30).fill(1);
  const ids = Array.from({ length: 30 }, (_, s) => `doc-${s}`);
  assert.throws(() => commitNight(state, p, [part], kept, { ids: ids.slice(1) }), /29 ids for 30 kept records/);
  assert.throws(() => commitNight(state, p, [part], kept, { ids: [...ids, 'extra'] }), RangeError);
  assert.equal(listSets(state).length, 0);
  commitNight(state, p, [part], kept, { ids });
  const part2 = await mapPart(records.slice(30, 60).map((r) => ({ ...r, ref: r.ref - 30 })), { params: p, dir: work, name: 'n2', memoryBytes: 1 << 16 });
  commitNight(state, p, [part2], kept); // no ids
  const h = new HistoryNames(state, Infinity);
  assert.equal(h.idOf((HISTORY | 3) >>> 0), 'doc-3');
  assert.equal(h.idOf((HISTORY | 33) >>> 0), 'history:33');
  h.close();
  const [merged] = compact(state, p, 1);
  assert.equal(merged!.level, 1);
  assert.ok(!existsSync(join(merged!.path, 'ids')), 'a merge with an unnamed set names none');
  const after = new HistoryNames(state, Infinity);
  assert.equal(after.idOf((HISTORY | 3) >>> 0), 'history:3');
  after.close();
});

test('MergeReader: thousands of runs share small read buffers and still merge every row in key order, ties by run', () => {
  const d = tmp();
  const runs = 4100; // above 16 MiB / 4 KiB: each run gets the least buffer (4 KiB, 341 rows of 3 words)
  const perRun = 400; // more rows than one buffer holds: every run is refilled
  const paths: string[] = [];
  const want: number[][] = [];
  let s = 7;
  for (let r = 0; r < runs; r++) {
    const rows: number[][] = [];
    for (let i = 0; i < perRun; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      rows.push([s % 5000, r, i]);
    }
    rows.sort((a, b) => a[0]! - b[0]! || a[2]! - b[2]!);
    want.push(...rows);
    const w = new RowWriter(join(d, `r${r}`), 3);
    for (const x of rows) w.write(Uint32Array.from(x));
    w.close();
    paths.push(join(d, `r${r}`));
  }
  want.sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]! || a[2]! - b[2]!);
  const m = new MergeReader(paths, 3, 1);
  const got: number[][] = [];
  while (m.next()) got.push([...m.row]);
  m.close();
  assert.equal(got.length, runs * perRun);
  assert.deepEqual(got, want);
  rmSync(d, { recursive: true, force: true });
});

test('narrowRuns: merging consecutive groups first, pass after pass, gives the same rows in the same order', () => {
  const d = tmp();
  const paths: string[] = [];
  let s = 11;
  for (let r = 0; r < 10; r++) {
    const rows: number[][] = [];
    for (let i = 0; i < 50; i++) {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0;
      rows.push([s % 20, r, i]); // few keys: many ties across runs, broken by run
    }
    rows.sort((a, b) => a[0]! - b[0]! || a[2]! - b[2]!);
    const w = new RowWriter(join(d, `r${r}`), 3);
    for (const x of rows) w.write(Uint32Array.from(x));
    w.close();
    paths.push(join(d, `r${r}`));
  }
  const read = (runs: readonly string[]) => {
    const m = new MergeReader(runs, 3, 1);
    const got: number[][] = [];
    while (m.next()) got.push([...m.row]);
    m.close();
    return got;
  };
  const want = read(paths);
  assert.equal(narrowRuns(paths, 3, 1, join(d, 'unused'), { fanIn: 10 }), paths, 'at most fanIn runs: no pass');
  assert.equal(existsSync(join(d, 'unused')), false);
  // 10 runs -> 3 merged + the 10th as is -> 1 merged + the 10th
  const narrowed = narrowRuns(paths, 3, 1, join(d, 'scratch'), { fanIn: 3 });
  assert.equal(narrowed.length, 2);
  assert.equal(narrowed[1], paths[9]);
  assert.deepEqual(read(narrowed), want);
  assert.deepEqual(readdirSync(join(d, 'scratch')), ['merge-1-00000.run'], 'the first pass runs are removed once merged again');
  assert.ok(paths.every((p) => existsSync(p)), "the caller's runs stay");
  assert.throws(() => narrowRuns(paths, 3, 1, join(d, 'x'), { fanIn: 1 }), /cannot merge/);
  rmSync(d, { recursive: true, force: true });
});
