/**
 * One job of a collapse run: one condition of one seed, or one seed's reference values. Runs in the calling process
 * (`runJob`) or as a child process (`node --import tsx job.ts SPEC.json`, see jobs.ts), which reads its spec from
 * the file, logs to stderr and writes its result as JSON to `spec.result`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitData, type SplitSizes } from './data.js';
import { runCondition, type Condition, type ConditionRun } from './conditions.js';
import { runReference, type SeedReference } from './reference.js';
import type { SampleSettings } from './generation.js';

export interface JobSettings extends SplitSizes, SampleSettings {
  filterOverrides?: Record<string, unknown>;
  detectorToolArgs?: string[];
}

export interface JobSpec {
  seed: number;
  /** a condition, or "reference" */
  what: Condition | 'reference';
  settings: JobSettings;
  /** JSON file holding the human texts (string[]) */
  texts: string;
  /** the job's own work folder */
  workDir: string;
  /** where a child process writes its result */
  result?: string;
}

export type JobResult = { what: 'reference'; seed: number; reference: SeedReference } | { what: Condition; seed: number; run: ConditionRun };

export async function runJob(spec: JobSpec, log: (msg: string) => void = () => {}): Promise<JobResult> {
  const texts = JSON.parse(readFileSync(spec.texts, 'utf8')) as string[];
  const data = splitData(texts, spec.seed, spec.settings);
  if (spec.what === 'reference') return { what: 'reference', seed: spec.seed, reference: await runReference(data, spec.settings) };
  const run = await runCondition(data, spec.what, { ...spec.settings, workDir: spec.workDir, log });
  return { what: spec.what, seed: spec.seed, run };
}

export const JOB_ENTRY = fileURLToPath(import.meta.url);

// child process entry
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as JobSpec;
  runJob(spec, (m) => process.stderr.write(m + '\n'))
    .then((r) => writeFileSync(spec.result ?? join(spec.workDir, 'result.json'), JSON.stringify(r)))
    .catch((e: unknown) => {
      process.stderr.write(`job ${spec.what} seed ${spec.seed} failed: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
