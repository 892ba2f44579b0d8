/**
 * The night's plan file (`<state>/tasks/g<generation>/plan.json`): the pending run (its input files, as step "plan"
 * finds them, src/stage/batch/plan.ts), the cut of each file into parts, and the two fingerprints every process
 * that joins the night must share. It is written once, by whichever process plans first (exclusive create), and
 * read by all the others, so they agree on the run id, the parts and the tasks even when they would plan
 * differently (an input file added while the night runs).
 */
import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import { SynthfilterError } from '../errors.js';
import { splitPoints, type ByteRange } from '../stage/spool.js';
import type { PendingRun } from '../state/file-store.js';

export interface NightPlan extends PendingRun {
  /** sha256 (16 hex) of the whole effective config: every process of the night must run the same config */
  configHash: string;
  /** per input file, its parts: the spool's name under the run's work folder, and its byte range (null: whole) */
  parts: Array<Array<{ name: string; range: ByteRange | null }>>;
  /** MinHash lanes the state backend reads from the spools' signatures */
  lanes: number;
}

/** JSON with every object's keys sorted (the same config always hashes the same). */
function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** The night's config fingerprint: the whole effective config (the state's fingerprint covers dedup only). */
export function configHash(cfg: Config): string {
  return createHash('sha256').update(sortedJson(cfg)).digest('hex').slice(0, 16);
}

/** The run id every process derives from the plan: its inputs' content, the config and the state generation. */
export function derivedRunId(run: PendingRun, cfgHash: string): string {
  const material = sortedJson({ config: cfgHash, generation: run.generation, inputs: run.files.map((f) => [f.rel, f.sha256]) });
  return `run-${createHash('sha256').update(material).digest('hex').slice(0, 16)}`;
}

const COMPRESSED = /\.(gz|zst)$/i;
export const isCompressedName = (path: string) => COMPRESSED.test(path);

/** Each file's parts (the cut depends only on the file, src/stage/spool.ts splitPoints). */
export function partsOfFiles(run: PendingRun, format: Config['input']['format']): NightPlan['parts'] {
  return run.files.map((f, i) =>
    splitPoints(f.path, f.size, format).map((r, k, all) => ({ name: `${String(i).padStart(6, '0')}-${String(k).padStart(4, '0')}.spool`, range: all.length > 1 ? r : null })),
  );
}

/** A process joins a planned night only with the same config (exit 2 otherwise) and, if it names one, the same run id. */
export function checkJoin(plan: NightPlan, cfgHash: string, runId: string | undefined, planPath: string): void {
  if (plan.configHash !== cfgHash) {
    throw new SynthfilterError(
      'E_CONFIG',
      `clean: the night ${plan.runId} planned in ${planPath} runs with config fingerprint ${plan.configHash}, this process has ${cfgHash}: ` +
        `every rank and worker of a night must run the same config (flags --config/--set). If the night was abandoned, remove ${planPath}.`,
    );
  }
  if (runId !== undefined && runId !== plan.runId) {
    throw new SynthfilterError('E_USAGE', `clean: --run-id ${runId} differs from the run id ${plan.runId} of the night planned in ${planPath}: every rank and worker must name the same run`);
  }
}

/** Read a plan file; a damaged one is E_STATE (remove it to plan the night again). */
export function parsePlan(text: string, path: string): NightPlan {
  try {
    const p = JSON.parse(text) as NightPlan;
    if (typeof p.runId === 'string' && typeof p.configHash === 'string' && Array.isArray(p.files) && Array.isArray(p.parts)) return p;
  } catch {
    /* reported below */
  }
  throw new SynthfilterError('E_STATE', `clean: the night plan ${path} is damaged: remove it to plan the night again`);
}
