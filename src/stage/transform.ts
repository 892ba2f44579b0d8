/**
 * Library shells over the core: a Node object-mode Transform and an async-iterator API.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { resolveConfig, type Config, type DeepPartial } from '../config/index.js';
import { FilterCore, type CoreOptions } from './core.js';
import { READ_REASONS } from '../io/read.js';
import { valueDepthExceeds } from '../io/json-depth.js';
import type { InputItem, JsonRecord, Outcome } from '../types.js';

export interface FilterOptions {
  /** 'accepted' (default): push accepted records; 'all': push every Outcome (accepted, rejected, quarantined) */
  emit?: 'accepted' | 'all';
  /** outcomes in input order (as `synthfilter score`); default: decision order */
  inputOrder?: boolean;
  /** name of the source in quarantine positions */
  sourceName?: string;
}

type ConfigInput = DeepPartial<Config> | Config | undefined;

/** A value handed to the library as one input item; one nested deeper than input.maxDepth is quarantined before
 * anything recursive (id hashing, JSON.stringify) sees it. */
function toItem(v: unknown, line: number, file: string, input: Config['input']): InputItem {
  const pos = { file, line };
  const rawMax = input.rawMaxBytes;
  if (valueDepthExceeds(v, input.maxDepth)) {
    return { kind: 'bad', reason: READ_REASONS.tooDeep, detail: `value nested deeper than input.maxDepth=${input.maxDepth}`, raw: '', pos, bytes: 0 };
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    const raw = (JSON.stringify(v) ?? String(v)).slice(0, rawMax);
    return { kind: 'bad', reason: READ_REASONS.notObject, detail: 'expected a record object', raw, pos, bytes: 0 };
  }
  return { kind: 'record', record: v as JsonRecord, pos, bytes: 0 };
}

/** The record as a consumer of accepted records sees it: untouched, or a shallow copy with the annotation key. */
export function acceptedRecord(o: Outcome, cfg: Config): JsonRecord {
  const rec = o.record!;
  return cfg.output.annotate ? { ...rec, [cfg.output.annotationKey]: o.annotation } : rec;
}

/**
 * `await pipeline(source, createFilter(config), sink)`: object mode, records in, records out. Backpressure is
 * the Transform's own: the core processes one record per write and never holds more than the router's bounded
 * synthetic buffer.
 */
export function createFilter(config?: ConfigInput, opts: FilterOptions = {}): Transform {
  const cfg = resolveConfig(config);
  const core = new FilterCore(cfg, { inputOrder: opts.inputOrder } satisfies CoreOptions);
  const file = opts.sourceName ?? '<stream>';
  let line = 0;
  const pushAll = (t: Transform, outs: Outcome[]) => {
    for (const o of outs) {
      if (opts.emit === 'all') t.push(o);
      else if (o.annotation.decision === 'accept') t.push(acceptedRecord(o, cfg));
    }
  };
  const t = new Transform({
    objectMode: true,
    transform(chunk: unknown, _enc, cb: TransformCallback) {
      const outs: Outcome[] = [];
      try {
        core.processItem(toItem(chunk, ++line, file, cfg.input), outs);
      } catch (e) {
        return cb(e as Error);
      }
      pushAll(this, outs);
      cb();
    },
    flush(cb: TransformCallback) {
      core.end().then((outs) => {
        pushAll(this, outs);
        cb();
      }, cb);
    },
  });
  (t as Transform & { stats: FilterCore['stats'] }).stats = core.stats;
  return t;
}

/** `for await (const outcome of filterRecords(records, config))`: every input yields exactly one Outcome. */
export async function* filterRecords(
  records: AsyncIterable<unknown> | Iterable<unknown>,
  config?: ConfigInput,
  opts: Omit<FilterOptions, 'emit'> = {},
): AsyncGenerator<Outcome> {
  const cfg = resolveConfig(config);
  const core = new FilterCore(cfg, { inputOrder: opts.inputOrder });
  const file = opts.sourceName ?? '<iterable>';
  let line = 0;
  for await (const r of records as AsyncIterable<unknown>) {
    const outs: Outcome[] = [];
    core.processItem(toItem(r, ++line, file, cfg.input), outs);
    yield* outs;
  }
  yield* await core.end();
}
