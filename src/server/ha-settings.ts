import { SealboxError } from '../lib/errors.ts';
import type { ServerConfig } from './config/server-config.ts';
import type { HaSettings } from './core/ha/ha-node.ts';
import type { RunningListener } from './http/listener.ts';
import type { FencedBackend } from './storage/fenced-backend.ts';
import type { PhysicalBackend } from './storage/physical-backend.ts';
import { isHALock, isWatchable } from './storage/physical-backend.ts';

/** HA is on when the storage block enables it, as Vault's etcd `ha_enabled`. */
export function haSettings(
  config: ServerConfig,
  storage: PhysicalBackend,
  fence: FencedBackend,
  listeners: readonly RunningListener[],
): HaSettings | undefined {
  if (config.storage.type !== 'etcd' || !config.storage.haEnabled) return undefined;
  if (!isHALock(storage) || !isWatchable(storage)) {
    throw new SealboxError('config_invalid', `storage "${storage.type}" cannot hold an HA lock`);
  }
  return {
    lock: storage,
    watcher: storage,
    fence,
    lockTtlSeconds: config.storage.lockTtlSeconds,
    addresses: () => {
      // Like Vault, api_addr defaults to this node's own listener.
      const api = config.apiAddr ?? listeners[0]?.url ?? '';
      return { api, cluster: config.clusterAddr ?? api };
    },
  };
}
