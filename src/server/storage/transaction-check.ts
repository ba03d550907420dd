import type { TxnCondition, TxnOperation } from './physical-backend.ts';
import { assertValidKey } from './storage-key.ts';

/** Validates every key up front, so that an invalid key can never leave a transaction half-applied. */
export function assertValidTransaction(operations: readonly TxnOperation[], conditions: readonly TxnCondition[]): void {
  for (const operation of operations) assertValidKey(operation.key);
  for (const condition of conditions) assertValidKey(condition.key);
}

/** Whether a stored value (undefined when absent) is what a condition expects. */
export function bytesEqual(actual: Uint8Array | undefined, expected: Uint8Array | undefined): boolean {
  if (actual === undefined || expected === undefined) return actual === expected;
  return Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(expected);
}
