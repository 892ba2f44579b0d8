/**
 * Spools of the nightly job: the per-record features the scoring threads compute ahead (`.feat`) must give the
 * sequential phases exactly what recomputing from the text gives, and a spool without them must still read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MinHasher } from '../../src/score/dedup/minhash.js';
import { resolveConfig } from '../../src/config/index.js';
import { FilterCore, type Prepared } from '../../src/stage/core.js';
import { readSpool, writeSpool } from '../../src/stage/spool.js';
import { buildScorers, dedupConfigOf } from '../../src/score/build.js';
import { distinct } from '../../src/route/sketch.js';
import { fakeText, tmp, CORE_ONLY } from '../helpers.js';

test('a signature with fewer lanes is a prefix of a longer one with the same seed (what a computed-ahead signature relies on)', () => {
  const sh = Uint32Array.from({ length: 300 }, (_, i) => Math.imul(i + 1, 2654435761) >>> 0);
  const long = new MinHasher(96, 7).signature(sh);
  for (const k of [1, 5, 48, 64]) assert.deepEqual(new MinHasher(k, 7).signature(sh), long.subarray(0, k), `lanes ${k}`);
  // and the seed matters, so a prefix from another seed would be caught by the equality tests below
  assert.notDeepEqual(new MinHasher(48, 8).signature(sh), long.subarray(0, 48));
});

async function collect(spool: string, core: FilterCore): Promise<Prepared[]> {
  const out: Prepared[] = [];
  for await (const p of readSpool(spool, core)) out.push(p);
  return out;
}

test('spool features computed ahead equal features recomputed from the text, and dedup decides the same with them', async () => {
  const dir = tmp();
  try {
    const cfg = resolveConfig(CORE_ONLY);
    const rows: string[] = [];
    for (let i = 0; i < 300; i++) {
      if (i === 100) rows.push(`{"id":"cr",\r"text":${JSON.stringify(fakeText(i, 40))}}`); // a bare CR between tokens is valid JSON
      else if (i % 50 === 7) rows.push('{"text": broken');
      else if (i % 9 === 4) rows.push(JSON.stringify({ id: `d${i}`, text: fakeText(i - 1, 40) + ' extra' }));
      else rows.push(JSON.stringify({ id: `r${i}`, text: i % 31 === 0 ? 'short' : fakeText(i, 40) + ' é ✓' }));
    }
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, rows.join('\n') + '\n');
    const lanes = buildScorers(cfg).dedup!.lanes;
    const spool = join(dir, 'a.spool');
    await writeSpool(cfg, input, spool, new FilterCore(cfg), { lanes });
    assert.ok(existsSync(spool + '.feat') && statSync(spool + '.feat').size > 0);
    const core = new FilterCore(cfg);
    const ahead = await collect(spool, core);
    rmSync(spool + '.feat');
    const redone = await collect(spool, core);
    assert.equal(ahead.length, 300);
    assert.equal(redone.length, ahead.length);
    const dA = buildScorers(cfg).dedup!;
    const dB = buildScorers(cfg).dedup!;
    let withSig = 0;
    let dups = 0;
    for (let i = 0; i < ahead.length; i++) {
      const a = ahead[i]!;
      const b = redone[i]!;
      assert.equal(a.kind, b.kind);
      if (a.kind !== 's' || b.kind !== 's') continue;
      assert.ok(a.features.wordSet && !b.features.wordSet, 'the parts were used, and only where present');
      assert.equal(a.features.byteLength, b.features.byteLength);
      assert.deepEqual([...a.features.exactHash], [...b.features.exactHash]);
      assert.deepEqual([...a.features.shingles], [...b.features.shingles]);
      assert.deepEqual([...a.features.wordSet!], [...distinct(b.features.wordHashes)]);
      if (a.features.signature) {
        withSig++;
        assert.deepEqual([...a.features.signature], [...new MinHasher(lanes, dedupConfigOf(cfg).seed).signature(b.features.shingles)].slice(0, lanes));
      }
      const sa = dA.score(a.record, a.features);
      const sb = dB.score(b.record, b.features);
      assert.deepEqual(sa, sb, `record ${a.id}`);
      if (sa.kind) dups++;
      dA.commit(a.id, a.features);
      dB.commit(b.id, b.features);
    }
    assert.ok(withSig > 250, `signatures computed ahead: ${withSig}`);
    // records keep their original line, byte for byte, through the spool
    const cr = ahead.find((p) => p.kind === 's' && p.id === 'cr');
    assert.ok(cr && cr.kind === 's' && cr.line === rows[100]);
    for (const p of ahead) if (p.kind === 's') assert.equal(p.line, rows[Number(p.id.slice(1))] ?? p.line);
    assert.ok(dups >= 30, `near and exact duplicates found: ${dups}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a features file longer than one 4 MB read block reads back entry for entry (block boundaries)', async () => {
  const dir = tmp();
  try {
    const cfg = resolveConfig(CORE_ONLY);
    const rows: string[] = [];
    for (let i = 0; i < 2400; i++) rows.push(JSON.stringify({ id: `r${i}`, text: fakeText(i, 400) }));
    const input = join(dir, 'in.jsonl');
    writeFileSync(input, rows.join('\n') + '\n');
    const lanes = buildScorers(cfg).dedup!.lanes;
    const spool = join(dir, 'big.spool');
    await writeSpool(cfg, input, spool, new FilterCore(cfg), { lanes });
    const size = statSync(spool + '.feat').size;
    assert.ok(size > 4.5 * 2 ** 20, `features file spans more than one block: ${size} bytes`);
    const core = new FilterCore(cfg);
    const ahead = await collect(spool, core);
    rmSync(spool + '.feat');
    const redone = await collect(spool, core);
    assert.equal(ahead.length, 2400);
    for (let i = 0; i < ahead.length; i++) {
      const a = ahead[i]!;
      const b = redone[i]!;
      if (a.kind !== 's' || b.kind !== 's') assert.fail(`record ${i} was not scored`);
      assert.ok(a.features.wordSet, `entry ${i} came from the features file`);
      assert.deepEqual([...a.features.exactHash], [...b.features.exactHash], `entry ${i}`);
      assert.deepEqual([...a.features.shingles], [...b.features.shingles], `entry ${i}`);
      assert.deepEqual([...a.features.wordSet!], [...distinct(b.features.wordHashes)], `entry ${i}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
