import type { Context, Next } from 'koa';
import { request as httpRequest } from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SealboxError } from '../../lib/errors.ts';
import type { Core } from '../core/core.ts';

/** What a standby answers itself (Vault's list); everything else belongs to the active node. */
const LOCAL_PATHS = new Set(['/v1/sys/health', '/v1/sys/seal-status', '/v1/sys/leader', '/v1/sys/init', '/v1/sys/unseal', '/v1/sys/metrics', '/v1/sys/seal']);
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer', 'host']);

export interface ForwardingOptions {
  /** Extra CA certificates to trust when the active node speaks TLS; asked per request, since SIGHUP may reload them. */
  readonly ca?: () => Buffer;
}

/**
 * On a standby, hands requests to the active node: a reverse proxy by default, since node-vault
 * does not follow a 307 on writes, or Vault's 307 when the client asks for no forwarding.
 */
export function standbyForwarding(core: Core, options: ForwardingOptions = {}) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (core.state !== 'standby' || LOCAL_PATHS.has(ctx.path) || !ctx.path.startsWith('/v1/')) return next();
    const redirect = ctx.get('X-Vault-No-Request-Forwarding') !== '';
    const active = await core.activeNode();
    if (active === undefined) {
      throw redirect
        ? new SealboxError('sealed', 'no active Vault instance found')
        : new SealboxError('standby', 'local node not active but active cluster node not found');
    }
    if (redirect) {
      ctx.body = null;
      ctx.status = 307;
      ctx.set('Location', new URL(ctx.url, active.apiAddress).toString());
      return;
    }
    await proxy(ctx, new URL(ctx.url, active.apiAddress), options);
  };
}

function proxy(ctx: Context, target: URL, options: ForwardingOptions): Promise<void> {
  const headers = forwardedHeaders(ctx.req.headers, ctx.req.socket.remoteAddress);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const upstream = send(target, { method: ctx.method, headers, ...(options.ca === undefined ? {} : { ca: options.ca() }) }, (response) => {
      ctx.status = response.statusCode ?? 502;
      for (const [name, value] of Object.entries(response.headers)) {
        if (value !== undefined && !HOP_BY_HOP.has(name)) ctx.set(name, value);
      }
      ctx.body = response;
      resolve();
    });
    upstream.on('error', (error) => reject(new SealboxError('standby', `forwarding to the active node failed: ${error.message}`, { cause: error })));
    ctx.req.pipe(upstream);
  });
}

function forwardedHeaders(incoming: IncomingHttpHeaders, remoteAddress: string | undefined): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value !== undefined && !HOP_BY_HOP.has(name)) headers[name] = value;
  }
  const forwardedFor = incoming['x-forwarded-for'];
  headers['x-forwarded-for'] = [forwardedFor, remoteAddress].filter((part) => part !== undefined && part !== '').join(', ');
  return headers;
}
