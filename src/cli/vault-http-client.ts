import { request as httpRequest } from 'node:http';
import type { IncomingMessage, RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeError, SealboxError } from '../lib/errors.ts';
import type { ErrorCode } from '../lib/errors.ts';
import { objectOf } from './json-values.ts';

export interface ClientSettings {
  /** Base address without /v1, e.g. https://127.0.0.1:8200. */
  readonly address: string;
  readonly token?: string;
  /** PEM bytes of the CA that the server's certificate must chain to (VAULT_CACERT). */
  readonly caCert?: Buffer;
  readonly skipVerify: boolean;
}

export interface ApiResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body (204). */
  readonly body: unknown;
}

/** The Go client's default. */
const TIMEOUT_MS = 60_000;
/** As the Go client: follow a standby's redirect to the active node, resending the body. */
const MAX_REDIRECTS = 2;
const REDIRECT_STATUSES = new Set([301, 302, 307, 308]);

const CODE_BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  400: 'invalid_request',
  403: 'permission_denied',
  404: 'not_found',
  405: 'unsupported_operation',
  429: 'rate_limited',
  501: 'not_initialized',
  503: 'sealed',
};

/**
 * The HTTP side of the vault CLI: `/v1/<path>` on VAULT_ADDR with X-Vault-Token and
 * X-Vault-Request, JSON in and out. A status of 400 or above becomes a SealboxError whose message
 * is the Go client's "Error making API request" text, which is what the vault CLI prints.
 */
export class VaultHttpClient {
  readonly address: string;
  readonly #settings: ClientSettings;

  constructor(settings: ClientSettings) {
    this.#settings = settings;
    this.address = settings.address.replace(/\/+$/, '');
  }

  async request(method: string, path: string, body?: unknown): Promise<ApiResponse> {
    let url = new URL(`${this.address}/v1/${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    for (let redirects = 0; ; redirects++) {
      const response = await this.#send(method, url, payload);
      const location = response.headers.location;
      if (REDIRECT_STATUSES.has(response.status) && location !== undefined && redirects < MAX_REDIRECTS) {
        url = new URL(location, url);
        continue;
      }
      const parsed = parseJson(response.text);
      if (response.status >= 400) throw apiError(method, url, response.status, parsed);
      return { status: response.status, body: parsed };
    }
  }

  /** GET returning the JSON object body (an empty object when there is none). */
  async read(path: string): Promise<Record<string, unknown>> {
    return objectOf((await this.request('GET', path)).body);
  }

  async write(path: string, body: unknown = {}): Promise<Record<string, unknown>> {
    return objectOf((await this.request('PUT', path, body)).body);
  }

  #send(method: string, url: URL, payload: Buffer | undefined): Promise<RawResponse> {
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    if (this.#settings.token !== undefined) headers['X-Vault-Token'] = this.#settings.token;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const options: RequestOptions & { ca?: Buffer; rejectUnauthorized?: boolean } = {
      method,
      headers,
      timeout: TIMEOUT_MS,
    };
    const https = url.protocol === 'https:';
    if (https) {
      if (this.#settings.caCert !== undefined) options.ca = this.#settings.caCert;
      options.rejectUnauthorized = !this.#settings.skipVerify;
    }
    return new Promise((resolve, reject) => {
      const failed = (error: unknown): void => reject(transportError(method, url, error));
      const request = (https ? httpsRequest : httpRequest)(url, options, (response) => {
        readAll(response).then((text) => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }), failed);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${TIMEOUT_MS / 1000}s`)));
      request.on('error', failed);
      request.end(payload);
    });
  }
}

interface RawResponse {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly text: string;
}

function readAll(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    response.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function apiError(method: string, url: URL, status: number, body: unknown): SealboxError {
  const errors = objectOf(body)['errors'];
  const messages = Array.isArray(errors) ? errors.map(String) : [];
  const listed = messages.length === 0 ? '' : `\n\n${messages.map((message) => `* ${message}`).join('\n')}`;
  const code = CODE_BY_STATUS[status] ?? 'internal';
  return new SealboxError(
    code,
    `Error making API request.\n\nURL: ${method} ${url.href}\nCode: ${status}. Errors:${listed}`,
    { expose: true },
  );
}

function transportError(method: string, url: URL, error: unknown): SealboxError {
  const reason = error instanceof Error ? error.message : describeError(error);
  const verb = method.charAt(0) + method.slice(1).toLowerCase();
  return new SealboxError('internal', `${verb} "${url.href}": ${reason}`, { cause: error, expose: true });
}
