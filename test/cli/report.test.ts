import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { runCli, tmp, ROOT } from '../helpers.js';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
// the same config both nights (the state refuses another fingerprint); the stratum field gives the per-source table
const SETS = ['--set', 'output.shardMaxRecords=6', '--set', 'route.tail.rareStratum.field="meta.source"'];

interface Row {
  name: string | null;
  in: number;
  kept: number;
  rejected: number;
  quarantined: number;
  tail: number;
  records: number;
}
interface PageNumbers {
  cards: Record<string, number>;
  primary: Record<string, number>;
  matched: Record<string, number>;
  quarantine: Record<string, number>;
  files: Row[];
  strata: Row[];
  shards: Row[];
  charts: Array<{ label: string; x: string[]; y: string[]; hbar: boolean }>;
  warnings: Array<string | null>;
}

/** What the page shows, read back from its data attributes (runs in the page: plain JavaScript). */
const PAGE_NUMBERS = `(() => {
  const num = (e, k) => Number(e.getAttribute('data-' + k));
  const cards = {};
  document.querySelectorAll('.card[data-count]').forEach((c) => (cards[c.getAttribute('data-count')] = num(c, 'value')));
  const bars = (chart) => {
    const out = {};
    document.querySelectorAll('[data-chart="' + chart + '"] .bar').forEach((b) => (out[b.getAttribute('data-key')] = num(b, 'value')));
    return out;
  };
  const rows = (table, key) =>
    Array.from(document.querySelectorAll('table[data-table="' + table + '"] tbody tr:not(.rest)')).map((r) => ({
      name: r.getAttribute('data-' + key), in: num(r, 'in'), kept: num(r, 'kept'), rejected: num(r, 'rejected'),
      quarantined: num(r, 'quarantined'), tail: num(r, 'tail'), records: num(r, 'records'),
    }));
  // every drawn chart with its tick labels (an empty chart is a framed note without axes)
  const charts = Array.from(document.querySelectorAll('svg.chart:not(.empty)')).map((s) => ({
    label: s.getAttribute('aria-label'),
    x: Array.from(s.querySelectorAll('.axis.x .tick')).map((t) => t.textContent || ''),
    y: Array.from(s.querySelectorAll('.axis.y .tick')).map((t) => t.textContent || ''),
    hbar: s.querySelector('.bar') !== null,
  }));
  const warnings = Array.from(document.querySelectorAll('.warnings li')).map((l) => l.getAttribute('data-code'));
  return { cards, primary: bars('primary'), matched: bars('matched'), quarantine: bars('quarantine'), files: rows('file', 'file'), strata: rows('stratum', 'stratum'), shards: rows('shards', 'shard'), charts, warnings };
})()`;

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

