/** Every error cidgate raises carries a stable code and the context that explains it. */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'CONFIG_UNREADABLE'
  | 'BAD_OPTION'
  | 'BAD_NUMBER'
  | 'BAD_INPUT'
  | 'STORE_ERROR'
  | 'STORE_TIMEOUT'
  | 'STORE_READ_ONLY'
  | 'STORE_REPLACED'
  | 'LISTEN_FAILED'
  | 'PROTOCOL_ERROR'
  | 'CHROMIUM_NOT_FOUND';

export class CidgateError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'CidgateError';
  }
}
