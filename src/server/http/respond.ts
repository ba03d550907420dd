import type { Context } from 'koa';

/**
 * Writes a pre-serialized JSON body. Koa would add `; charset=utf-8`, and hvac reads the errors
 * array only when the content type is exactly application/json.
 */
export function sendJson(ctx: Context, status: number, body: unknown): void {
  ctx.status = status;
  ctx.body = JSON.stringify(body);
  ctx.set('Content-Type', 'application/json');
}

export function sendErrors(ctx: Context, status: number, errors: readonly string[]): void {
  sendJson(ctx, status, { errors });
}

export function sendNoContent(ctx: Context): void {
  ctx.status = 204;
  ctx.body = null;
}
