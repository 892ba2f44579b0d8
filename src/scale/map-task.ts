/**
 * The night's map task: one part of one input file scored into its spool (today's step "score parts" for one part,
 * src/stage/batch/score-parts.ts), and what replaces the spool when the task failed its last retry: a spool holding
 * one quarantine record (`task_failed`, the failure in its detail) that stands for the whole part, so the night
 * completes and the part's input is accounted for in the night's quarantine.
 */
import { createReadStream, existsSync, readFileSync } from 'node:fs';
import type { Config } from '../config/index.js';
import { writeFileAtomic } from '../sink/files.js';
import { badLineId, FilterCore, QUARANTINE_REASONS } from '../stage/core.js';
import type { ScoringPool } from '../stage/pool.js';
import { writeSpool, type ByteRange, type SpoolResult } from '../stage/spool.js';
import type { StopWatch } from '../stage/stop.js';
import type { PendingRun } from '../state/file-store.js';
import { isCompressedName } from './plan-file.js';

type InputFile = PendingRun['files'][number];

export interface MapPart {
  file: InputFile;
  /** the spool's path */
  spool: string;
  /** null: the whole file */
  range: ByteRange | null;
}

/**
 * Test hook (inert unless set): SYNTHFILTER_TEST_FAIL_PART=<input file name> makes every map task of that file
 * throw, to test retries and the quarantine of an input that keeps failing.
 */
function failForTest(file: InputFile): void {
  const name = process.env.SYNTHFILTER_TEST_FAIL_PART;
  if (name && (file.rel === name || file.rel.split('/').pop() === name)) {
    throw new Error(`test hook SYNTHFILTER_TEST_FAIL_PART: the map task of ${file.rel} fails`);
  }
}

/** Score the part into its spool (a complete spool of an earlier attempt is kept as it is). */
export async function scorePart(cfg: Config, p: MapPart, lanes: number, scorer: { pool: ScoringPool | null; core: () => FilterCore }, stop: StopWatch): Promise<SpoolResult> {
  failForTest(p.file);
  if (existsSync(p.spool + '.done')) return JSON.parse(readFileSync(p.spool + '.done', 'utf8')) as SpoolResult;
  stop.check();
  if (scorer.pool) return await stop.race(scorer.pool.score(p.file.path, p.spool, p.range, { lanes }));
  return await writeSpool(cfg, p.file.path, p.spool, scorer.core(), { lanes }, p.range, stop);
}

/** Newlines in the part (the line-number base of the file's next part); 0 for a compressed file (one part). */
async function linesOf(p: MapPart): Promise<number> {
  if (isCompressedName(p.file.path)) return 0;
  let n = 0;
  const opts = p.range ? { start: p.range.start, end: p.range.end - 1 } : {};
  if (p.range && p.range.end <= p.range.start) return 0;
  for await (const chunk of createReadStream(p.file.path, opts)) {
    const b = chunk as Buffer;
    for (let i = b.indexOf(0x0a); i >= 0; i = b.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

/**
 * The part failed its last retry: its spool becomes one quarantine record for the whole part (reason
 * `task_failed`, `detail` the failure, `source` the file and the part's first line, `bytes` the part's size).
 */
export async function quarantinePart(p: MapPart, reason: string): Promise<SpoolResult> {
  const lines = await linesOf(p).catch(() => 0);
  const pos = { file: p.file.path, line: 1 };
  const bytes = p.range ? p.range.end - p.range.start : p.file.size;
  const where = p.range ? `bytes ${p.range.start}-${p.range.end} of ${p.file.rel}` : p.file.rel;
  const detail = `${where} not processed: ${reason}`;
  const q = { k: 'q', id: badLineId(pos), reason: QUARANTINE_REASONS.taskFailed, detail, pos, bytes, record: null };
  writeFileAtomic(p.spool, JSON.stringify(q) + '\n');
  const result: SpoolResult = { items: 1, error: null, lines };
  writeFileAtomic(p.spool + '.done', JSON.stringify(result));
  return result;
}
