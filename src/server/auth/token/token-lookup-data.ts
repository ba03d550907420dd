import type { TokenEntry } from './token-entry.ts';

/**
 * The `data` of a token lookup with Vault's names and types: unix seconds for creation_time,
 * RFC 3339 strings for the lease times, remaining seconds for ttl. `id` is '' by accessor.
 */
export function lookupData(id: string, entry: TokenEntry, nowMs: number): Record<string, unknown> {
  const data: Record<string, unknown> = {
    accessor: entry.accessor,
    creation_time: Math.floor(entry.creationTime / 1000),
    creation_ttl: entry.ttl,
    display_name: entry.displayName,
    entity_id: '',
    expire_time: null,
    explicit_max_ttl: entry.explicitMaxTtl,
    id,
    meta: entry.meta,
    num_uses: entry.numUses,
    orphan: entry.orphan,
    path: entry.path,
    policies: [...entry.policies],
    ttl: 0,
    type: entry.type,
  };
  if (entry.role !== undefined) data['role'] = entry.role;
  if (entry.period > 0) data['period'] = entry.period;
  if (entry.boundCidrs !== undefined && entry.boundCidrs.length > 0) data['bound_cidrs'] = [...entry.boundCidrs];
  // The lease fields exist only for tokens with a lease; the root token of init has none.
  if (entry.issueTime === undefined) return data;
  if (entry.lastRenewalTime !== undefined) {
    data['last_renewal_time'] = Math.floor(entry.lastRenewalTime / 1000);
    data['last_renewal'] = rfc3339Nano(entry.lastRenewalTime);
  }
  if (entry.expireTime !== undefined) {
    data['expire_time'] = rfc3339Nano(entry.expireTime);
    data['ttl'] = remainingSeconds(entry.expireTime, nowMs);
  }
  data['renewable'] = entry.renewable && entry.expireTime !== undefined && nowMs < entry.expireTime;
  data['issue_time'] = rfc3339Nano(entry.issueTime);
  return data;
}

/** Vault's lease ttl(): expiry minus now rounded to the second, truncated. */
function remainingSeconds(expireMs: number, nowMs: number): number {
  return Math.trunc((expireMs - Math.round(nowMs / 1000) * 1000) / 1000);
}

/** Go's RFC3339Nano in UTC: the fraction without trailing zeros, none when zero. */
function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}
