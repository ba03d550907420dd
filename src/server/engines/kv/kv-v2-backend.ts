import type { BackendContext, LogicalBackend } from '../../logical/logical-backend.ts';
import { PathTable } from '../../logical/path-table.ts';
import { tableBackend } from '../../logical/table-backend.ts';
import { KeyedMutex } from '../../../lib/keyed-mutex.ts';
import { configRoute } from './v2/config-route.ts';
import { dataRoute } from './v2/data-route.ts';
import { metadataRoute } from './v2/metadata-route.ts';
import { subkeysRoute } from './v2/subkeys-route.ts';
import { versionRoutes } from './v2/version-routes.ts';
import type { VersionedKvContext } from './v2/versioned-kv-context.ts';

/** KV version 2: versioned secrets with metadata, check-and-set, soft delete and destroy. */
export function createKvV2Backend(context: BackendContext): LogicalBackend {
  const shared: VersionedKvContext = { now: context.now, locks: new KeyedMutex() };
  return tableBackend(
    new PathTable([configRoute(shared), dataRoute(shared), ...versionRoutes(shared), metadataRoute(shared), subkeysRoute(shared)]),
  );
}
