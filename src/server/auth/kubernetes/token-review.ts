import http from 'node:http';
import https from 'node:https';
import { SealboxError, describeError } from '../../../lib/errors.ts';
import { apiBaseUrl } from './kube-config.ts';

export interface TokenReviewRequest {
  /** `kubernetes_host` as configured. */
  readonly host: string;
  /** PEM bundle to trust; undefined trusts the system's CAs. */
  readonly caCert: string | undefined;
  /** Bearer of the call: the reviewer JWT, or the login JWT itself. */
  readonly bearer: string;
  /** The JWT under review. */
  readonly token: string;
  /** Requested audiences; empty to leave `spec.audiences` out. */
  readonly audiences: readonly string[];
}

/** The service account the API server says the token belongs to. */
export interface ReviewedServiceAccount {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

interface HttpAnswer {
  readonly status: number;
  readonly body: string;
}

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';
/** A TokenReview answer is a few hundred bytes; anything this large is not one. */
const MAX_RESPONSE_BYTES = 1024 * 1024;
const UNAUTHORIZED = 'lookup failed: service account unauthorized; this could mean it has been deleted or recreated with a new token';

/**
 * Asks the Kubernetes API server, with a TokenReview, whether a service account JWT is live.
 * Keeps one keep-alive agent for the current host and CA, so logins do not pay a TLS handshake
 * each. Every refusal is a permission_denied SealboxError carrying the reason for the log.
 */
export class TokenReviewer {
  readonly #timeoutMs: number;
  #agent: { readonly key: string; readonly agent: http.Agent } | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  async review(request: TokenReviewRequest): Promise<ReviewedServiceAccount> {
    const answer = await this.#post(request);
    return interpret(answer, request.audiences);
  }

  /** Closes idle connections; called when the mount goes away or the node seals. */
  close(): void {
    this.#agent?.agent.destroy();
    this.#agent = undefined;
  }

  async #post(request: TokenReviewRequest): Promise<HttpAnswer> {
    const base = apiBaseUrl(request.host);
    const url = new URL(base.pathname.replace(/\/+$/, '') + REVIEW_PATH, base);
    const body = JSON.stringify({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      spec: { token: request.token, ...(request.audiences.length === 0 ? {} : { audiences: request.audiences }) },
    });
    const transport = url.protocol === 'https:' ? https : http;
    try {
      return await new Promise<HttpAnswer>((resolve, reject) => {
        const outgoing = transport.request(url, {
          method: 'POST',
          agent: this.#agentFor(url, request.caCert),
          headers: {
            authorization: `Bearer ${request.bearer}`,
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': Buffer.byteLength(body),
          },
          timeout: this.#timeoutMs,
          signal: AbortSignal.timeout(this.#timeoutMs),
        }, (response) => collect(response, resolve, reject));
        outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${this.#timeoutMs} ms`)));
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    } catch (error) {
      throw denied(`lookup failed: ${describeError(error)}`);
    }
  }

  #agentFor(url: URL, caCert: string | undefined): http.Agent {
    const key = `${url.origin}\n${caCert ?? ''}`;
    if (this.#agent?.key === key) return this.#agent.agent;
    this.#agent?.agent.destroy();
    const agent = url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, minVersion: 'TLSv1.2', ...(caCert === undefined ? {} : { ca: caCert }) })
      : new http.Agent({ keepAlive: true });
    this.#agent = { key, agent };
    return agent;
  }
}

function collect(response: http.IncomingMessage, resolve: (answer: HttpAnswer) => void, reject: (error: Error) => void): void {
  const chunks: Buffer[] = [];
  let size = 0;
  response.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) response.destroy(new Error('TokenReview response too large'));
    else chunks.push(chunk);
  });
  response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
  response.on('error', reject);
}

/** Vault's reading of the answer (vault-plugin-auth-kubernetes token_review.go). */
function interpret(answer: HttpAnswer, audiences: readonly string[]): ReviewedServiceAccount {
  const body = parseObject(answer.body);
  if (answer.status < 200 || answer.status > 206) {
    if (answer.status === 401) throw denied(UNAUTHORIZED);
    throw denied(`lookup failed: TokenReview answered HTTP ${answer.status}${statusMessage(body)}`);
  }
  if (body === undefined) throw denied('lookup failed: the TokenReview answer is not a JSON object');
  if (body['kind'] === 'Status' && body['status'] !== 'Success') {
    if (body['code'] === 401) throw denied(UNAUTHORIZED);
    throw denied(`lookup failed:${statusMessage(body)}`);
  }
  const status = objectOf(body['status']) ?? {};
  if (typeof status['error'] === 'string' && status['error'] !== '') throw denied(`lookup failed: ${status['error']}`);
  if (status['authenticated'] !== true) throw denied('lookup failed: service account jwt not valid');
  if (audiences.length > 0) {
    const granted = Array.isArray(status['audiences']) ? status['audiences'] : [];
    if (!audiences.some((audience) => granted.includes(audience))) throw denied('lookup failed: token review audiences do not match');
  }
  const user = objectOf(status['user']) ?? {};
  const parts = (typeof user['username'] === 'string' ? user['username'] : '').split(':');
  if (parts.length !== 4) throw denied('lookup failed: unexpected username format');
  if (parts[0] !== 'system' || parts[1] !== 'serviceaccount') throw denied('lookup failed: username returned is not a service account');
  return { namespace: parts[2] ?? '', name: parts[3] ?? '', uid: typeof user['uid'] === 'string' ? user['uid'] : '' };
}

function statusMessage(body: Record<string, unknown> | undefined): string {
  const message = body?.['message'];
  return typeof message === 'string' && message !== '' ? ` ${message}` : '';
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    return objectOf(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function objectOf(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function denied(reason: string): SealboxError {
  return new SealboxError('permission_denied', reason);
}
