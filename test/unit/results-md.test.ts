import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmp } from '../helpers.js';
import { writeResultsMarkdown } from '../bench/results-md.js';

test('a bench run replaces its own section of RESULTS.md and keeps the other benchmarks\' sections', () => {
  const md = join(tmp(), 'RESULTS.md');
  writeFileSync(md, '# Results\n\nhand-written\n');
  writeResultsMarkdown(md, { alpha: { scope: 'a', rows: [{ x: 1 }] }, beta: { scope: 'b', rows: [{ y: 2 }] } });
  // another checkout, whose results.json holds only beta
  writeResultsMarkdown(md, { beta: { scope: 'b2', rows: [{ y: 3 }] } });
  const s = readFileSync(md, 'utf8');
  assert.match(s, /hand-written/);
  assert.match(s, /### alpha\n\na\n[\s\S]*\| 1 \|/);
  assert.match(s, /### beta\n\nb2\n[\s\S]*\| 3 \|/);
  assert.doesNotMatch(s, /\| 2 \|/);
  assert.ok(s.indexOf('### alpha') < s.indexOf('### beta'), 'order kept');
  assert.equal(s.split('<!-- bench:begin').length, 2, 'one generated section');
});
