/**
 * Golden outputs: shards, rejects, quarantine and manifests of the built CLI on samples/ and on a deterministic
 * 10k-record fixture (filter mode with --out, and two clean nights) must hash exactly as recorded in
 * test/golden/expected.json. Normalisation and scenarios: test/golden/golden-runs.ts.
 *
 * An intended change of output: `npm run golden:update`, then commit test/golden/expected.json with the change.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { diffGolden, EXPECTED_FILE, runGolden, type GoldenHashes } from './golden-runs.js';

test('outputs on samples/ and the 10k fixture are byte-identical to the recorded golden hashes', { timeout: 600_000 }, async () => {
  const expected = JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) as GoldenHashes;
  const { hashes, normalisedDir, cleanup } = await runGolden();
  const diff = diffGolden(expected, hashes);
  cleanup(diff.length > 0);
  assert.ok(Object.keys(hashes).length >= 20, `too few output files: ${Object.keys(hashes).join(', ')}`);
  assert.deepEqual(
    diff,
    [],
    `golden outputs differ from test/golden/expected.json:\n  ${diff.join('\n  ')}\n` +
      `normalised outputs of this run: ${normalisedDir}\n` +
      'If the change is intended, run `npm run golden:update` and commit test/golden/expected.json.',
  );
});
