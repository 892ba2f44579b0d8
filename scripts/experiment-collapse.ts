/**
 * Model-collapse experiment v2 (docs/collapse.md): replace, accumulate and three synthfilter conditions over
 * several seeds.
 *
 *   npm run experiment:collapse -- [--generations N] [--seeds N] [--out DIR]
 *
 * Writes DIR/collapse.json and DIR/collapse.html (default DIR: out/collapse). Progress goes to stderr; stdout
 * carries only the final summary (targets and verdicts).
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CONDITIONS, DEFAULTS, readSharedCorpora, readTexts, renderHtml, runCollapse, type Condition } from '../experiments/collapse/index.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = resolve(ROOT, '../shared/corpora');

const USAGE = `usage: npm run experiment:collapse -- [--generations N] [--seeds N] [--out DIR]
  --generations N   generations after generation 0 (default ${DEFAULTS.generations})
  --seeds N         seeds first-seed .. first-seed+N-1 (default ${DEFAULTS.seeds.length})
  --out DIR         output folder (default out/collapse)
  advanced: [--first-seed S] [--jobs N] [--conditions a,b,...] [--human FILE.jsonl[.gz]] [--config SYNTHFILTER_OVERRIDES.json]
            [--detector-args "ARGS"] [--work DIR] [--keep-work]
            [--held-out N] [--gen0 N] [--fresh N] [--samples N] [--top-k K] [--temperature T] [--max-len N]
  conditions: ${CONDITIONS.join(', ')}`;

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
      seeds: { type: 'string' },
      out: { type: 'string' },
      'first-seed': { type: 'string' },
      jobs: { type: 'string' },
      conditions: { type: 'string' },
      human: { type: 'string' },
      config: { type: 'string' },
      'detector-args': { type: 'string' },
      work: { type: 'string' },
      'keep-work': { type: 'boolean' },
      'held-out': { type: 'string' },
      gen0: { type: 'string' },
      fresh: { type: 'string' },
      samples: { type: 'string' },
      'top-k': { type: 'string' },
      temperature: { type: 'string' },
      'max-len': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const temperature = values.temperature === undefined ? DEFAULTS.temperature : Number(values.temperature);
  if (!(temperature > 0)) throw new Error(`--temperature must be > 0, got ${JSON.stringify(values.temperature)}`);
  const conditions = (values.conditions?.split(',').map((c) => c.trim()) ?? DEFAULTS.conditions) as Condition[];
  for (const c of conditions) if (!(CONDITIONS as readonly string[]).includes(c)) throw new Error(`--conditions: unknown condition ${JSON.stringify(c)} (known: ${CONDITIONS.join(', ')})`);
  const firstSeed = int('first-seed', values['first-seed'], DEFAULTS.seeds[0]!);
  const nSeeds = int('seeds', values.seeds, DEFAULTS.seeds.length, 1);

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
  let filterOverrides: Record<string, unknown> | undefined;
  if (values.config) {
    try {
      filterOverrides = JSON.parse(readFileSync(resolve(values.config), 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw new Error(`--config ${values.config}: ${(e as Error).message}`);
    }
  }

  const out = resolve(values.out ?? join(ROOT, 'out/collapse'));
  const log = (m: string) => process.stderr.write(m + '\n');
  const result = await runCollapse({
    ...DEFAULTS,
    generations: int('generations', values.generations, DEFAULTS.generations, 1),
    seeds: Array.from({ length: nSeeds }, (_, i) => firstSeed + i),
    conditions,
    humanTexts,
    humanSource,
    heldOut: int('held-out', values['held-out'], DEFAULTS.heldOut, 1),
    gen0Train: int('gen0', values.gen0, DEFAULTS.gen0Train, 1),
    freshBatch: int('fresh', values.fresh, DEFAULTS.freshBatch, 1),
    samplesPerGen: int('samples', values.samples, DEFAULTS.samplesPerGen, 1),
    topK: int('top-k', values['top-k'], DEFAULTS.topK, 1),
    temperature,
    maxLen: int('max-len', values['max-len'], DEFAULTS.maxLen, 1),
    parallel: int('jobs', values.jobs, availableParallelism(), 1),
    workDir: resolve(values.work ?? join(out, 'work')),
    keepWork: values['keep-work'] ?? false,
    ...(filterOverrides ? { filterOverrides } : {}),
    ...(values['detector-args'] ? { detectorToolArgs: values['detector-args'].split(/\s+/).filter(Boolean) } : {}),
    log,
  });
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'collapse.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(out, 'collapse.html'), renderHtml(result));
  log(`wrote ${join(out, 'collapse.json')} and ${join(out, 'collapse.html')}`);
  process.stdout.write(result.targets.map((t) => `${t.verdict}\t${t.claim}\t${t.measured}`).join('\n') + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`experiment-collapse: ${(e as Error).message}\n`);
  process.exitCode = 1;
});
