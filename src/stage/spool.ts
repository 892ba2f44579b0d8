/**
 * Spools: the output of the nightly job's pure scoring phase, one JSONL file per input file, written atomically
 * (temp + fsync + rename) with a `.done` side file carrying the counts. Features are not stored: they are
 * recomputed from the text when the spool is read (one cheap pass).
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Config } from '../config/index.js';
import { readSources } from '../io/read.js';
import { SynthfilterError } from '../errors.js';
import { AtomicFile, writeFileAtomic } from '../sink/files.js';
import { FilterCore, type Prepared } from './core.js';
import type { JsonRecord } from '../types.js';

export interface SpoolResult {
  items: number;
  error: string | null;
}

export async function writeSpool(cfg: Config, file: string, spool: string, core: FilterCore = new FilterCore(cfg)): Promise<SpoolResult> {
  const out = new AtomicFile(spool, false, spool);
  let items = 0;
  let error: string | null = null;
  try {
    for await (const batch of readSources([file], { format: cfg.input.format, maxLineBytes: cfg.input.maxLineBytes, rawMaxBytes: cfg.input.rawMaxBytes })) {
      let buf = '';
      for (const it of batch) {
        const p = core.prepare(it, items++);
        if (p.kind === 'q') buf += JSON.stringify({ k: 'q', id: p.id, reason: p.reason, detail: p.detail, pos: p.pos, bytes: p.bytes, record: p.record, raw: p.raw }) + '\n';
        else {
          const body = { k: 's', id: p.id, bytes: p.bytes, pos: p.pos, diversity: p.diversity, origin: p.origin, ruleFailures: p.ruleFailures };
          buf += JSON.stringify(p.line !== undefined ? { ...body, line: p.line } : { ...body, record: p.record }) + '\n';
        }
      }
      await out.write(buf, batch.length);
    }
  } catch (e) {
    if (!(e instanceof SynthfilterError) || e.code !== 'E_INPUT') {
      out.abort();
      throw e;
    }
    error = e.message; // the records before the fault are kept; the file is not registered as processed
  }
  await out.close();
  const result = { items, error };
  writeFileAtomic(spool + '.done', JSON.stringify(result));
  return result;
}

export async function* readSpool(spool: string, core: FilterCore): AsyncGenerator<Prepared> {
  const rl = createInterface({ input: createReadStream(spool, { highWaterMark: 1 << 20 }), crlfDelay: Infinity });
  for await (const l of rl) {
    if (!l) continue;
    const x = JSON.parse(l);
    if (x.k === 'q') {
      yield { kind: 'q', seq: 0, id: x.id, reason: x.reason, detail: x.detail, pos: x.pos, bytes: x.bytes, record: x.record ?? null, raw: x.raw ?? undefined };
      continue;
    }
    const record = (x.line !== undefined ? JSON.parse(x.line) : x.record) as JsonRecord;
    const features = core.featuresOf(core.textOf(record));
    yield { kind: 's', seq: 0, id: x.id, record, features, bytes: x.bytes, pos: x.pos, line: x.line, dup: null, diversity: x.diversity, origin: x.origin, ruleFailures: x.ruleFailures };
  }
}

