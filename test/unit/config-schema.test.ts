import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { defaultsJson, schemaJson, configTypeTs } from '../../scripts/config-generate.js';
import { resolveConfig, suggestKey, loadConfigFile } from '../../src/config/index.js';
import { ROOT, runCli, tmp } from '../helpers.js';

test('config/default.json, config/schema.json and the Config type are what the schema generates (npm run config:defaults)', () => {
  assert.equal(readFileSync(join(ROOT, 'config', 'default.json'), 'utf8'), defaultsJson(), 'config/default.json is stale: run npm run config:defaults');
  assert.equal(readFileSync(join(ROOT, 'config', 'schema.json'), 'utf8'), schemaJson(), 'config/schema.json is stale: run npm run config:defaults');
  assert.equal(readFileSync(join(ROOT, 'src', 'config', 'config.generated.ts'), 'utf8'), configTypeTs(), 'src/config/config.generated.ts is stale: run npm run config:defaults');
});

test('the JSON Schema validates every shipped config and rejects a typo', () => {
  const ajv = new Ajv2020({ strict: false });
  const check = ajv.compile(JSON.parse(schemaJson()));
  for (const f of ['default.json', 'samples.json', 'labelled-corpus.json']) {
    const ok = check(JSON.parse(readFileSync(join(ROOT, 'config', f), 'utf8')));
    assert.ok(ok, `${f}: ${JSON.stringify(check.errors)}`);
  }
  assert.equal(check({ dedup: { treshold: 0.9 } }), false);
  assert.equal(check({ dedup: { threshold: 2 } }), false);
});

test('an unknown key names the nearest known key', () => {
  assert.throws(() => resolveConfig({ dedup: { treshold: 0.9 } } as never), /dedup\.treshold: unknown key \(value 0\.9\); did you mean dedup\.threshold\?/);
  assert.throws(() => resolveConfig({ rout: {} } as never), /rout: unknown key .*did you mean route\?/);
  assert.throws(() => resolveConfig({ diversity: { rules: { word_cont: { min: 3 } } } } as never), /did you mean diversity\.rules\.word_count\?/);
  // nothing close: no guess
  assert.throws(() => resolveConfig({ dedup: { zzzzzzzz: 1 } } as never), (e: Error) => !/did you mean/.test(e.message));
  assert.equal(suggestKey('threshhold', ['threshold', 'numPerm']), 'threshold');
  assert.equal(suggestKey('qqq', ['threshold', 'numPerm']), null);
});

test('a config file may carry $schema for editors; it is not configuration', () => {
  const d = tmp();
  const f = join(d, 'c.json');
  writeFileSync(f, JSON.stringify({ $schema: './schema.json', route: { maxSyntheticShare: 0.3 } }));
  assert.deepEqual(loadConfigFile(f), { route: { maxSyntheticShare: 0.3 } });
  assert.equal(resolveConfig(loadConfigFile(f)).route.maxSyntheticShare, 0.3);
});

test('CLI: config --schema prints the schema; --print the effective config; a typo exits 2 with the suggestion', async () => {
  const s = await runCli(['config', '--schema']);
  assert.equal(s.code, 0, s.stderr);
  assert.equal(JSON.parse(s.stdout).type, 'object');
  const p = await runCli(['config', '--print', '--set', 'dedup.threshold=0.9']);
  assert.equal(p.code, 0, p.stderr);
  assert.equal(JSON.parse(p.stdout).dedup.threshold, 0.9);
  const d = tmp();
  const f = join(d, 'typo.json');
  writeFileSync(f, JSON.stringify({ dedup: { treshold: 0.9 } }));
  const t = await runCli(['config', '--print', '-c', f]);
  assert.equal(t.code, 2);
  assert.match(t.stderr, /did you mean dedup\.threshold\?/);
  assert.equal(t.stdout, '');
  const r = await runCli(['-c', f], '');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /did you mean dedup\.threshold\?/);
});