test('report: two nights in headless Chromium: no console errors, real axes, one row per input file, warnings, counts equal the manifest', async () => {
  assert.ok(existsSync(CHROMIUM), `chromium not found at ${CHROMIUM}: run scripts/ensure-test-deps.sh (npm test does)`);
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  const samples = readFileSync(join(ROOT, 'samples', 'mixed.jsonl'), 'utf8');
  writeFileSync(join(inp, 'a.jsonl'), samples);
  let r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night1', ...SETS]);
  assert.equal(r.code, 0, r.stderr);
  // night 2: the samples again under new ids (duplicates of night 1), a new record, and a file cut short (an input error)
  const again = samples.split('\n').filter((l) => l.startsWith('{"id"')).map((l) => l.replace(/^\{"id": "([^"]+)"/, '{"id": "$1-n2"')).join('\n');
  writeFileSync(join(inp, 'b.jsonl'), again + '\n{"id":"fresh","text":"a second night with one short record","meta":{"source":"forum"}}\n');
  writeFileSync(join(inp, 'c.jsonl.gz'), gzipSync(Buffer.from(samples)).subarray(0, 400));
  r = await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'night2', ...SETS]);
  assert.equal(r.code, 3, `a truncated input exits 3 after writing the night: ${r.stderr}`);

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    for (const night of ['night1', 'night2']) {
      const m = JSON.parse(readFileSync(join(out, night, 'manifest.json'), 'utf8'));
      const rep = JSON.parse(readFileSync(join(out, night, 'report.json'), 'utf8'));
      for (const scheme of ['light', 'dark'] as const) {
        const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, colorScheme: scheme });
        const problems: string[] = [];
        page.on('console', (msg) => {
          if (msg.type() === 'error' || msg.type() === 'warning') problems.push(`${msg.type()}: ${msg.text()}`);
        });
        page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
        page.on('request', (req) => {
          if (!req.url().startsWith('file:')) problems.push(`network request: ${req.url()}`);
        });
        await page.goto('file://' + join(out, night, 'report.html'));
        assert.match(await page.title(), new RegExp(night));
        const p = (await page.evaluate(PAGE_NUMBERS)) as PageNumbers;

        // charts: every drawn chart has axes with tick labels
        assert.ok(p.charts.length >= 10, `expected the report's charts, found ${p.charts.length}`);
        for (const c of p.charts) {
          assert.ok(c.x.length > 0 && c.x.every((t) => t.trim() !== ''), `x tick labels of ${c.label}`);
          if (!c.hbar) assert.ok(c.y.length > 0 && c.y.every((t) => t.trim() !== ''), `y tick labels of ${c.label}`);
        }
        const text = await page.locator('body').innerText();
        for (const h of ['Why records were rejected', 'Every rule matched', 'Per input file', 'Per meta.source', 'Across nights', 'Who wrote it', 'Text-quality metrics of the enabled rules', 'Output shards']) assert.ok(text.includes(h), h);
        assert.ok(!/\bmattr\b|distinct_2/.test(text), 'rules disabled by default are not drawn');

        // every count on the page equals the manifest's
        assert.deepEqual(p.cards, { input: m.counts.input, accept: m.counts.accept, reject: m.counts.reject, quarantine: m.counts.quarantine, tail_accepted: m.tail.accepted });
        assert.equal(sum(Object.values(p.primary)), m.counts.reject, 'primary reasons add up to the rejected count');
        const reasons: Record<string, number> = {};
        for (const src of [p.matched, p.quarantine]) for (const [k, v] of Object.entries(src)) reasons[k] = (reasons[k] ?? 0) + v;
        assert.deepEqual(reasons, m.reasons, 'every rule matched + quarantine reasons = the manifest reasons');
        assert.deepEqual(p.files.map((f) => f.name), m.inputs.map((i: { file: string }) => i.file), 'one row per input file');
        for (const rows of [p.files, p.strata]) {
          assert.ok(rows.length > 0);
          assert.equal(sum(rows.map((f) => f.in)), m.counts.input);
          assert.equal(sum(rows.map((f) => f.kept)), m.counts.accept);
          assert.equal(sum(rows.map((f) => f.rejected)), m.counts.reject);
          assert.equal(sum(rows.map((f) => f.quarantined)), m.counts.quarantine);
          assert.equal(sum(rows.map((f) => f.tail)), m.tail.accepted);
        }
        assert.deepEqual(p.shards.map((s) => [s.name, s.records]), m.shards.map((s: { name: string; records: number }) => [s.name, s.records]));
        // the warnings banner: one entry per manifest warning and per input error
        assert.deepEqual(p.warnings, [...(m.warnings ?? []).map((w: { code: string }) => w.code), ...m.errors.map(() => 'input_error')]);
        if (night === 'night2') assert.ok(m.warnings.length > 0 && p.warnings.includes(m.warnings[0].code) && p.warnings.includes('input_error'), 'night 2 shows the manifest warnings and the input error');
        assert.equal(await page.locator('.warnings').count(), p.warnings.length ? 1 : 0);
        // the per-file estimates merged give the manifest's estimate of the input
        assert.ok(Math.abs(rep.night.share_total.value - m.synthetic_share.estimate.input.value) < 1e-6, JSON.stringify([rep.night.share_total, m.synthetic_share.estimate]));
        assert.equal(await page.locator('.card[data-share="estimate"]').getAttribute('data-input'), String(m.synthetic_share.estimate.input.value));
        // the trend: one point per night so far, and night 2 duplicates night 1
        assert.deepEqual(rep.trend.map((t: { run_id: string }) => t.run_id), night === 'night1' ? ['night1'] : ['night1', 'night2']);
        if (night === 'night2') assert.ok(rep.trend[1].history_duplicates > 0 && rep.night.history_duplicates === rep.trend[1].history_duplicates);

        // the table sorts (the script runs without errors)
        await page.locator('table[data-table="file"] th').nth(1).click();
        assert.equal(await page.locator('table[data-table="file"] th[aria-sort]').count(), 1);

        const png = join(d, `${night}-${scheme}.png`);
        await page.screenshot({ path: png, fullPage: true });
        assert.ok(statSync(png).size > 20_000, 'screenshot has content');
        if (night === 'night2' && scheme === 'light' && process.env['UPDATE_SCREENSHOT'] === '1') copyFileSync(png, join(ROOT, 'docs', 'report.png'));
        assert.deepEqual(problems, []);
        await page.close();
      }
    }
  } finally {
    await browser.close();
  }
});

