/** Typed fatal errors. Bad records are data (quarantine); only configuration and I/O failures are errors. */

/**
 * Every code a SynthfilterError carries, with the CLI exit code it maps to (README "Exit codes"): E_CONFIG and
 * E_USAGE 2, E_INPUT 3, E_OUTPUT 4, E_LOCKED 5, E_STATE 6 (7 when it is a BackendUnavailableError: shared state
 * unreachable). Any other exception is an internal error (exit 1).
 */
export const ERROR_CODES = ['E_CONFIG', 'E_USAGE', 'E_INPUT', 'E_OUTPUT', 'E_LOCKED', 'E_STATE'] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class SynthfilterError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly file?: string) {
    super(message);
    this.name = 'SynthfilterError';
  }
}

export const configError = (msg: string) => new SynthfilterError('E_CONFIG', msg);
export const inputError = (file: string, msg: string) => new SynthfilterError('E_INPUT', `${file}: ${msg}`, file);
