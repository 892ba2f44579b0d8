/**
 * Typed fatal errors. Bad records are data (quarantine); only usage, configuration, I/O and state failures are
 * errors. Each code maps to one exit code in src/cli/exit-codes.ts (the one table the CLI and the README use).
 */
export type ErrorCode = 'E_USAGE' | 'E_CONFIG' | 'E_INPUT' | 'E_OUTPUT' | 'E_LOCKED' | 'E_STATE' | 'E_BACKEND';

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
