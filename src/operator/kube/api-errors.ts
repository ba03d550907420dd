import { ApiException } from '@kubernetes/client-node';

/** The HTTP status of a failed API call, or undefined for a transport failure. */
export function statusCode(error: unknown): number | undefined {
  if (error instanceof ApiException) return error.code;
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

export function isNotFound(error: unknown): boolean {
  return statusCode(error) === 404;
}

export function isConflict(error: unknown): boolean {
  return statusCode(error) === 409;
}

/** The API server's own message (V1Status.message) when there is one; never the request body. */
export function apiErrorMessage(error: unknown): string {
  if (error instanceof ApiException) {
    const body: unknown = typeof error.body === 'string' ? safeParse(error.body) : error.body;
    const message = (body as { message?: unknown } | undefined)?.message;
    return typeof message === 'string' && message !== '' ? `HTTP ${error.code}: ${message}` : `HTTP ${error.code}`;
  }
  return error instanceof Error ? error.message : String(error);
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
