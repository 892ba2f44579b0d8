/**
 * The golden scenarios: the built CLI run on `samples/` and on a deterministic 10k-record fixture, in filter mode
 * with --out and in clean mode (two nights), and the sha256 of every output file after normalisation.
 *
 * Shared by test/golden/golden.test.ts (compares) and scripts/golden-update.ts (rewrites expected.json).
 *
 * Normalisation, so that only what a change of behaviour would change is compared:
 * - shards, rejects and quarantine are hashed on their decompressed bytes (the manifest carries the sha256 of the
 *   compressed files, so the compressed bytes are compared too, through it);
 * - manifests lose the keys that name a moment, a duration, a run or the package version (`version`, `created`,
 *   `started_at`, `run_id`, `*_at`, `*duration*`, `*elapsed*`) and are re-serialised with 2-space indentation;
 * - the CLI runs inside the temp folder with relative paths; an absolute temp path that still shows up is
 *   replaced by `<TMP>` (it would change the compressed files' sha256 in the manifest, so the test would tell).
 */
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { fakeText, ROOT, runCli, tmp } from '../helpers.js';

export const EXPECTED_FILE = join(ROOT, 'test', 'golden', 'expected.json');

/** sha256 and record count of one normalised output file, keyed by `<scenario>/<path in the output dir>`. */
export interface GoldenEntry {
  sha256: string;
  lines: number;
}
export type GoldenHashes = Record<string, GoldenEntry>;

/** The fixture's config on top of config/samples.json: balancing and both tail rules get exercised. */
const SAMPLES_CONFIG = join(ROOT, 'config', 'samples.json');
const FIXTURE_FLAGS = [
  '--config', SAMPLES_CONFIG,
  '--set', 'route.balanceBy="meta.topic"',
  '--set', 'route.maxStratumShare=0.25',
  '--set', 'route.tail.rareStratum.field="meta.topic"',
  '--set', 'route.maxClusterSize=2000',
  '--set', 'output.shardMaxRecords=1500',
];
const SAMPLE_FLAGS = ['--config', SAMPLES_CONFIG];

/** mulberry32: a small seeded generator, so the fixture is the same on every machine and Node version. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TOPICS = ['news', 'news', 'news', 'forum', 'forum', 'code', 'review', 'review', 'recipe', 'poetry'];

/**
 * The 10k-record fixture as JSONL lines: declared human and synthetic provenance, undeclared records, exact and
 * near duplicates, low-diversity loops, short texts, records with rare words (tail), records without an id and
 * bad lines of every quarantine kind.
 */
export function fixtureLines(n = 10_000, seed = 17): string[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const texts: string[] = [];
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const u = r();
    const id = r() < 0.05 ? undefined : `g${i}`;
    const topic = r() < 0.01 ? 'rare-topic' : pick(TOPICS);
    const rec = (text: unknown, source?: string) =>
      JSON.stringify({ ...(id === undefined ? {} : { id }), text, meta: { topic, ...(source ? { source } : {}) } });
    const words = 60 + Math.floor(r() * 140);
    let text: string;
    if (u < 0.02) {
      // bad lines, one kind each
      const k = i % 6;
      lines.push(
        k === 0 ? `{"id": "bad${i}", "text": "cut off` :
        k === 1 ? `["not", "an", "object", ${i}]` :
        k === 2 ? JSON.stringify({ id: `bad${i}`, body: fakeText(i, 20) }) :
        k === 3 ? JSON.stringify({ id: `bad${i}`, text: i }) :
        k === 4 ? JSON.stringify({ id: `bad${i}`, text: '' }) :
        `{"id": "bad${i}", "text": "\\ud800 lone surrogate is fine", "x": tru}`,
      );
      continue;
    } else if (u < 0.05 && texts.length > 0) {
      text = pick(texts); // exact duplicate of an earlier text
    } else if (u < 0.11 && texts.length > 0) {
      // near duplicate: an earlier text with one to three words replaced
      const w = pick(texts).split(' ');
      const edits = 1 + Math.floor(r() * 3);
      for (let e = 0; e < edits; e++) w[Math.floor(r() * w.length)] = `edit${Math.floor(r() * 1000)}`;
      text = w.join(' ');
    } else if (u < 0.14) {
      // low diversity: one sentence looped
      const s = fakeText(Math.floor(r() * 1e9), 8);
      text = Array.from({ length: 12 }, () => s).join('. ');
    } else if (u < 0.18) {
      text = fakeText(Math.floor(r() * 1e9), 3 + Math.floor(r() * 20)); // short text
    } else {
      text = fakeText(Math.floor(r() * 1e9), words);
      if (r() < 0.08) {
        // rare vocabulary: words no other record uses
        const rare = Array.from({ length: 40 }, (_, j) => `zz${i.toString(36)}q${j.toString(36)}`).join(' ');
        text = `${text} ${rare}`;
      }
      texts.push(text);
    }
    const v = r();
    const source = v < 0.45 ? 'human' : v < 0.6 ? 'gpt-4' : v < 0.75 ? 'synthetic' : undefined;
    lines.push(rec(text, source));
  }
  return lines;
}

function sha256(b: Buffer | string): string {
  return createHash('sha256').update(b).digest('hex');
}

const VOLATILE_KEY = /^(version|created|started_at|run_id)$|_at$|duration|elapsed/;

function stripVolatile(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripVolatile);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (!VOLATILE_KEY.test(k)) out[k] = stripVolatile(x);
    return out;
  }
  return v;
}

