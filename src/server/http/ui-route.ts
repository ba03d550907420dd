import type { Context, Next } from 'koa';
import { readFile, stat } from 'node:fs/promises';
import { extname, relative, resolve, sep } from 'node:path';
import { SealboxError } from '../../lib/errors.ts';
import { sendErrors } from './respond.ts';

export interface UiRouteOptions {
  /** The config's `ui`: off, /ui is an unknown path like any other. */
  readonly enabled: boolean;
  /** The Vite build output (ui/dist); it may be missing when the UI was never built. */
  readonly distDir: string;
}

const PREFIX = '/ui/';

/**
 * The UI only ever loads its own files and talks to /v1: nothing inline, nothing from elsewhere,
 * no framing. A script injected into a secret's value cannot run under this.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Vite names the files under assets/ by their content hash, so a browser may keep them forever. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * Serves the web UI as Vault does: `/` and `/ui` redirect to `/ui/`, files come from the build
 * output, and any other path under /ui/ that is not a file gets index.html so that the UI's own
 * routes survive a reload. Only GET and HEAD; everything else falls through to the API.
 */
export function uiRoute(options: UiRouteOptions) {
  const root = resolve(options.distDir);
  return async (ctx: Context, next: Next): Promise<void> => {
    if (!options.enabled) return next();
    if (ctx.path === '/' || ctx.path === '/ui') {
      if (!isReadMethod(ctx.method)) return next();
      return redirect(ctx, PREFIX);
    }
    if (!ctx.path.startsWith(PREFIX)) return next();
    if (!isReadMethod(ctx.method)) return sendErrors(ctx, 405, []);
    await serve(ctx, root, ctx.path.slice(PREFIX.length));
  };
}

function isReadMethod(method: string): boolean {
  return method === 'GET' || method === 'HEAD';
}

function redirect(ctx: Context, location: string): void {
  // Body first: Koa turns a null body into 204 unless the status comes after it.
  ctx.body = null;
  ctx.status = 307;
  ctx.set('Location', location);
}

async function serve(ctx: Context, root: string, requested: string): Promise<void> {
  const index = resolve(root, 'index.html');
  const file = requested === '' ? index : insideRoot(root, requested);
  if (file !== undefined && (await isFile(file))) return sendFile(ctx, file, isHashedAsset(root, file));
  // A path that names a file (it has an extension) is a missing asset, not a client-side route:
  // answering it with HTML would only hide the mistake.
  if (extname(requested) !== '') return sendErrors(ctx, 404, []);
  if (!(await isFile(index))) {
    throw new SealboxError('not_found', 'the web UI is not built: run `npm run build:ui` and restart the server');
  }
  await sendFile(ctx, index, false);
}

/** The absolute path of a request below the root, or undefined for anything that escapes it. */
export function insideRoot(root: string, requested: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(requested);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = resolve(root, decoded);
  const rel = relative(root, file);
  if (rel === '' || rel.startsWith('..') || rel.startsWith(sep) || resolve(root, rel) !== file) return undefined;
  return file;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

function isHashedAsset(root: string, file: string): boolean {
  return relative(root, file).startsWith(`assets${sep}`);
}

async function sendFile(ctx: Context, file: string, immutable: boolean): Promise<void> {
  const body = await readFile(file);
  ctx.status = 200;
  ctx.set('Content-Type', CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream');
  ctx.set('Cache-Control', immutable ? IMMUTABLE : 'no-store');
  ctx.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('X-Frame-Options', 'DENY');
  ctx.set('Referrer-Policy', 'no-referrer');
  ctx.set('Cross-Origin-Opener-Policy', 'same-origin');
  ctx.body = body;
}
