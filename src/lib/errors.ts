/**
 * The one error class of the project. Every failure that can reach a client is a SealboxError
 * with a code from this closed union; http-status.ts maps codes to HTTP statuses.
 */
export type ErrorCode =
  | 'invalid_request'
  | 'permission_denied'
  | 'not_found'
  | 'unsupported_path'
  | 'unsupported_operation'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'not_initialized'
  | 'sealed'
  | 'standby'
  | 'storage_unavailable'
  | 'config_invalid'
  | 'internal';

export interface SealboxErrorOptions {
  /** Whether the message may be shown to a client. Defaults to true below 500, false from 500. */
  readonly expose?: boolean;
  readonly cause?: unknown;
}

export class SealboxError extends Error {
  readonly code: ErrorCode;
  readonly expose: boolean | undefined;

  constructor(code: ErrorCode, message: string, options: SealboxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SealboxError';
    this.code = code;
    this.expose = options.expose;
  }
}

export function isSealboxError(error: unknown, code?: ErrorCode): error is SealboxError {
  return error instanceof SealboxError && (code === undefined || error.code === code);
}

/** A short, secret-free description of an unknown thrown value, for logs. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}
