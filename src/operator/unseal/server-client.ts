import { request as httpRequest } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

/** How the operator reaches one server pod: its own address, never a Service. */
export interface PodAddress {
  readonly pod: string;
  /** e.g. http://10.0.0.7:8200 */
  readonly url: string;
  /** The name the pod's certificate is checked against, with TLS. */
  readonly serverName?: string;
}

export interface ServerAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export interface ServerClientOptions {
  /** PEM of the CA the servers' certificates chain to, with TLS. */
  readonly caCert?: string;
  readonly timeoutMs?: number;
}

/**
 * A small HTTP(S) client for the Sealbox API of one pod: JSON in and out, no redirects followed
 * (a standby's 307 is an answer here), bounded by a timeout. Transport failures reject; HTTP
 * errors are answers. Bodies may hold keys and tokens: they are never logged here.
 */
export class ServerClient {
  readonly #caCert: string | undefined;
  readonly #timeoutMs: number;

  constructor(options: ServerClientOptions = {}) {
    this.#caCert = options.caCert;
    this.#timeoutMs = options.timeoutMs ?? 5000;
  }

  call(pod: PodAddress, method: string, path: string, body?: unknown, token?: string): Promise<ServerAnswer> {
    const url = new URL(`${pod.url}/v1/${path}`);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    if (token !== undefined) headers['X-Vault-Token'] = token;
    if (payload !== undefined) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const https = url.protocol === 'https:';
    const tls = https ? { ...(this.#caCert === undefined ? {} : { ca: this.#caCert }), ...(pod.serverName === undefined ? {} : { servername: pod.serverName }) } : {};
    return new Promise((resolve, reject) => {
      const request = (https ? httpsRequest : httpRequest)(url, { method, headers, timeout: this.#timeoutMs, ...tls }, (response) => {
        readJson(response).then((parsed) => resolve({ status: response.statusCode ?? 0, body: parsed }), reject);
      });
      request.on('timeout', () => request.destroy(new Error(`${pod.pod}: no answer within ${this.#timeoutMs} ms`)));
      request.on('error', (error) => reject(new Error(`${pod.pod}: ${method} ${url.pathname}: ${error.message}`)));
      request.end(payload);
    });
  }
}

function readJson(response: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
        resolve(parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {});
      } catch {
        resolve({});
      }
    });
    response.on('error', reject);
  });
}

/** The first error message of a Vault error body, for conditions and logs (never carries secrets). */
export function errorText(answer: ServerAnswer): string {
  const errors = answer.body['errors'];
  const first = Array.isArray(errors) && errors.length > 0 ? String(errors[0]) : '';
  return first === '' ? `HTTP ${answer.status}` : `HTTP ${answer.status}: ${first}`;
}
