import type { Barrier } from '../barrier/barrier.ts';
import { StorageView } from '../barrier/storage-view.ts';
import type { TxnOperation } from '../storage/physical-backend.ts';
import { decorate } from './decorate.ts';
import type { StorageTelemetry } from './telemetry.ts';
import { timedCall } from './timed-call.ts';

/** `barrier` with its data calls timed (vault_barrier_get|put|delete|list|transaction), views included. */
export function instrumentBarrier<B extends Barrier>(barrier: B, telemetry: StorageTelemetry): B {
  const timed: Partial<Barrier> = {
    get: (key: string) => timedCall(telemetry, 'get', () => barrier.get(key)),
    put: (key: string, value: Uint8Array) => timedCall(telemetry, 'put', () => barrier.put(key, value)),
    delete: (key: string) => timedCall(telemetry, 'delete', () => barrier.delete(key)),
    list: (prefix: string) => timedCall(telemetry, 'list', () => barrier.list(prefix)),
    transaction: (operations: readonly TxnOperation[]) => timedCall(telemetry, 'transaction', () => barrier.transaction(operations)),
    // Views over the decorated barrier, so what backends read and write is timed too.
    view: (prefix: string) => new StorageView(instrumented, prefix),
  };
  const instrumented = decorate(barrier, timed as Partial<B>);
  return instrumented;
}
