import type { RequestListener } from 'node:http';
import Koa from 'koa';
import type { Context, Next } from 'koa';
import { describeError, SealboxError } from '../../lib/errors.ts';
import { errorResponse } from '../../lib/http-status.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Core } from '../core/core.ts';
import type { HttpTelemetry, MetricsExposition } from '../metrics/telemetry.ts';
import { fastHealth } from './health-route.ts';
import { metricsRoute } from './metrics-route.ts';
import { sendErrors } from './respond.ts';
import { logicalRoute } from './logical-route.ts';
import type { JsonLimits } from './json-limits.ts';
import type { ForwardingOptions } from './standby-forwarding.ts';
import { standbyForwarding } from './standby-forwarding.ts';
import { sysRoutes } from './sys-routes.ts';
import type { UiRouteOptions } from './ui-route.ts';
import { uiRoute } from './ui-route.ts';

export interface AppOptions {
  readonly core: Core;
  readonly logger: Logger;
  readonly maxRequestSize: number;
  /** Vault's max_json_* listener limits; absent, Vault's defaults. */
  readonly jsonLimits?: JsonLimits;
  readonly metrics: HttpTelemetry & MetricsExposition;
  /** The listener's telemetry { unauthenticated_metrics_access }: sys/metrics without a token. */
  readonly unauthenticatedMetricsAccess: boolean;
  readonly forwarding?: ForwardingOptions;
  /** The web UI at /ui; absent, as with `ui = false`. */
  readonly ui?: UiRouteOptions;
}

const ALLOWED_METHODS = new Set(['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS']);

/** The listener's request handler: sys/health first (health-route.ts), then the Koa app. */
export function createRequestListener(options: AppOptions): RequestListener {
  return fastHealth(options.core, options.metrics, createApp(options).callback());
}

/** The Koa application: transport concerns only; every rule lives in the core. */
function createApp(options: AppOptions): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(countRequests(options.metrics));
  app.use(baseHeaders);
  app.use(errorEnvelope(options.logger));
  app.use(checkPath);
  app.use(metricsRoute({ metrics: options.metrics, ...metricsAuthorization(options) }));
  // Static files every node serves itself; the UI's /v1 calls are forwarded like any client's.
  if (options.ui !== undefined) app.use(uiRoute(options.ui));
  app.use(standbyForwarding(options.core, options.forwarding));
  const { jsonLimits } = options;
  const sys = sysRoutes({ core: options.core, maxRequestSize: options.maxRequestSize, ...(jsonLimits === undefined ? {} : { jsonLimits }) });
  app.use(sys.routes());
  app.use(logicalRoute(options.core, options.maxRequestSize, jsonLimits));
  return app;
}

/** vault_core_in_flight_requests and vault_core_response_status_code, for every request. */
function countRequests(telemetry: HttpTelemetry) {
  return async (ctx: Context, next: Next): Promise<void> => {
    telemetry.requestStarted();
    try {
      await next();
    } finally {
      telemetry.requestFinished(ctx.status);
    }
  };
}

function metricsAuthorization(options: AppOptions): { authorize?: (token: string) => Promise<void> } {
  if (options.unauthenticatedMetricsAccess) return {};
  return { authorize: (token) => options.core.authorize(token, 'sys/metrics', 'read') };
}

async function baseHeaders(ctx: Context, next: Next): Promise<void> {
  ctx.set('Cache-Control', 'no-store');
  await next();
}

function errorEnvelope(logger: Logger) {
  return async (ctx: Context, next: Next): Promise<void> => {
    try {
      await next();
    } catch (error) {
      const { status, errors } = errorResponse(error);
      if (status >= 500 && !(error instanceof SealboxError && error.expose === true)) {
        logger.error('request failed', { method: ctx.method, path: ctx.path, error: describeError(error) });
      }
      sendErrors(ctx, status, errors);
    }
  };
}

/** Vault refuses parent references and non-printable characters before routing. */
async function checkPath(ctx: Context, next: Next): Promise<void> {
  if (!ALLOWED_METHODS.has(ctx.method)) return sendErrors(ctx, 405, []);
  let path: string;
  try {
    path = decodeURIComponent(ctx.path);
  } catch {
    throw new SealboxError('invalid_request', 'path is not valid percent-encoded UTF-8');
  }
  if (/[\u0000-\u001f\u007f]/.test(path)) throw new SealboxError('invalid_request', 'path contains non-printable characters');
  if (path.split('/').includes('..')) throw new SealboxError('invalid_request', 'path cannot contain parent references');
  await next();
}