/** The normalised bytes of one output file (see the header). */
export function normalise(file: string, tmpRoot: string): string {
  const raw = readFileSync(file);
  const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8').split(tmpRoot).join('<TMP>');
  if (file.endsWith('manifest.json')) return JSON.stringify(stripVolatile(JSON.parse(text)), null, 2) + '\n';
  return text;
}

/** Files compared: shards, rejects, quarantine and the manifest (not report.*, not state). */
const COMPARED = /(^|\/)(shard-[^/]*|rejects\/[^/]*|quarantine\/[^/]*|manifest\.json)$/;

function collect(outDir: string, scenario: string, tmpRoot: string, normDir: string, into: GoldenHashes): void {
  const walk = (dir: string): string[] =>
    readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? walk(join(dir, n)) : [join(dir, n)]));
  for (const f of walk(outDir).sort()) {
    const rel = relative(outDir, f).split('\\').join('/');
    if (!COMPARED.test(rel)) continue;
    const text = normalise(f, tmpRoot);
    const key = `${scenario}/${rel.replace(/\.gz$/, '')}`;
    into[key] = { sha256: sha256(text), lines: text.split('\n').length - 1 };
    const copy = join(normDir, key);
    mkdirSync(join(copy, '..'), { recursive: true });
    writeFileSync(copy, text);
  }
}

/** Runs the CLI in the temp folder with relative paths, so that no absolute path reaches the outputs. */
async function cli(cwd: string, args: string[]): Promise<void> {
  const r = await runCli([...args, '--quiet'], null, { cwd });
  if (r.code !== 0) throw new Error(`synthfilter ${args.join(' ')} exited ${r.code}: ${r.stderr.slice(0, 2000)}`);
}

export interface GoldenRun {
  hashes: GoldenHashes;
  /** `<temp folder>/normalised/<key>`: the normalised copies, which a failing test names so they can be diffed. */
  normalisedDir: string;
  /** Removes the temp folder; with `keepNormalised`, everything but the normalised copies (~50 MB of outputs). */
  cleanup(keepNormalised: boolean): void;
}

/** Runs every scenario in a fresh temp folder (see the header). */
export async function runGolden(): Promise<GoldenRun> {
  const root = tmp('sf-golden-');
  const normDir = join(root, 'normalised');
  const hashes: GoldenHashes = {};

  // the fixture: part A (plain JSONL) on night 1, part B (gzip) added on night 2
  const lines = fixtureLines();
  const half = Math.floor(lines.length * 0.6);
  writeFileSync(join(root, 'fixture-a.jsonl'), lines.slice(0, half).join('\n') + '\n');
  writeFileSync(join(root, 'fixture-b.jsonl.gz'), gzipSync(lines.slice(half).join('\n') + '\n'));
  const run = (args: string[]) => cli(root, args);
  const keep = (outDir: string, scenario: string) => collect(join(root, outDir), scenario, root, normDir, hashes);

  // samples: filter mode (what `npm run demo` runs) and one clean night
  mkdirSync(join(root, 'samples'));
  copyFileSync(join(ROOT, 'samples', 'mixed.jsonl'), join(root, 'samples', 'mixed.jsonl'));
  await run([...SAMPLE_FLAGS, '--out', 'samples-filter', 'samples/mixed.jsonl']);
  keep('samples-filter', 'samples/filter');
  await run(['clean', ...SAMPLE_FLAGS, '--in', 'samples', '--out', 'samples-clean', '--state', 'samples-state', '--workers', '1', '--run-id', 'night1']);
  keep('samples-clean/night1', 'samples/clean/night1');

  // the fixture: filter mode over both parts, then two clean nights
  await run([...FIXTURE_FLAGS, '--out', 'fixture-filter', 'fixture-a.jsonl', 'fixture-b.jsonl.gz']);
  keep('fixture-filter', 'fixture10k/filter');
  mkdirSync(join(root, 'fixture-in'));
  copyFileSync(join(root, 'fixture-a.jsonl'), join(root, 'fixture-in', 'a.jsonl'));
  const night = ['clean', ...FIXTURE_FLAGS, '--in', 'fixture-in', '--out', 'fixture-clean', '--state', 'fixture-state', '--workers', '2'];
  await run([...night, '--run-id', 'night1']);
  keep('fixture-clean/night1', 'fixture10k/clean/night1');
  copyFileSync(join(root, 'fixture-b.jsonl.gz'), join(root, 'fixture-in', 'b.jsonl.gz'));
  await run([...night, '--run-id', 'night2']);
  keep('fixture-clean/night2', 'fixture10k/clean/night2');

  const cleanup = (keepNormalised: boolean) => {
    for (const n of readdirSync(root)) if (!(keepNormalised && n === 'normalised')) rmSync(join(root, n), { recursive: true, force: true });
    if (!keepNormalised) rmSync(root, { recursive: true, force: true });
  };
  return { hashes, normalisedDir: normDir, cleanup };
}

/** Human-readable differences between expected and actual hashes; empty when they agree. */
export function diffGolden(expected: GoldenHashes, actual: GoldenHashes): string[] {
  const out: string[] = [];
  for (const k of Object.keys({ ...expected, ...actual }).sort()) {
    const e = expected[k];
    const a = actual[k];
    if (!a) out.push(`missing  ${k} (expected ${e!.lines} lines)`);
    else if (!e) out.push(`new      ${k} (${a.lines} lines)`);
    else if (e.sha256 !== a.sha256)
      out.push(`changed  ${k} (lines ${e.lines} -> ${a.lines}; sha256 ${e.sha256.slice(0, 12)} -> ${a.sha256.slice(0, 12)})`);
  }
  return out;
}
