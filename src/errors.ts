/**
 * Typed fatal errors. Bad records are data (quarantine); only usage, configuration, I/O and state failures are
 * errors. Each code maps to one exit code in src/cli/exit-codes.ts (the one table the CLI and the README use);
 * any other exception is an internal error (exit 1).
 */
export const ERROR_CODES = ['E_USAGE', 'E_CONFIG', 'E_INPUT', 'E_OUTPUT', 'E_LOCKED', 'E_STATE', 'E_BACKEND'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class SynthfilterError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly file?: string) {
    super(message);
    this.name = 'SynthfilterError';
  }
}

export const usageError = (msg: string) => new SynthfilterError('E_USAGE', msg);
export const configError = (msg: string) => new SynthfilterError('E_CONFIG', msg);
export const inputError = (file: string, msg: string) => new SynthfilterError('E_INPUT', `${file}: ${msg}`, file);
export const outputError = (file: string, msg: string) => new SynthfilterError('E_OUTPUT', `${file}: ${msg}`, file);
