/** Checked state files (src/state/checked-file.ts) and their CRC-32 (src/state/crc32.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { crc32, crc32Table } from '../../src/state/crc32.js';
import { checkBytes, DamagedStateError, FOOTER_BYTES, readChecked, writeChecked } from '../../src/state/checked-file.js';
import { tmp } from '../helpers.js';

test('crc32: the standard check value, and the table agrees with the native function over pieces', () => {
  const nine = new TextEncoder().encode('123456789');
  assert.equal(crc32(nine), 0xcbf43926);
  assert.equal(crc32Table(nine), 0xcbf43926);
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
      const whole = new Uint8Array([...a, ...b]);
      assert.equal(crc32Table(b, crc32Table(a)), crc32(whole));
      assert.equal(crc32(b, crc32(a)), crc32Table(whole));
    }),
  );
});

test('checked file: what is written reads back as the same payload, however it was pieced', () => {
  const d = tmp();
  let n = 0;
  fc.assert(
    fc.property(fc.array(fc.uint8Array({ maxLength: 200 }), { maxLength: 5 }), (pieces) => {
      const rel = `f${n++}`;
      const crc = writeChecked(join(d, rel), pieces);
      const got = readChecked({ dir: d, rel }, false);
      assert.deepEqual(Buffer.from(got.payload), Buffer.concat(pieces));
      assert.equal(got.crc, crc);
    }),
    { numRuns: 50 },
  );
});

test('checked file: every single-bit flip and every cut is detected', () => {
  const d = tmp();
  const p = join(d, 'f');
  writeChecked(p, JSON.stringify({ runId: 'night1', files: [{ rel: 'a.jsonl', size: 1234 }] }));
  const good = readFileSync(p);
  assert.ok('payload' in checkBytes(new Uint8Array(good), false), 'control: the intact file checks');
  for (let at = 0; at < good.length; at++) {
    for (let bit = 0; bit < 8; bit++) {
      const b = Buffer.from(good);
      b[at]! ^= 1 << bit;
      assert.ok('why' in checkBytes(new Uint8Array(b), false), `flip of bit ${bit} at byte ${at}`);
    }
  }
  for (let len = 0; len < good.length; len++) assert.ok('why' in checkBytes(new Uint8Array(good.subarray(0, len)), false), `cut at ${len}`);
});

test('checked file: the error names the file and says why; a footer-less file is taken whole only when allowed', () => {
  const d = tmp();
  writeFileSync(join(d, 'old.json'), '{"a":1}\n');
  assert.throws(
    () => readChecked({ dir: d, rel: 'old.json' }, false),
    (e) => e instanceof DamagedStateError && e.code === 'E_STATE' && e.rel === 'old.json' && /no checksum footer/.test(e.message),
  );
  const legacy = readChecked({ dir: d, rel: 'old.json' }, true);
  assert.equal(legacy.crc, null);
  assert.equal(Buffer.from(legacy.payload).toString(), '{"a":1}\n');
  assert.throws(() => readChecked({ dir: d, rel: 'absent.bin' }, true), (e) => e instanceof DamagedStateError && e.why === 'missing');
  // a newer format is refused by name, not guessed at
  writeChecked(join(d, 'new.bin'), 'x');
  const b = readFileSync(join(d, 'new.bin'));
  const at = b.length - FOOTER_BYTES + '\n#synthfilter-state format=000'.length;
  b[at] = '3'.charCodeAt(0);
  writeFileSync(join(d, 'new.bin'), b);
  assert.throws(() => readChecked({ dir: d, rel: 'new.bin' }, false), /format 3, written by a newer synthfilter/);
});
