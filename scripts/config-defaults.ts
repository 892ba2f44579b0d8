/**
 * `npm run config:defaults`: writes config/default.json and config/schema.json from the schema
 * (src/config/schema.ts). `--check` writes nothing and exits 1 when either file differs from what the schema gives
 * (the test suite runs the same comparison).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaultsJson, schemaJson } from '../src/config/generated.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const files: Array<[string, string]> = [
  ['config/default.json', defaultsJson()],
  ['config/schema.json', schemaJson()],
];
const check = process.argv.includes('--check');
let stale = 0;
for (const [rel, text] of files) {
  const path = root + rel;
  let old = '';
  try {
    old = readFileSync(path, 'utf8');
  } catch {}
  if (old === text) continue;
  if (check) {
    console.error(`${rel} is out of date: run npm run config:defaults`);
    stale++;
  } else {
    writeFileSync(path, text);
    console.error(`wrote ${rel}`);
  }
}
process.exitCode = stale ? 1 : 0;
