import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { runCli, tmp, ROOT } from '../helpers.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

test('report.html renders in headless Chromium with no console errors, and report.json carries the numbers', async () => {
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}: run scripts/ensure-test-deps.sh (npm test does)`);
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), readFileSync(join(ROOT, 'samples', 'mixed.jsonl')));
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night1', '--set', 'output.shardMaxRecords=6']);
  assert.equal(r.code, 0, r.stderr);
  writeFileSync(join(inp, 'b.jsonl'), '{"text":"a second night with one short record"}\n');
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night2']);
  assert.equal(r.code, 0, r.stderr);
  const rep = JSON.parse(readFileSync(join(out, 'night1', 'report.json'), 'utf8'));
  assert.equal(rep.counts.input, rep.counts.accept + rep.counts.reject + rep.counts.quarantine);
  assert.ok(rep.shards.length >= 2);
  const rep2 = JSON.parse(readFileSync(join(out, 'night2', 'report.json'), 'utf8'));
  assert.deepEqual(rep2.history.map((h: any) => h.runId), ['night1', 'night2']);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const night of ['night1', 'night2']) {
      const page = await browser.newPage({ viewport: { width: 800, height: 1200 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      page.on('request', (req) => {
        if (!req.url().startsWith('file:')) problems.push(`network request: ${req.url()}`);
      });
      await page.goto('file://' + join(out, night, 'report.html'));
      const title = await page.title();
      assert.match(title, new RegExp(night));
      const charts = await page.locator('svg').count();
      assert.ok(charts >= 6, `expected the report's charts, found ${charts} svg`);
      const text = await page.locator('body').innerText();
      assert.match(text, /Rejections by reason/);
      assert.match(text, /tail retention/);
      for (const h of ['Synthetic share per shard', 'p_ai by origin label', 'Diversity metrics', 'Near-duplicate clusters', 'Trend over past nights']) assert.ok(text.includes(h), h);
      const png = join(d, `${night}.png`);
      await page.screenshot({ path: png, fullPage: true });
      assert.ok(statSync(png).size > 20_000, 'screenshot has content');
      assert.deepEqual(problems, []);
      await page.close();
    }
  } finally {
    await browser.close();
  }
});
