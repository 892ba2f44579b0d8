// Defect 2 (issue 16): config keys `__proto__`, `constructor`, `prototype` never reach Object.prototype, through
// the CLI (spawned, with a probe that reports the child's Object.prototype at exit) or the library API (here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { BIN, tmp } from '../helpers.js';
import { createFilter, filterRecords, resolveConfig, validate } from '../../src/index.js';
import { deepMerge, loadConfigFile, setPath } from '../../src/config/index.js';

const PROBE = pathToFileURL(join(import.meta.dirname, 'proto-probe.mjs')).href;

function assertPrototypeClean(what: string) {
  assert.equal(({} as any).polluted, undefined, `${what}: ({}).polluted`);
  assert.equal(({} as any).x, undefined, `${what}: ({}).x`);
  assert.ok(!Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), what);
}

/** The CLI with the prototype probe preloaded; resolves with its exit code and stderr. */
function runProbed(args: string[], cwd: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', PROBE, BIN, ...args], { cwd });
    let stderr = '';
    p.stderr.setEncoding('utf8').on('data', (d) => (stderr += d));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stderr }));
    p.stdin.end('{"text":"one short record"}\n');
  });
}

const JSON_ATTACKS = [
  '{"__proto__":{"polluted":1}}',
  '{"dedup":{"__proto__":{"polluted":1}}}',
  '{"constructor":{"prototype":{"polluted":1}}}',
  '{"route":{"constructor":{"prototype":{"polluted":1}}}}',
  '{"diversity":{"rules":{"__proto__":{"polluted":1}}}}',
  '{"origin":{"declared":{"synthetic":[{"__proto__":{"polluted":1}}]}}}',
  '{"prototype":{"polluted":1}}',
];

test('the probe sees a polluted child (control: the CLI test below can fail)', async () => {
  const d = tmp();
  const r = await new Promise<string>((resolve) => {
    const p = spawn(process.execPath, ['--import', PROBE, '-e', 'Object.prototype.polluted = 1'], { cwd: d });
    let e = '';
    p.stderr.on('data', (x) => (e += x));
    p.on('close', () => resolve(e));
  });
  assert.match(r, /proto-probe: polluted polluted/);
});

test('CLI: --set and config-file keys that reach a prototype are exit 2 naming the key; the prototype stays clean', async () => {
  const d = tmp();
  const attempts: { args: string[]; key: RegExp }[] = [
    { args: ['--set', '__proto__.polluted=1'], key: /__proto__\.polluted/ },
    { args: ['--set', 'constructor.prototype.polluted=1'], key: /constructor\.prototype\.polluted/ },
    { args: ['--set', 'dedup.__proto__.polluted=1'], key: /dedup\.__proto__\.polluted/ },
    { args: ['--set', 'prototype.x=1'], key: /prototype\.x/ },
    { args: ['--set', 'dedup={"__proto__":{"polluted":1}}'], key: /__proto__/ },
  ];
  JSON_ATTACKS.forEach((text, i) => {
    const f = join(d, `c${i}.json`);
    writeFileSync(f, text);
    attempts.push({ args: ['--config', f], key: /__proto__|constructor|prototype/ });
  });
  // every attempt through filter (the default command); the --set ones through score too
  const runs = [...attempts, ...attempts.filter((a) => a.args[0] === '--set').map(({ args, key }) => ({ args: ['score', ...args], key }))];
  for (let i = 0; i < runs.length; i += 4) {
    const batch = runs.slice(i, i + 4); // a few at a time: each run is mostly process start-up
    const results = await Promise.all(batch.map(({ args }) => runProbed(args, d)));
    results.forEach((r, j) => {
      const { args, key } = batch[j]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, key, args.join(' '));
      assert.match(r.stderr, /not allowed/, args.join(' '));
      assert.match(r.stderr, /proto-probe: clean/, `${args.join(' ')}: ${r.stderr}`);
      assert.ok(!/(?:\n|\\n)\s+at /.test(r.stderr), `no stack trace: ${r.stderr}`);
    });
  }
  // a clean run through the probe: exit 0, probe clean
  const ok = await runProbed(['--set', 'origin.enabled=false'], d);
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /proto-probe: clean/);
});

test('library API: resolveConfig, validate, createFilter, filterRecords, deepMerge, setPath refuse reserved keys', async () => {
  for (const text of JSON_ATTACKS) {
    const cfg = JSON.parse(text); // JSON.parse makes "__proto__" an own property: the dangerous form
    assert.throws(() => resolveConfig(cfg), (e: any) => e.code === 'E_CONFIG' && /not allowed/.test(e.message), text);
    assertPrototypeClean(`resolveConfig ${text}`);
    assert.throws(() => createFilter(cfg), (e: any) => e.code === 'E_CONFIG', text);
    assertPrototypeClean(`createFilter ${text}`);
    await assert.rejects(async () => {
      for await (const _ of filterRecords([{ text: 'x' }], cfg));
    }, (e: any) => e.code === 'E_CONFIG');
    assertPrototypeClean(`filterRecords ${text}`);
    // deepMerge walks objects only (arrays are replaced whole, never walked), so it refuses keys on object paths
    if (!text.includes('[')) assert.throws(() => deepMerge({ dedup: {}, route: {}, diversity: { rules: {} } }, cfg), /not allowed/, text);
    else deepMerge({}, cfg);
    assertPrototypeClean(`deepMerge ${text}`);
    assert.throws(() => validate(cfg), /invalid configuration/, text);
    assertPrototypeClean(`validate ${text}`);
    const d = tmp();
    const f = join(d, 'c.json');
    writeFileSync(f, text);
    assert.throws(() => loadConfigFile(f), (e: any) => e.code === 'E_CONFIG' && e.message.includes(f), text);
  }
  for (const key of ['__proto__.polluted', 'constructor.prototype.polluted', 'a.prototype', 'dedup.__proto__']) {
    const o: Record<string, unknown> = {};
    assert.throws(() => setPath(o, key, 1), (e: any) => e.code === 'E_CONFIG' && e.message.includes(key), key);
    assert.deepEqual(o, {});
    assertPrototypeClean(`setPath ${key}`);
  }
  // an inherited name that is not reserved is an ordinary unknown key, not a walk up the prototype chain
  assert.throws(() => resolveConfig({ toString: 1 } as any), /toString: unknown key/);
  assert.throws(() => resolveConfig({ dedup: { hasOwnProperty: 1 } } as any), /dedup\.hasOwnProperty: unknown key/);
  assertPrototypeClean('inherited names');
});

test('a config that is not an object is a config error (exit 2), not a crash', async () => {
  for (const v of [[1, 2], 'x', 3, null, true]) assert.throws(() => resolveConfig(v as any), (e: any) => e.code === 'E_CONFIG', JSON.stringify(v));
  const d = tmp();
  for (const text of ['[1,2]', '"x"', '3', 'null']) {
    const f = join(d, 'c.json');
    writeFileSync(f, text);
    const r = await runProbed(['--config', f], d);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /must hold a JSON object/);
  }
});
