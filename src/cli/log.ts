/**
 * Logging, to stderr only (stdout carries data). On a TTY the format is short and human
 * (`synthfilter: warn: message`); otherwise one JSON object per line for log shippers, with the keys sorted
 * (`{"level":"info","message":"…","phases":{…},"timestamp":"…"}`, the shape winston's json format gave before this
 * logger replaced it: docs/architecture.md says why). A line is written with one synchronous `write` call, so lines
 * never interleave and a message logged just before exit is not lost.
 */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

type Level = 'error' | 'warn' | 'info';

/** JSON with every object's keys sorted, so the same fields always print the same line. */
export function stableJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return x;
    const o = x as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** One log line for `level` (with its newline). */
export function formatLine(level: Level, msg: string, fields: Record<string, unknown> | undefined, json: boolean, now: Date = new Date()): string {
  if (!json) return `synthfilter: ${level === 'info' ? '' : level + ': '}${msg}\n`;
  return stableJson({ ...fields, level, message: msg, timestamp: now.toISOString() }) + '\n';
}

export function createLogger(opts: { quiet?: boolean; json?: boolean; stderr?: NodeJS.WritableStream } = {}): Logger {
  const out = opts.stderr ?? process.stderr;
  const json = opts.json ?? !(out as NodeJS.WriteStream).isTTY;
  const write = (level: Level, msg: string, fields?: Record<string, unknown>) => {
    try {
      out.write(formatLine(level, msg, fields, json));
    } catch {
      /* stderr closed: nothing else to tell */
    }
  };
  return {
    info: (m, f) => {
      if (!opts.quiet) write('info', m, f);
    },
    warn: (m, f) => {
      if (!opts.quiet) write('warn', m, f);
    },
    error: (m, f) => write('error', m, f),
  };
}
