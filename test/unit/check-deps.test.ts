/** scripts/check-deps.mjs: runtime dependencies = the packages dist imports (run on the built package). */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tmp } from '../helpers.js';

const SCRIPT = join(ROOT, 'scripts', 'check-deps.mjs');
const check = (...args: string[]) => spawnSync(process.execPath, [SCRIPT, ...args], { encoding: 'utf8' });

test('package.json dependencies are exactly the packages dist imports', () => {
  const r = check('--json');
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { imported: Record<string, string[]>; undeclared: string[]; unused: string[] };
  assert.deepEqual(out.undeclared, []);
  assert.deepEqual(out.unused, []);
  assert.ok(out.imported['p-limit'], 'the scoring pool imports p-limit');
});

test('check-deps fails naming an undeclared import and an unused dependency', () => {
  const dir = tmp();
  mkdirSync(join(dir, 'dist', 'sub'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'a.js'), "import x from 'left-pad';\nimport { readFileSync } from 'node:fs';\nimport './sub/b.js';\n");
  writeFileSync(join(dir, 'dist', 'sub', 'b.js'), "const m = await import('@scope/pkg/deep/file.js');\nconst z = require('zlib');\n");
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ dependencies: { '@scope/pkg': '1', natural: '8' } }));
  const r = check('--root', dir);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /dist imports left-pad/);
  assert.match(r.stderr, /list natural, but dist never imports it/);
  assert.doesNotMatch(r.stderr, /@scope\/pkg, but|zlib|node:fs/);
});
