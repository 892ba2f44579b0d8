/** Typed fatal errors. Bad records are data (quarantine); only configuration and I/O failures are errors. */
export type ErrorCode = 'E_CONFIG' | 'E_INPUT' | 'E_OUTPUT' | 'E_STATE' | 'E_LOCKED' | 'E_USAGE';

export class SynthfilterError extends Error {
  constructor(readonly code: ErrorCode, message: string, readonly file?: string) {
    super(message);
    this.name = 'SynthfilterError';
  }
}

export const configError = (msg: string) => new SynthfilterError('E_CONFIG', msg);
export const inputError = (file: string, msg: string) => new SynthfilterError('E_INPUT', `${file}: ${msg}`, file);
