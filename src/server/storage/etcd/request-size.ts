import { SealboxError } from '../../../lib/errors.ts';
import type { TxnCondition, TxnOperation } from '../physical-backend.ts';

/** etcd's default --max-request-bytes. */
export const MAX_REQUEST_BYTES = 1.5 * 1024 * 1024;
/** etcd's default --max-txn-ops: compares, and operations per branch, of one Txn. */
export const MAX_TXN_OPS = 128;
// Framing per operation and per request, generously rounded up.
const OVERHEAD_BYTES = 64;

/** About how many bytes writes and conditions take in an etcd request, framing included. */
function requestBytes(prefix: string, writes: readonly TxnOperation[], conditions: readonly TxnCondition[]): number {
  let total = OVERHEAD_BYTES;
  for (const write of writes) total += entryBytes(prefix, write.key, write.type === 'put' ? write.value : undefined);
  // A compared value travels in the request like a written one.
  for (const condition of conditions) total += entryBytes(prefix, condition.key, condition.value);
  return total;
}

function entryBytes(prefix: string, key: string, value: Uint8Array | undefined): number {
  return OVERHEAD_BYTES + 2 * Buffer.byteLength(prefix + key, 'utf8') + (value?.byteLength ?? 0);
}

/**
 * Refuses writes etcd would refuse, before sending them, and otherwise says about how many bytes
 * they take. Past etcd's gRPC limit the refusal comes back as RESOURCE_EXHAUSTED, which the client
 * retries and counts towards opening its circuit breaker: one oversized secret would make the
 * whole storage unavailable for seconds.
 */
export function assertRequestFits(prefix: string, writes: readonly TxnOperation[], conditions: readonly TxnCondition[]): number {
  const total = requestBytes(prefix, writes, conditions);
  if (total <= MAX_REQUEST_BYTES) return total;
  throw new SealboxError(
    'payload_too_large',
    `storage request of about ${total} bytes exceeds etcd's limit of ${MAX_REQUEST_BYTES} bytes`,
  );
}
