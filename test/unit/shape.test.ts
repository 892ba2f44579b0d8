// The code's shape limits (scripts/check-shape.mjs): files in src/ <= 400 lines, functions in src/stage and src/cli
// <= 80 lines. The checker is run on the repo, and on a temp tree with one long file and one long function, which it
// must report (so this test can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, tmp } from '../helpers.js';

const CHECK = join(ROOT, 'scripts', 'check-shape.mjs');
const run = (root: string) => spawnSync(process.execPath, [CHECK, root], { encoding: 'utf8', cwd: ROOT });

test('src/ keeps files <= 400 lines and src/stage, src/cli functions <= 80 lines', () => {
  const r = run(ROOT);
  assert.equal(r.stdout, '', `shape violations:\n${r.stdout}`);
  assert.equal(r.status, 0);
});

test('the shape check reports a long file and a long function', () => {
  const root = tmp();
  mkdirSync(join(root, 'src', 'stage'), { recursive: true });
  writeFileSync(join(root, 'src', 'big.ts'), 'export const x = 1;\n'.repeat(401));
  writeFileSync(join(root, 'src', 'stage', 'long.ts'), `export function long(): number {\n${'  let a = 1;\n'.repeat(85)}  return 1;\n}\n`);
  const r = run(root);
  assert.equal(r.status, 1);
  assert.match(r.stdout, /src\/big\.ts:1 file of 401 lines/);
  assert.match(r.stdout, /src\/stage\/long\.ts:1 function long of 88 lines/);
});
