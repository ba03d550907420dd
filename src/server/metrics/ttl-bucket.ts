/** Vault's token TTL buckets for the creation_ttl label (helper/metricsutil/bucket.go), in seconds. */
const BUCKETS: ReadonlyArray<readonly [number, string]> = [
  [60, '1m'],
  [10 * 60, '10m'],
  [20 * 60, '20m'],
  [60 * 60, '1h'],
  [2 * 60 * 60, '2h'],
  [24 * 60 * 60, '1d'],
  [2 * 24 * 60 * 60, '2d'],
  [7 * 24 * 60 * 60, '7d'],
  [30 * 24 * 60 * 60, '30d'],
];

/** The smallest bucket that holds `ttlSeconds`; a token that never expires (0) counts as `+Inf`. */
export function ttlBucket(ttlSeconds: number): string {
  if (ttlSeconds === 0) return '+Inf';
  return BUCKETS.find(([limit]) => ttlSeconds <= limit)?.[1] ?? '+Inf';
}
