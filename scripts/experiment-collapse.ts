/**
 * Model-collapse experiment with synthfilter in the training loop.
 *
 *   npm run experiment:collapse -- [--generations N] [--human FILE.jsonl[.gz]] [--out DIR] [--seed S]
 *                                  [--origin declared|detector]
 *
 * Writes DIR/collapse.json and DIR/collapse.html (default DIR: out/collapse). Progress goes to stderr; stdout
 * carries only the final summary table.
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULTS, METRICS, CONDITIONS, readSharedCorpora, readTexts, renderHtml, runCollapse, type OriginSignal } from '../experiments/collapse/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = resolve(ROOT, '../shared/corpora');

const USAGE = `usage: npm run experiment:collapse -- [--generations N] [--human FILE.jsonl[.gz]] [--out DIR] [--seed S] [--origin declared|detector]
  advanced: [--config SYNTHFILTER_OVERRIDES.json] [--held-out N] [--gen0 N] [--fresh N] [--samples N] [--top-k K] [--temperature T] [--max-len N]`;

function int(name: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer >= ${min}, got ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      generations: { type: 'string' },
      human: { type: 'string' },
      out: { type: 'string' },
      seed: { type: 'string' },
      origin: { type: 'string' },
      'held-out': { type: 'string' },
      gen0: { type: 'string' },
      fresh: { type: 'string' },
      samples: { type: 'string' },
      'top-k': { type: 'string' },
      temperature: { type: 'string' },
      'max-len': { type: 'string' },
      config: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const origin = (values.origin ?? 'declared') as OriginSignal;
  if (origin !== 'declared' && origin !== 'detector') throw new Error(`--origin must be declared or detector, got ${JSON.stringify(values.origin)}`);
  const temperature = values.temperature === undefined ? DEFAULTS.temperature : Number(values.temperature);
  if (!(temperature > 0)) throw new Error(`--temperature must be > 0, got ${JSON.stringify(values.temperature)}`);

  let humanTexts: string[];
  let humanSource: string;
  if (values.human) {
    const file = resolve(values.human);
    if (!existsSync(file)) throw new Error(`--human: no such file ${file}`);
    humanTexts = readTexts(file, true);
    humanSource = values.human;
  } else {
    const shared = readSharedCorpora(SHARED);
    if (!shared) throw new Error(`no human corpus: ${SHARED} has no *.jsonl.gz; pass --human FILE.jsonl with a "text" field`);
    humanTexts = shared.texts;
    humanSource = `../shared/corpora/{${shared.files.join(',')}} (label == "human")`;
  }

  const out = resolve(values.out ?? join(ROOT, 'out/collapse'));
  const log = (m: string) => process.stderr.write(m + '\n');
  const t0 = Date.now();
  const result = await runCollapse({
    ...DEFAULTS,
    generations: int('generations', values.generations, DEFAULTS.generations, 1),
    seed: int('seed', values.seed, DEFAULTS.seed),
    origin,
    humanTexts,
    humanSource,
    heldOut: int('held-out', values['held-out'], DEFAULTS.heldOut, 1),
    gen0Train: int('gen0', values.gen0, DEFAULTS.gen0Train, 1),
    freshBatch: int('fresh', values.fresh, DEFAULTS.freshBatch, 1),
    samplesPerGen: int('samples', values.samples, DEFAULTS.samplesPerGen, 1),
    topK: int('top-k', values['top-k'], DEFAULTS.topK, 1),
    temperature,
    maxLen: int('max-len', values['max-len'], DEFAULTS.maxLen, 1),
    // synthfilter config overrides for the synthfilter condition (deep-merged over its defaults), e.g. to relax
    // the 50-word Gopher minimum for a corpus of short texts
    ...(values.config ? { filterOverrides: JSON.parse(readFileSync(resolve(values.config), 'utf8')) as Record<string, unknown> } : {}),
    log,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'collapse.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'collapse.html'), renderHtml(result));
  log(`wrote ${join(out, 'collapse.json')} and ${join(out, 'collapse.html')} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);

  // summary table on stdout
  const last = result.conditions.replace.length - 1;
  const lines = [`metric\tgen0\t${CONDITIONS.map((c) => `${c}@${last}`).join('\t')}`];
  for (const m of METRICS) {
    lines.push(`${m.key}\t${result.conditions.replace[0]![m.key]}\t${CONDITIONS.map((c) => result.conditions[c][last]![m.key]).join('\t')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`experiment-collapse: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
