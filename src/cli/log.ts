/**
 * Logging goes to stderr only: winston's Console transport writes to stdout unless every level is listed in
 * `stderrLevels`. On a TTY the format is short and human; otherwise one JSON object per line (for log shippers).
 * winston is loaded on the first message (its import costs ~0.1 s of start-up), so a `--quiet` run that logs
 * nothing never loads it.
 */
import { createRequire } from 'node:module';
import type winstonNs from 'winston';

export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const require = createRequire(import.meta.url);

export function createLogger(opts: { quiet?: boolean; json?: boolean } = {}): Logger {
  let w: winstonNs.Logger | null = null;
  const get = (): winstonNs.Logger => {
    if (w) return w;
    const winston = require('winston') as typeof winstonNs;
    const levels = Object.keys(winston.config.npm.levels);
    const json = opts.json ?? !process.stderr.isTTY;
    w = winston.createLogger({
      level: opts.quiet ? 'error' : 'info',
      format: json
        ? winston.format.combine(winston.format.timestamp(), winston.format.json())
        : winston.format.printf((i) => `synthfilter: ${i.level === 'info' ? '' : i.level + ': '}${String(i.message)}`),
      transports: [new winston.transports.Console({ stderrLevels: levels })],
    });
    return w;
  };
  return {
    info: (m, f) => {
      if (!opts.quiet) get().info(m, f);
    },
    warn: (m, f) => {
      if (!opts.quiet) get().warn(m, f);
    },
    error: (m, f) => get().error(m, f),
  };
}
