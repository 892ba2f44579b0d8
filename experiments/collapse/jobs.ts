/**
 * Runs the jobs of a collapse run, at most `parallel` at a time: each job is a child process (job.ts), so seeds and
 * conditions use every core. With `parallel` 1 the jobs run one after another in this process. Results come back
 * in job order whatever the order they finish in, so a run's output does not depend on `parallel`.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { JOB_ENTRY, runJob, type JobResult, type JobSpec } from './job.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));

function runChild(spec: JobSpec, log: (msg: string) => void): Promise<JobResult> {
  const specFile = join(spec.workDir, 'spec.json');
  const result = join(spec.workDir, 'result.json');
  writeFileSync(specFile, JSON.stringify({ ...spec, result }));
  return new Promise((resolve, reject) => {
    // cwd: tsx resolves from the repository
    const p = spawn(process.execPath, ['--import', 'tsx', JOB_ENTRY, specFile], { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let tail = '';
    let buf = '';
    p.stderr.setEncoding('utf8').on('data', (d: string) => {
      buf += d;
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        tail = (tail + line + '\n').slice(-2000);
        log(line);
      }
    });
    p.on('error', reject);
    p.on('close', (code) => {
      if (code === 0) {
        try {
          resolve(JSON.parse(readFileSync(result, 'utf8')) as JobResult);
        } catch (e) {
          reject(new Error(`job ${spec.what} seed ${spec.seed}: no result (${(e as Error).message})`));
        }
      } else reject(new Error(`job ${spec.what} seed ${spec.seed} exited with ${code}: ${(tail + buf).trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

export async function runJobs(specs: readonly JobSpec[], parallel: number, log: (msg: string) => void): Promise<JobResult[]> {
  for (const s of specs) mkdirSync(s.workDir, { recursive: true });
  if (parallel <= 1) {
    const out: JobResult[] = [];
    for (const s of specs) out.push(await runJob(s, log));
    return out;
  }
  const results = new Array<JobResult>(specs.length);
  let next = 0;
  let failed: Error | null = null;
  const lane = async () => {
    while (next < specs.length && !failed) {
      const i = next++;
      try {
        results[i] = await runChild(specs[i]!, log);
      } catch (e) {
        failed ??= e as Error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, specs.length) }, lane));
  if (failed) throw failed;
  return results;
}
