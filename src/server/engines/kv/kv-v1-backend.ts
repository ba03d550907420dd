import { parseDurationMs } from '../../../lib/duration.ts';
import type { BackendContext, LogicalBackend } from '../../logical/logical-backend.ts';
import { PathTable } from '../../logical/path-table.ts';
import { tableBackend } from '../../logical/table-backend.ts';
import { passthroughRoutes } from './passthrough-routes.ts';
import { SYSTEM_DEFAULT_LEASE_TTL } from '../../system/ttl-defaults.ts';

/**
 * KV version 1: secrets stored under their own path in the mount's view. A read reports the
 * secret's own `ttl` (or legacy `lease`) field as lease_duration, as a hint to re-read, and
 * otherwise the mount's default TTL; no lease is created.
 */
export function createKvV1Backend(context: BackendContext): LogicalBackend {
  const mountDefault = context.mount.config.default_lease_ttl > 0 ? context.mount.config.default_lease_ttl : SYSTEM_DEFAULT_LEASE_TTL;
  const leaseDuration = (stored: Readonly<Record<string, unknown>>): number => {
    const hint = stored['ttl'] !== undefined ? stored['ttl'] : stored['lease'];
    const ms = hint === undefined ? undefined : parseDurationMs(hint);
    return ms === undefined ? mountDefault : Math.floor(ms / 1000);
  };
  return tableBackend(new PathTable(passthroughRoutes({ scope: () => '', leaseDuration })));
}
