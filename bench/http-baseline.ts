import Router from '@koa/router';
import Koa from 'koa';
import type { Context, Next } from 'koa';
import { Counter, Registry } from 'prom-client';
import { createLogger } from '../src/lib/logger.ts';

/**
 * R_http: Koa with middleware of the same shape as the server's (request counter, headers, error
 * envelope, path check, router) and a constant JSON route; no core behind it.
 */
const logger = createLogger({ level: 'info' });
const registry = new Registry();
const requests = new Counter({ name: 'bench_requests_total', help: 'requests', labelNames: ['method'], registers: [registry] });
const app = new Koa();
app.use(async (ctx: Context, next: Next) => {
  requests.inc({ method: ctx.method });
  await next();
});
app.use(async (ctx: Context, next: Next) => {
  ctx.set('Cache-Control', 'no-store');
  await next();
});
app.use(async (ctx: Context, next: Next) => {
  try {
    await next();
  } catch (error) {
    logger.error('request failed', { error: String(error) });
    ctx.status = 500;
    ctx.body = { errors: ['internal error'] };
  }
});
app.use(async (ctx: Context, next: Next) => {
  if (!ctx.path.startsWith('/v1/')) {
    ctx.status = 404;
    return;
  }
  await next();
});
const router = new Router();
router.get('/v1/constant', (ctx) => {
  ctx.body = { request_id: '00000000-0000-0000-0000-000000000000', data: { value: 'constant' }, warnings: null };
});
app.use(router.routes());
const server = app.listen(0, '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`listening http://127.0.0.1:${address.port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
