import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestPki } from './test-ca.ts';

/** A service account the server knows a token of. */
export interface KnownAccount {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
  /** The audiences the token was issued for. */
  readonly audiences: readonly string[];
}

export interface RecordedReview {
  readonly bearer: string;
  readonly token: string;
  readonly audiences: readonly string[] | undefined;
}

const REVIEW_PATH = '/apis/authentication.k8s.io/v1/tokenreviews';

/**
 * The TokenReview endpoint of a Kubernetes API server, over HTTPS on 127.0.0.1, with the answers
 * kube-apiserver gives: a 401 Status for a caller it does not know, `authenticated: false` for a
 * token it does not know, an error when the requested audiences miss the token's, and the service
 * account's username and UID otherwise.
 */
export class TokenReviewServer {
  readonly reviews: RecordedReview[] = [];
  readonly #server: https.Server;
  readonly #bearers = new Set<string>();
  readonly #tokens = new Map<string, KnownAccount>();

  private constructor(pki: TestPki) {
    this.#server = https.createServer({ cert: pki.serverCert, key: pki.serverKey }, (request, response) => {
      this.#handle(request, response).catch(() => respond(response, 500, status(500, 'InternalError', 'internal error')));
    });
  }

  static async start(pki: TestPki): Promise<TokenReviewServer> {
    const server = new TokenReviewServer(pki);
    await new Promise<void>((resolve) => server.#server.listen(0, '127.0.0.1', resolve));
    return server;
  }

  get url(): string {
    return `https://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** A bearer that may call TokenReview (a reviewer JWT, or a token allowed to review itself). */
  allowBearer(bearer: string): void {
    this.#bearers.add(bearer);
  }

  addToken(token: string, account: KnownAccount): void {
    this.#tokens.set(token, account);
  }

  reviewsOf(token: string): RecordedReview[] {
    return this.reviews.filter((review) => review.token === token);
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (request.method !== 'POST' || request.url !== REVIEW_PATH) {
      respond(response, 404, status(404, 'NotFound', 'the server could not find the requested resource'));
      return;
    }
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
    const body = JSON.parse(await readBody(request)) as { spec?: { token?: string; audiences?: string[] } };
    const token = body.spec?.token ?? '';
    this.reviews.push({ bearer, token, audiences: body.spec?.audiences });
    if (!this.#bearers.has(bearer)) {
      respond(response, 401, status(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    respond(response, 201, {
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: body.spec ?? {},
      status: this.#review(token, body.spec?.audiences),
    });
  }

  #review(token: string, requested: readonly string[] | undefined): Record<string, unknown> {
    const account = this.#tokens.get(token);
    if (account === undefined) return { user: {} };
    const audiences = requested === undefined || requested.length === 0
      ? account.audiences
      : account.audiences.filter((audience) => requested.includes(audience));
    if (audiences.length === 0) {
      return { user: {}, error: '[invalid bearer token, token audiences are invalid for the target audiences]' };
    }
    return {
      authenticated: true,
      user: {
        username: `system:serviceaccount:${account.namespace}:${account.name}`,
        uid: account.uid,
        groups: ['system:serviceaccounts', `system:serviceaccounts:${account.namespace}`, 'system:authenticated'],
      },
      audiences,
    };
  }
}

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function respond(response: ServerResponse, code: number, body: unknown): void {
  response.writeHead(code, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
