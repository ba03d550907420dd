import Koa from 'koa';
import type { Context, Next } from 'koa';
import type { MetricsExposition } from '../metrics/telemetry.ts';
import { requestToken } from './request-token.ts';
import { sendErrors, sendJson } from './respond.ts';

const METRICS_PATH = '/v1/sys/metrics';
/** The conventional scrape path, served by the separate metrics listener only. */
const SCRAPE_PATH = '/metrics';
const PROMETHEUS = 'prometheus';
/** What Prometheus sends first in Accept. */
const OPENMETRICS_TYPE = 'application/openmetrics-text';
const PROMETHEUS_SCHEMA_TYPE = 'prometheus/telemetry';
const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

export interface MetricsRouteOptions {
  readonly metrics: MetricsExposition;
  /**
   * Throws unless the token may read sys/metrics; undefined on a listener with
   * telemetry { unauthenticated_metrics_access }.
   */
  readonly authorize?: (token: string) => Promise<void>;
}

/**
 * GET /v1/sys/metrics, answered by this node whatever its HA role (vault-api.md 12.1): Prometheus
 * text for ?format=prometheus or a Prometheus Accept header, Vault's in-memory JSON otherwise.
 */
export function metricsRoute(options: MetricsRouteOptions) {
  return async (ctx: Context, next: Next): Promise<void> => {
    if (ctx.path !== METRICS_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return sendErrors(ctx, 405, ['unsupported operation']);
    await options.authorize?.(requestToken(ctx) ?? '');
    await sendMetrics(ctx, options.metrics, requestedFormat(ctx));
  };
}

/**
 * The separate, unauthenticated metrics listener (telemetry { metrics_address }) that a sidecar or
 * ServiceMonitor scrapes: Prometheus text on /metrics, and /v1/sys/metrics as on the API listener.
 */
export function metricsApp(metrics: MetricsExposition): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(async (ctx, next) => {
    ctx.set('Cache-Control', 'no-store');
    if (ctx.path !== SCRAPE_PATH) return next();
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return sendErrors(ctx, 405, []);
    await sendMetrics(ctx, metrics, PROMETHEUS);
  });
  app.use(metricsRoute({ metrics }));
  app.use(async (ctx) => sendErrors(ctx, 404, []));
  return app;
}

/** Vault's metricsutil.FormatFromRequest: the format parameter, else the Accept header lines. */
function requestedFormat(ctx: Context): string {
  const parameter = ctx.query['format'];
  const format = Array.isArray(parameter) ? parameter[0] : parameter;
  if (format !== undefined && format !== '') return format;
  const accept = ctx.req.headersDistinct['accept'] ?? [];
  if (accept[0]?.startsWith(OPENMETRICS_TYPE) === true) return PROMETHEUS;
  return accept.some((line) => line.includes(PROMETHEUS_SCHEMA_TYPE)) ? PROMETHEUS : '';
}

async function sendMetrics(ctx: Context, metrics: MetricsExposition, format: string): Promise<void> {
  if (format === '') return sendJson(ctx, 200, await metrics.inmemSummary());
  if (format !== PROMETHEUS) return sendText(ctx, 400, 'text/plain', `metric response format ${JSON.stringify(format)} unknown`);
  if (!metrics.prometheusEnabled) return sendText(ctx, 400, 'text/plain', 'prometheus is not enabled');
  sendText(ctx, 200, PROMETHEUS_CONTENT_TYPE, await metrics.prometheusText());
}

function sendText(ctx: Context, status: number, contentType: string, body: string): void {
  ctx.status = status;
  ctx.body = body;
  // After the body, which would otherwise set its own text/plain with a charset.
  ctx.set('Content-Type', contentType);
}
