import { ApiError } from './api-error.ts';

export type Method = 'GET' | 'PUT' | 'POST' | 'DELETE' | 'LIST';

export interface RequestOptions {
  readonly body?: unknown;
  /** Sent without a token even when logged in: logins and the sealed-state endpoints. */
  readonly anonymous?: boolean;
  /** A token other than the session's: the one a login is about to keep, checked first. */
  readonly token?: string;
}

/** A JSON object as the API returns it; pages narrow what they read. */
export type Json = Record<string, unknown>;

/**
 * The one way the UI talks to the server: /v1 only, the token in X-Vault-Token, Vault's
 * `{"errors": [...]}` turned into ApiError. LIST goes as `GET ?list=true`, which every proxy passes.
 */
export class ApiClient {
  readonly #token: () => string | undefined;
  readonly #onInvalidToken: () => void;

  /** `onInvalidToken`: the session's token was refused as unknown (revoked or expired meanwhile). */
  constructor(token: () => string | undefined, onInvalidToken: () => void) {
    this.#token = token;
    this.#onInvalidToken = onInvalidToken;
  }

  async request(method: Method, path: string, options: RequestOptions = {}): Promise<Json | undefined> {
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    const token = options.token ?? (options.anonymous === true ? undefined : this.#token());
    if (token !== undefined) headers['X-Vault-Token'] = token;
    const init: RequestInit = { method: method === 'LIST' ? 'GET' : method, headers, credentials: 'omit', cache: 'no-store' };
    if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(options.body);
    }
    const url = `/v1/${path.replace(/^\/+/, '')}${method === 'LIST' ? '?list=true' : ''}`;
    const response = await fetch(url, init);
    const text = await response.text();
    const body = text === '' ? undefined : parseJson(text);
    if (!response.ok) {
      const errors = errorsOf(body);
      // A 403 is usually a missing capability; only the server's "invalid token" means the session is over.
      const sessionToken = options.token === undefined && token !== undefined;
      if (sessionToken && response.status === 403 && errors.some((error) => error.includes('invalid token'))) this.#onInvalidToken();
      throw new ApiError(response.status, errors, body);
    }
    return body as Json | undefined;
  }

  get(path: string, options?: RequestOptions): Promise<Json | undefined> {
    return this.request('GET', path, options);
  }

  list(path: string): Promise<Json | undefined> {
    return this.request('LIST', path);
  }

  put(path: string, body: unknown, options: RequestOptions = {}): Promise<Json | undefined> {
    return this.request('PUT', path, { ...options, body });
  }

  post(path: string, body: unknown, options: RequestOptions = {}): Promise<Json | undefined> {
    return this.request('POST', path, { ...options, body });
  }

  delete(path: string): Promise<Json | undefined> {
    return this.request('DELETE', path);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function errorsOf(body: unknown): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const errors = (body as { errors?: unknown }).errors;
  return Array.isArray(errors) ? errors.map(String) : [];
}

/** The `data` of an envelope, or the body itself for the sys endpoints that answer unwrapped. */
export function dataOf(body: Json | undefined): Json {
  const data = body?.['data'];
  if (typeof data === 'object' && data !== null && !Array.isArray(data)) return data as Json;
  return body ?? {};
}

/** `keys` of a LIST answer; a 404 there means an empty folder. */
export function keysOf(body: Json | undefined): string[] {
  const keys = dataOf(body)['keys'];
  return Array.isArray(keys) ? keys.map(String) : [];
}

/** Path segments as they go into a /v1 URL: each one encoded, the slashes between them kept. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
