/**
 * `redis` is an optional peer dependency: without it, state.backend "redis" is a configuration error (exit 2)
 * naming the package, never a crash. The package is hidden from the CLI by a module resolve hook that fails the
 * way Node does when a package is not installed.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { BIN, ROOT, tmp } from '../helpers.js';

const HIDE_REDIS = `
export async function resolve(specifier, context, next) {
  if (specifier === 'redis') {
    const e = new Error("Cannot find package 'redis' imported from " + context.parentURL);
    e.code = 'ERR_MODULE_NOT_FOUND';
    throw e;
  }
  return next(specifier, context);
}`;

test('clean with state.backend "redis" and the redis package missing exits 2 naming the package', () => {
  const d = tmp();
  writeFileSync(join(d, 'hide-redis-hooks.mjs'), HIDE_REDIS);
  writeFileSync(join(d, 'hide-redis.mjs'), `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(join(d, 'hide-redis-hooks.mjs')).href)});\n`);
  mkdirSync(join(d, 'in'));
  copyFileSync(join(ROOT, 'samples', 'mixed.jsonl'), join(d, 'in', 'mixed.jsonl'));
  const args = ['clean', '--in', join(d, 'in'), '--out', join(d, 'out'), '--set', 'state.backend="redis"', '--set', 'state.url="redis://127.0.0.1:1"'];
  const r = spawnSync(process.execPath, ['--import', pathToFileURL(join(d, 'hide-redis.mjs')).href, BIN, ...args], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /the package \\?"redis\\?" is not installed/);
  assert.match(r.stderr, /npm install redis@\^5/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(r.stdout, '');
  // the same hook leaves other backends alone: the file backend runs
  const ok = spawnSync(process.execPath, ['--import', pathToFileURL(join(d, 'hide-redis.mjs')).href, BIN, 'clean', '--in', join(d, 'in'), '--out', join(d, 'out2'), '--state', join(d, 'state'), '--workers', '1'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
});
