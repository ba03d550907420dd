import type { Context } from 'koa';
import getRawBody from 'raw-body';
import { SealboxError } from '../../lib/errors.ts';
import type { JsonLimits } from './json-limits.ts';
import { checkJsonLimits, DEFAULT_JSON_LIMITS } from './json-limits.ts';

export type RequestData = Record<string, unknown>;

/**
 * Reads the request body within the listener's size limit and parses it as Vault does: JSON
 * object, or a form when the content type says so and the body does not look like JSON.
 * An empty body is no data.
 */
export async function readBody(ctx: Context, limit: number, jsonLimits: JsonLimits = DEFAULT_JSON_LIMITS): Promise<RequestData> {
  const raw = await readRaw(ctx, limit);
  const text = raw.toString('utf8').trim();
  // The Go client sends `null` for a write without data.
  if (text === '' || text === 'null') return {};
  if (isForm(ctx) && !text.startsWith('{') && !text.startsWith('[')) return parseForm(text);
  const data = parseJsonObject(text);
  checkJsonLimits(data, jsonLimits);
  return data;
}

async function readRaw(ctx: Context, limit: number): Promise<Buffer> {
  try {
    const length = ctx.get('Content-Length');
    return await getRawBody(ctx.req, length === '' ? { limit } : { limit, length });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') throw new SealboxError('payload_too_large', 'http: request body too large');
    if (type === 'request.aborted') throw new SealboxError('invalid_request', 'request aborted by the client');
    throw new SealboxError('invalid_request', `failed to read request body: ${(error as Error).message}`);
  }
}

function isForm(ctx: Context): boolean {
  return ctx.request.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded';
}

function parseJsonObject(text: string): RequestData {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SealboxError('invalid_request', `failed to parse JSON input: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new SealboxError('invalid_request', 'failed to parse JSON input: the body must be a JSON object');
  }
  return parsed as RequestData;
}

/** Repeated keys are joined with ',' as Vault does. */
function parseForm(text: string): RequestData {
  const data: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    data[key] = data[key] === undefined ? value : `${data[key]},${value}`;
  }
  return data;
}
