import type { Context } from 'koa';
import { SealboxError } from '../../lib/errors.ts';
import { parseGoBool } from '../../lib/parse-bool.ts';
import { uuid } from '../../lib/random-id.ts';
import type { Core } from '../core/core.ts';
import type { LogicalRequest } from '../logical/logical-request.ts';
import type { Operation } from '../logical/operation.ts';
import type { JsonLimits } from './json-limits.ts';
import { envelope, isEmptyResult } from './envelope.ts';
import type { RequestData } from './read-body.ts';
import { readBody } from './read-body.ts';
import { requestToken } from './request-token.ts';
import { sendErrors, sendJson, sendNoContent } from './respond.ts';

const MERGE_PATCH = 'application/merge-patch+json';

/** Every /v1 path that is not a raw sys handler: translate, hand to the core, render the envelope. */
export function logicalRoute(core: Core, maxRequestSize: number, jsonLimits?: JsonLimits) {
  return async (ctx: Context): Promise<void> => {
    if (!ctx.path.startsWith('/v1/')) return sendErrors(ctx, 404, []);
    const request = await translate(ctx, maxRequestSize, jsonLimits);
    const { response, mountType } = await core.handleRequest(request);
    if (response?.status !== undefined) return sendJson(ctx, response.status, envelope(request.id, response, mountType));
    if (request.operation === 'read' || request.operation === 'list') {
      if (isEmptyResult(response, request.operation)) return sendErrors(ctx, 404, []);
    }
    if (response === undefined) return sendNoContent(ctx);
    sendJson(ctx, 200, envelope(request.id, response, mountType));
  };
}

async function translate(ctx: Context, maxRequestSize: number, jsonLimits: JsonLimits | undefined): Promise<LogicalRequest> {
  const query = queryData(ctx);
  const list = listFlag(query);
  delete query['list'];
  const operation = operationOf(ctx, list);
  const data = operation === 'read' || operation === 'list' || operation === 'delete' ? query : await bodyData(ctx, operation, maxRequestSize, jsonLimits);
  let path = decodeURIComponent(ctx.path.slice('/v1/'.length));
  if (operation === 'list' && !path.endsWith('/')) path += '/';
  return {
    id: uuid(),
    operation,
    path,
    data,
    clientToken: requestToken(ctx) ?? '',
    remoteAddress: ctx.req.socket.remoteAddress ?? '',
    remotePort: ctx.req.socket.remotePort ?? 0,
  };
}

function operationOf(ctx: Context, list: boolean): Operation {
  switch (ctx.method) {
    case 'GET':
    case 'HEAD':
      return list ? 'list' : 'read';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      throw new SealboxError('unsupported_operation', 'unsupported operation');
  }
}

async function bodyData(ctx: Context, operation: Operation, maxRequestSize: number, jsonLimits: JsonLimits | undefined): Promise<RequestData> {
  if (operation === 'patch') {
    const type = (ctx.get('Content-Type').split(';')[0] ?? '').trim().toLowerCase();
    if (type !== MERGE_PATCH) {
      throw new SealboxError('unsupported_media_type', `PATCH requires Content-Type of ${MERGE_PATCH}, provided ${ctx.get('Content-Type')}`);
    }
  }
  return readBody(ctx, maxRequestSize, jsonLimits);
}

/** Query parameters as request data: one value is a string, repeated values an array. */
function queryData(ctx: Context): RequestData {
  const data: RequestData = {};
  for (const [key, value] of Object.entries(ctx.query)) {
    if (key === 'help' || value === undefined) continue;
    data[key] = value;
  }
  return data;
}

function listFlag(query: RequestData): boolean {
  const raw = query['list'];
  if (raw === undefined) return false;
  // A LIST request arrives as ?list=true appended to whatever the client sent, so the last value wins.
  const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
  const parsed = typeof value === 'string' ? parseGoBool(value) : undefined;
  if (parsed === undefined) throw new SealboxError('invalid_request', 'invalid value for "list" parameter');
  return parsed;
}
