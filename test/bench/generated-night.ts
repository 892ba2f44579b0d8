/**
 * A batch-engine night over generated prose, opened for a benchmark to run task by task in its own process
 * (night-phases.ts, phase-memory.ts): `docs` documents (~1 KB, gen-prose.ts) in files of `perFile`, under
 * bench-out/<name>/ (emptied first).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { resolveConfig } from '../../src/config/index.js';
import { openNight, type TaskNight } from '../../src/scale/night.js';
import { ROOT } from '../helpers.js';
import { generateProse } from './gen-prose.js';

export async function generatedNight(name: string, docs: number, perFile: number, config: Record<string, unknown>): Promise<{ night: TaskNight; dir: string }> {
  const dir = join(ROOT, 'bench-out', name);
  rmSync(dir, { recursive: true, force: true });
  generateProse(join(dir, 'in'), Math.ceil(docs / perFile), 0, perFile);
  const cfg = resolveConfig(config as never);
  const night = await openNight({ inDir: join(dir, 'in'), outDir: join(dir, 'out'), stateDir: join(dir, 'state'), cfg });
  if (!night) throw new Error('nothing to do');
  return { night, dir };
}
