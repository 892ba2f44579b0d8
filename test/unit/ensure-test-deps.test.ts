/**
 * scripts/ensure-test-deps.sh keeps apt's output out of `npm test` unless the install fails. Run against a fake
 * apt-get on a PATH without redis-server and chromium (nothing is installed).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, tmp } from '../helpers.js';

/** A bin folder with the tools the script uses, a fake apt-get and id (root), and no redis-server/chromium. */
function fakeBin(aptExit: number): string {
  const bin = join(tmp(), 'bin');
  mkdirSync(bin);
  for (const t of ['bash', 'mktemp', 'cat', 'rm']) {
    const r = spawnSync('bash', ['-c', `command -v ${t}`], { encoding: 'utf8' });
    symlinkSync(r.stdout.trim(), join(bin, t));
  }
  writeFileSync(join(bin, 'id'), '#!/bin/bash\necho 0\n');
  writeFileSync(join(bin, 'apt-get'), `#!/bin/bash\nfor ((i = 1; i <= 100; i++)); do echo "apt line $i for $*"; done\nexit ${aptExit}\n`);
  chmodSync(join(bin, 'id'), 0o755);
  chmodSync(join(bin, 'apt-get'), 0o755);
  return bin;
}

const run = (bin: string) =>
  spawnSync(join(bin, 'bash'), [join(ROOT, 'scripts', 'ensure-test-deps.sh')], { encoding: 'utf8', env: { PATH: bin, TMPDIR: join(bin, '..') } });

test('a failed install prints apt output and fails', () => {
  const r = run(fakeBin(100));
  assert.equal(r.status, 1);
  assert.match(r.stderr, /apt line 100 for update/);
  assert.match(r.stderr, /installing redis-server chromium failed/);
});

test('an install that apt reports as done prints no apt output (here the tools stay missing, which is an error)', () => {
  const r = run(fakeBin(0));
  assert.doesNotMatch(r.stderr, /apt line/);
  assert.match(r.stderr, /redis-server still missing/);
  assert.equal(r.status, 1);
  assert.ok(r.stderr.split('\n').length < 5, r.stderr);
});
