import { createHash } from 'node:crypto';
import { SealboxError } from '../../../lib/errors.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { deleteTree } from '../../barrier/secure-storage.ts';
import type { BackendFactory } from '../../logical/logical-backend.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import { PathTable } from '../../logical/path-table.ts';
import { passthroughRoutes } from '../kv/passthrough-routes.ts';
import { tableBackend } from '../../logical/table-backend.ts';

/**
 * Mount type `cubbyhole`: KV v1 paths private to the calling token. A read reports no lease.
 * Without a caller there is no cubbyhole: the existence check says absent and handlers refuse.
 */
export const cubbyholeFactory: BackendFactory = () => {
  const table = new PathTable(passthroughRoutes({ scope: scopeOf }));
  return {
    ...tableBackend(table),
    exists: async (request) => (request.caller === undefined ? false : table.exists(request)),
  };
};

/** Removes everything in the cubbyhole of the token with `accessor`; the core calls it on revocation. */
export async function destroyCubbyhole(storage: SecureStorage, accessor: string): Promise<void> {
  await deleteTree(storage, cubbyholeScope(accessor));
}

/**
 * The storage folder of one token's cubbyhole. Vault keys cubbyholes by the token itself; here the
 * key is a SHA-256 of the token's accessor, so no storage key carries a token or an accessor.
 */
function cubbyholeScope(accessor: string): string {
  return `${createHash('sha256').update(accessor).digest('hex')}/`;
}

function scopeOf(request: BackendRequest): string {
  if (request.caller === undefined) throw new SealboxError('invalid_request', 'client token empty');
  return cubbyholeScope(request.caller.entry.accessor);
}
