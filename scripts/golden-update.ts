/**
 * Rewrites test/golden/expected.json from the current build: `npm run golden:update` (builds first).
 * Run it only when an output change is intended, and commit the file with that change.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { diffGolden, EXPECTED_FILE, runGolden, type GoldenHashes } from '../test/golden/golden-runs.js';

const before: GoldenHashes = existsSync(EXPECTED_FILE) ? JSON.parse(readFileSync(EXPECTED_FILE, 'utf8')) : {};
const { hashes, normalisedDir, cleanup } = await runGolden();
cleanup(true);
const sorted = Object.fromEntries(Object.keys(hashes).sort().map((k) => [k, hashes[k]]));
writeFileSync(EXPECTED_FILE, JSON.stringify(sorted, null, 2) + '\n');
const diff = diffGolden(before, hashes);
process.stderr.write(
  `golden: ${Object.keys(hashes).length} files -> ${EXPECTED_FILE}\n` +
    (diff.length ? `  ${diff.join('\n  ')}\n` : '  no change\n') +
    `normalised outputs: ${normalisedDir}\n`,
);