test('report --state redraws a recorded night without rerunning it (same page), and refuses what it cannot show', async () => {
  const d = tmp();
  const [inp, out, state] = ['in', 'out', 'state'].map((x) => join(d, x));
  mkdirSync(inp);
  writeFileSync(join(inp, 'a.jsonl'), readFileSync(join(ROOT, 'samples', 'mixed.jsonl')));
  assert.equal((await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'n1', '-q'])).code, 0);
  writeFileSync(join(inp, 'b.jsonl'), '{"text":"another night"}\n');
  assert.equal((await runCli(['clean', '--in', inp, '--out', out, '--state', state, '--run-id', 'n2', '-q'])).code, 0);

  // default: the latest night, to stdout; --run-id picks another; --out writes a file
  let r = await runCli(['report', '--state', state]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, readFileSync(join(out, 'n2', 'report.html'), 'utf8'));
  r = await runCli(['report', '--state', state, '--run-id', 'n1', '--out', join(d, 'n1.html'), '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(readFileSync(join(d, 'n1.html'), 'utf8'), readFileSync(join(out, 'n1', 'report.html'), 'utf8'));

  // errors: exit 2 with a message naming what is wrong, 6 for a damaged night file; never a stack trace
  const cases: Array<[string[], number, RegExp]> = [
    [['report'], 2, /missing --state/],
    [['report', '--state', join(d, 'nope')], 2, /does not exist/],
    [['report', '--state', inp], 2, /no recorded night/],
    [['report', '--state', state, '--run-id', 'n9'], 2, /no recorded night \\?"n9\\?".*n1, n2/],
    [['report', '--state', state, '--run-id', '../x'], 2, /--run-id/],
    [['report', '--state', state, '--out', d], 2, /is a directory/],
    [['report', '--state', state, '--in', inp], 2, /--in does not apply to "report"/],
  ];
  for (const [args, code, msg] of cases) {
    r = await runCli(args);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, msg);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  }
  const f = join(state, 'reports', 'n1.json');
  const bytes = readFileSync(f);
  bytes[10] = bytes[10]! ^ 1;
  writeFileSync(f, bytes);
  r = await runCli(['report', '--state', state, '--run-id', 'n1']);
  assert.equal(r.code, 6, r.stderr);
  assert.match(r.stderr, /reports\/n1\.json is damaged \(checksum mismatch/);
});
