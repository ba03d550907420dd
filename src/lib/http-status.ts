import type { ErrorCode } from './errors.ts';
import { SealboxError } from './errors.ts';

interface StatusRule {
  readonly status: number;
  /** Whether the message is shown to clients unless the error says otherwise. */
  readonly expose: boolean;
}

/** The one table from error code to HTTP status. */
const STATUS_TABLE: Readonly<Record<ErrorCode, StatusRule>> = {
  invalid_request: { status: 400, expose: true },
  config_invalid: { status: 400, expose: true },
  not_initialized: { status: 400, expose: true },
  permission_denied: { status: 403, expose: true },
  not_found: { status: 404, expose: true },
  unsupported_path: { status: 404, expose: true },
  unsupported_operation: { status: 405, expose: true },
  payload_too_large: { status: 413, expose: true },
  unsupported_media_type: { status: 415, expose: true },
  rate_limited: { status: 429, expose: true },
  internal: { status: 500, expose: false },
  standby: { status: 500, expose: true },
  sealed: { status: 503, expose: true },
  storage_unavailable: { status: 503, expose: true },
};

export function statusOf(code: ErrorCode): number {
  return STATUS_TABLE[code].status;
}

/** Status and client-visible messages for anything thrown while serving a request. */
export function errorResponse(error: unknown): { status: number; errors: string[] } {
  if (!(error instanceof SealboxError)) return { status: 500, errors: ['internal error'] };
  const rule = STATUS_TABLE[error.code];
  const expose = error.expose ?? rule.expose;
  return { status: rule.status, errors: [expose ? error.message : 'internal error'] };
}
