import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import type { ParsedUrlQuery } from 'node:querystring';
import type { Context } from 'koa';
import { SealboxError } from '../../lib/errors.ts';
import { parseGoBool } from '../../lib/parse-bool.ts';
import type { Core } from '../core/core.ts';
import type { HealthStatus } from '../core/node-status.ts';
import type { HttpTelemetry } from '../metrics/telemetry.ts';
import { sendJson } from './respond.ts';

const HEALTH_PATH = '/v1/sys/health';

/** The status codes a caller asked for (Vault's sys/health parameters), or Vault's defaults. */
interface HealthCodes {
  readonly standbyOk: boolean;
  readonly uninit: number;
  readonly sealed: number;
  readonly standby: number;
  readonly active: number;
}

/** GET and HEAD /v1/sys/health in the Koa app (sys-routes.ts). */
export function healthHandler(core: Core) {
  return async (ctx: Context): Promise<void> => {
    const codes = healthCodes(ctx.query);
    const status = await core.health();
    const code = codeFor(status, codes);
    if (ctx.method === 'HEAD') {
      ctx.status = code;
      ctx.set('Content-Type', 'application/json');
      return;
    }
    sendJson(ctx, code, status);
  };
}

/**
 * Answers GET and HEAD /v1/sys/health before the Koa app: load balancers and probes ask every
 * node every few seconds, and Koa's middleware chain cost more than the answer. Anything else, a
 * malformed parameter or a failure to read the node's state goes on to `next` (the Koa app),
 * whose route answers it, or its error, the same way; nothing is written before that decision.
 */
export function fastHealth(core: Core, telemetry: HttpTelemetry, next: RequestListener): RequestListener {
  return (request, response) => {
    const codes = healthRequest(request);
    if (codes === undefined) return next(request, response);
    core.health().then(
      (status) => answer(telemetry, request, response, codeFor(status, codes), status),
      () => next(request, response),
    ).catch(() => response.destroy());
  };
}

function healthRequest({ method, url = '' }: IncomingMessage): HealthCodes | undefined {
  if (method !== 'GET' && method !== 'HEAD') return undefined;
  const queryStart = url.indexOf('?');
  if ((queryStart === -1 ? url : url.slice(0, queryStart)) !== HEALTH_PATH) return undefined;
  try {
    return healthCodes(parseQuery(queryStart === -1 ? '' : url.slice(queryStart + 1)));
  } catch {
    return undefined;
  }
}

/** The headers the Koa app's middleware would set (app.ts), and respond.ts's content type. */
function answer(telemetry: HttpTelemetry, request: IncomingMessage, response: ServerResponse, code: number, status: HealthStatus): void {
  telemetry.requestStarted();
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Content-Type', 'application/json');
  if (request.method === 'HEAD') {
    response.writeHead(code).end();
  } else {
    const body = JSON.stringify(status);
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.writeHead(code).end(body);
  }
  telemetry.requestFinished(code);
}

function codeFor(status: HealthStatus, codes: HealthCodes): number {
  if (!status.initialized) return codes.uninit;
  if (status.sealed) return codes.sealed;
  if (status.standby && !codes.standbyOk) return codes.standby;
  return codes.active;
}

/** Vault checks every parameter it knows, also those of features it does not have here. */
function healthCodes(query: ParsedUrlQuery): HealthCodes {
  boolParam(query, 'perfstandbyok');
  for (const name of ['drsecondarycode', 'performancestandbycode', 'haunhealthycode', 'removedcode']) codeParam(query, name, 0);
  return {
    standbyOk: boolParam(query, 'standbyok'),
    uninit: codeParam(query, 'uninitcode', 501),
    sealed: codeParam(query, 'sealedcode', 503),
    standby: codeParam(query, 'standbycode', 429),
    active: codeParam(query, 'activecode', 200),
  };
}

function single(query: ParsedUrlQuery, name: string): string | undefined {
  const value = query[name];
  return Array.isArray(value) ? value[0] : value;
}

function boolParam(query: ParsedUrlQuery, name: string): boolean {
  const value = single(query, name);
  if (value === undefined) return false;
  const parsed = parseGoBool(value);
  if (parsed === undefined) throw new SealboxError('invalid_request', `bad value for ${name} parameter`);
  return parsed;
}

function codeParam(query: ParsedUrlQuery, name: string, fallback: number): number {
  const value = single(query, name);
  if (value === undefined) return fallback;
  const code = Number(value);
  if (!/^\d+$/.test(value) || code < 100 || code > 599) {
    throw new SealboxError('invalid_request', `bad code value for ${name} parameter`);
  }
  return code;
}
