import { SealboxError } from '../../../lib/errors.ts';
import type { TxnOperation } from '../physical-backend.ts';

/** etcd's default --max-request-bytes. */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** etcd's default --max-txn-ops: compares, and operations per branch, of one Txn. */
export const MAX_TXN_OPS = 128;
// Framing per operation and per request, generously rounded up.
const OVERHEAD_BYTES = 64;

/** About how many bytes `operations` take in an etcd request, framing included. */
export function requestBytes(prefix: string, operations: readonly TxnOperation[]): number {
  let total = OVERHEAD_BYTES;
  for (const operation of operations) {
    total += OVERHEAD_BYTES + 2 * Buffer.byteLength(prefix + operation.key, 'utf8');
    if (operation.type === 'put') total += operation.value.byteLength;
  }
  return total;
}

/**
 * Refuses writes etcd would refuse, before sending them. Past etcd's gRPC limit the refusal comes
 * back as RESOURCE_EXHAUSTED, which the client retries and counts towards opening its circuit
 * breaker: one oversized secret would make the whole storage unavailable for seconds.
 */
export function assertRequestFits(prefix: string, operations: readonly TxnOperation[]): void {
  const total = requestBytes(prefix, operations);
  if (total <= MAX_REQUEST_BYTES) return;
  throw new SealboxError(
    'payload_too_large',
    `storage request of about ${total} bytes exceeds etcd's limit of ${MAX_REQUEST_BYTES} bytes`,
  );
}
