/**
 * A rate limit quota rule as Vault stores and serves it (sys/quotas/rate-limit/:name): at most
 * `rate` requests per `interval` from each client address, on the whole server, one mount, or
 * paths of a mount (a trailing `*` makes the suffix a prefix).
 */
export interface RateLimitQuota {
  readonly name: string;
  /** The mount's router path (`auth/userpass/`), or '' for a global quota. */
  readonly mountPath: string;
  /** The path inside the mount without slashes at the ends (`data/app`, `data/app/*`), or ''. */
  readonly pathSuffix: string;
  readonly rate: number;
  readonly intervalSeconds: number;
  /** 0 when a client over the limit waits only for the next interval. */
  readonly blockIntervalSeconds: number;
}

export const DEFAULT_INTERVAL_SECONDS = 1;

/** The `path` a client wrote, as Vault reads it back: mount path and suffix joined. */
export function quotaPath(quota: RateLimitQuota): string {
  return `${quota.mountPath}${quota.pathSuffix}`;
}
