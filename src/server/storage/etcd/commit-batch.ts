import { bytesEqual } from '../transaction-check.ts';
import type { EtcdCommit } from './txn-request.ts';
import { MAX_REQUEST_BYTES, MAX_TXN_OPS } from './request-size.ts';

/**
 * Which concurrent commits may share one etcd Txn. Every condition of the Txn is checked before any
 * write applies, so commits share one only when none writes a key another writes or checks: then
 * the shared Txn has the effect of the commits one after another, in any order. Expected values of
 * a key must agree (else the shared Txn could never apply), and the Txn stays within etcd's
 * operation and size limits. A shared Txn whose conditions fail is retried commit by commit.
 */
export function commitBatch(): (commit: EtcdCommit) => boolean {
  const written = new Set<string>();
  const checked = new Map<string, Uint8Array | undefined>();
  let bytes = 0;
  return (commit) => {
    if (written.size + commit.writes.length > MAX_TXN_OPS || checked.size + commit.conditions.length > MAX_TXN_OPS) return false;
    if (bytes + commit.bytes > MAX_REQUEST_BYTES) return false;
    if (commit.writes.some(({ key }) => written.has(key) || checked.has(key))) return false;
    if (commit.conditions.some(({ key, value }) => written.has(key) || (checked.has(key) && !bytesEqual(checked.get(key), value)))) return false;
    for (const { key } of commit.writes) written.add(key);
    for (const { key, value } of commit.conditions) checked.set(key, value);
    bytes += commit.bytes;
    return true;
  };
}
