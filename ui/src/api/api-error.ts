/** A non-2xx answer of the server, with Vault's `errors` array as the server wrote it. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: readonly string[];
  /** The parsed body, for the answers that carry data with an error status (a deleted KV v2 version). */
  readonly body: unknown;

  constructor(status: number, errors: readonly string[], body: unknown) {
    super(errors.length > 0 ? errors.join('; ') : `the server answered ${status}`);
    this.name = 'ApiError';
    this.status = status;
    this.errors = errors;
    this.body = body;
  }
}

/** What to show for anything a request threw: the server's messages, or why there were none. */
export function errorMessages(error: unknown): string[] {
  if (error instanceof ApiError) return error.errors.length > 0 ? [...error.errors] : [error.message];
  if (error instanceof TypeError) return ['the server could not be reached'];
  if (error instanceof Error) return [error.message];
  return [String(error)];
}
