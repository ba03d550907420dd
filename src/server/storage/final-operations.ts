import type { TxnOperation } from './physical-backend.ts';

/**
 * The last operation per key, in first-seen key order. Transactions apply in order and nothing in
 * them reads, so this has the same effect; etcd needs it because it rejects a Txn that touches a
 * key twice, and the file backend writes less.
 */
export function finalOperations(operations: readonly TxnOperation[]): TxnOperation[] {
  const byKey = new Map<string, TxnOperation>();
  for (const operation of operations) byKey.set(operation.key, operation);
  return [...byKey.values()];
}
