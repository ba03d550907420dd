import { SealboxError } from '../../../lib/errors.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import type { PathRoute } from '../../logical/path-table.ts';
import { assertSecretPath, listPrefix } from './secret-path.ts';

export interface PassthroughOptions {
  /** The storage key prefix of this request: '' for KV v1, the caller's own folder for cubbyhole. */
  readonly scope: (request: BackendRequest) => string;
  /** The lease_duration a read reports, from what was stored; absent reports none. */
  readonly leaseDuration?: (stored: Readonly<Record<string, unknown>>, request: BackendRequest) => number;
}

/**
 * Unversioned key-value paths (KV v1, cubbyhole): a write stores the request's JSON object as it
 * is, a read returns it verbatim, a list shows one level with folders ending in '/'.
 */
export function passthroughRoutes(options: PassthroughOptions): PathRoute[] {
  const keyOf = (request: BackendRequest, fields: FieldData): string | undefined => {
    const scope = options.scope(request);
    const path = fields.string('path') ?? '';
    if (path === '') return undefined;
    assertSecretPath(path);
    return scope + path;
  };

  const read = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> => {
    const key = keyOf(request, fields);
    if (key === undefined) return undefined;
    const stored = await getJson<Record<string, unknown>>(request.storage, key);
    if (stored === undefined) return undefined;
    if (options.leaseDuration === undefined) return { data: stored };
    return { data: stored, leaseDuration: options.leaseDuration(stored, request) };
  };

  const write = async (request: BackendRequest, fields: FieldData): Promise<undefined> => {
    const key = keyOf(request, fields);
    if (key === undefined) throw new SealboxError('invalid_request', 'missing path');
    if (Object.keys(request.data).length === 0) throw new SealboxError('invalid_request', 'missing data fields');
    await putJson(request.storage, key, request.data);
    return undefined;
  };

  const remove = async (request: BackendRequest, fields: FieldData): Promise<undefined> => {
    const key = keyOf(request, fields);
    if (key !== undefined) await request.storage.delete(key);
    return undefined;
  };

  const list = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse> => {
    const prefix = options.scope(request) + listPrefix(fields.string('path') ?? '');
    return { data: { keys: await request.storage.list(prefix) } };
  };

  const exists = async (request: BackendRequest, fields: FieldData): Promise<boolean> => {
    const key = keyOf(request, fields);
    return key !== undefined && (await request.storage.get(key)) !== undefined;
  };

  return [{ pattern: '(?<path>.*)', operations: { read, update: write, delete: remove, list }, exists }];
}
