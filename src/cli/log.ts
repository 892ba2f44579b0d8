/**
 * Logging goes to stderr only: winston's Console transport writes to stdout unless every level is listed in
 * `stderrLevels`. On a TTY the format is short and human; otherwise one JSON object per line (for log shippers).
 */
import winston from 'winston';

export type Logger = winston.Logger;

export function createLogger(opts: { quiet?: boolean; json?: boolean } = {}): Logger {
  const levels = Object.keys(winston.config.npm.levels);
  const json = opts.json ?? !process.stderr.isTTY;
  return winston.createLogger({
    level: opts.quiet ? 'error' : 'info',
    format: json
      ? winston.format.combine(winston.format.timestamp(), winston.format.json())
      : winston.format.printf((i) => `synthfilter: ${i.level === 'info' ? '' : i.level + ': '}${String(i.message)}`),
    transports: [new winston.transports.Console({ stderrLevels: levels })],
  });
}
