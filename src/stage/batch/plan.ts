/**
 * Step "plan" of the nightly job: which input files are new or changed since the last committed night.
 *
 * Inputs: the input folder, the registry of files already processed (path -> size, mtime, sha256), the state
 * generation and config fingerprint the run is planned on. Output: a PendingRun (state/pending.json), which a
 * crashed run resumes. Unchanged size+mtime skips hashing; a changed file with the same content hash is treated as
 * unchanged; a new path whose content was processed under another path is skipped too.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SynthfilterError } from '../../errors.js';
import { newRunId } from '../../fsx/names.js';
import type { PendingRun, RegistryEntry } from '../../state/file-store.js';
import type { StopWatch } from '../stop.js';

const INPUT_EXT = /\.(jsonl|ndjson|json)(\.gz|\.zst)?$/i;

/** The input files under `dir`, in name order (depth first); dot files and other extensions are skipped. */
export function listInputs(dir: string): string[] {
  if (!existsSync(dir)) throw new SynthfilterError('E_INPUT', `input directory ${dir} does not exist`);
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (e.name.startsWith('.')) continue;
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile() && INPUT_EXT.test(e.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

async function sha256File(path: string, stop?: StopWatch): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    stop?.check();
    h.update(chunk as Buffer);
  }
  return h.digest('hex');
}

export interface PlanInput {
  inDir: string;
  registry: Record<string, RegistryEntry>;
  /** the state generation the run is planned on */
  generation: number;
  /** the config fingerprint */
  fingerprint: string;
  /** default: a new run id (src/fsx/names.ts) */
  runId?: string;
  stop?: StopWatch;
}

/** Plan the run: its new or changed inputs (an empty `files` list: nothing to do tonight). */
export async function planRun(p: PlanInput): Promise<PendingRun> {
  const known = new Set(Object.values(p.registry).map((r) => r.sha256));
  const files: PendingRun['files'] = [];
  for (const path of listInputs(p.inDir)) {
    const rel = relative(p.inDir, path);
    const st = statSync(path);
    const prev = p.registry[rel];
    if (prev && prev.size === st.size && prev.mtimeMs === st.mtimeMs) continue;
    const sha256 = await sha256File(path, p.stop);
    if (prev?.sha256 === sha256 || (!prev && known.has(sha256))) continue;
    files.push({ path, rel, size: st.size, mtimeMs: st.mtimeMs, sha256 });
  }
  const started = new Date();
  return { runId: p.runId ?? newRunId(started), startedAt: started.toISOString(), fingerprint: p.fingerprint, generation: p.generation, files };
}
