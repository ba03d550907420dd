import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface HealthChecks {
  /** Alive: informers are running (not stuck after an error). */
  readonly live: () => boolean;
  /** Ready: every informer has listed once. */
  readonly ready: () => boolean;
  readonly registry: Registry;
}

export interface HealthServer {
  /** host:port it listens on. */
  readonly address: string;
  close(): Promise<void>;
}

/** /healthz, /readyz and /metrics of the operator, on one plain HTTP port. */
export async function startHealthServer(listen: string, checks: HealthChecks): Promise<HealthServer> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    const answer = (ok: boolean) => {
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' });
      response.end(ok ? 'ok\n' : 'not ok\n');
    };
    if (path === '/healthz') return answer(checks.live());
    if (path === '/readyz') return answer(checks.ready());
    if (path === '/metrics') {
      checks.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'Content-Type': checks.registry.contentType });
          response.end(text);
        },
        () => answer(false),
      );
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' });
    response.end('not found\n');
  });
  const { host, port } = splitListen(listen);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  return {
    address: `${bound.address.includes(':') ? `[${bound.address}]` : bound.address}:${bound.port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

function splitListen(listen: string): { host: string; port: number } {
  const index = listen.lastIndexOf(':');
  const host = listen.slice(0, index).replace(/^\[|\]$/g, '') || '0.0.0.0';
  return { host, port: Number(listen.slice(index + 1)) };
}
