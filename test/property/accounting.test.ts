import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { Readable, Writable } from 'node:stream';
import { runFilter } from '../../src/stage/run.js';
import { resolveConfig } from '../../src/config/index.js';
import { CORE_ONLY } from '../helpers.js';

class Sink extends Writable {
  data = '';
  override _write(c: Buffer, _e: string, cb: () => void) {
    this.data += c.toString();
    cb();
  }
}

const goodLine = fc.record({ id: fc.uuid(), text: fc.constantFrom('alpha beta', 'gamma delta epsilon', 'Alpha  BETA', 'zeta', 'eta theta iota kappa') }).map((r) => JSON.stringify(r));
const badLine = fc.oneof(
  fc.constant('{"text": unterminated'),
  fc.constant('[1,2,3]'),
  fc.constant('"just a string"'),
  fc.constant('{"no_text": true}'),
  fc.constant('{"text": 17}'),
  fc.constant('{"text": "   "}'),
  fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n') && s.trim() !== ''),
);
const lineArb = fc.oneof({ weight: 3, arbitrary: goodLine }, { weight: 1, arbitrary: badLine });

test('every non-blank input line is accounted for exactly once (accept + reject + quarantine = input)', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(lineArb, { maxLength: 60 }), fc.integer({ min: 1, max: 64 }), async (lines, chunk) => {
      const buf = Buffer.from(lines.join('\n') + '\n');
      const mk = () => Readable.from((function* () {
        for (let i = 0; i < buf.length; i += chunk) yield buf.subarray(i, i + chunk);
      })());
      const expected = lines.filter((l) => l.trim() !== '').length;
      const score = new Sink();
      const r = await runFilter({ sources: ['-'], cfg: resolveConfig(CORE_ONLY), mode: 'score', stdout: score, stdin: mk() });
      const s = r.stats;
      assert.equal(s.seen, expected);
      assert.equal(s.accept + s.reject + s.quarantine, expected);
      const out = score.data.split('\n').filter(Boolean).map((l) => JSON.parse(l));
      assert.equal(out.length, expected);
      // filter mode keeps exactly the records score marked accept
      const kept = new Sink();
      const r2 = await runFilter({ sources: ['-'], cfg: resolveConfig(CORE_ONLY), mode: 'filter', stdout: kept, stdin: mk() });
      assert.equal(kept.data.split('\n').filter(Boolean).length, out.filter((x) => x.synthfilter.decision === 'accept').length);
      assert.deepEqual(r2.stats.reasons, s.reasons);
    }),
    { numRuns: 150, seed: 42 },
  );
});
