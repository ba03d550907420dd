import type { Storage } from '../storage/create-storage.ts';
import type { RevisionedWrites, TxnCondition, TxnOperation } from '../storage/physical-backend.ts';
import { hasRevisionedWrites } from '../storage/physical-backend.ts';
import { decorate } from './decorate.ts';
import type { StorageTelemetry } from './telemetry.ts';
import { timedCall } from './timed-call.ts';

/**
 * `storage` with its data calls timed into vault_<type>_get|put|delete|list|transaction, and
 * failures to reach it counted in vault_<type>_errors (a revisioned commit as a transaction). The
 * optional abilities (HA lock, watch) pass through untimed, and only when the backend has them, so isHALock and isWatchable still
 * tell the truth.
 */
export function instrumentStorage<S extends Storage>(storage: S, telemetry: StorageTelemetry): S {
  const timed: Partial<Storage & RevisionedWrites> = {
    get: (key: string) => timedCall(telemetry, 'get', () => storage.get(key)),
    put: (key: string, value: Uint8Array) => timedCall(telemetry, 'put', () => storage.put(key, value)),
    delete: (key: string) => timedCall(telemetry, 'delete', () => storage.delete(key)),
    list: (prefix: string) => timedCall(telemetry, 'list', () => storage.list(prefix)),
    transaction: (operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]) =>
      timedCall(telemetry, 'transaction', () => storage.transaction(operations, conditions)),
    ...(hasRevisionedWrites(storage)
      ? {
          commit: (operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]) =>
            timedCall(telemetry, 'transaction', () => storage.commit(operations, conditions)),
        }
      : {}),
  };
  return decorate(storage, timed as Partial<S>);
}
