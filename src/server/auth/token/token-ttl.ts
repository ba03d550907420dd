import { SealboxError } from '../../../lib/errors.ts';
import type { MountConfig } from '../../router/mount-entry.ts';
import { SYSTEM_DEFAULT_LEASE_TTL, SYSTEM_MAX_LEASE_TTL } from '../../system/ttl-defaults.ts';

/** Default and maximum TTL in seconds, as a mount sees them after falling back to the system values. */
export interface TtlLimits {
  readonly defaultTtl: number;
  readonly maxTtl: number;
}

/** Vault's system defaults: 768h for both. */
export const SYSTEM_TTL_LIMITS: TtlLimits = { defaultTtl: SYSTEM_DEFAULT_LEASE_TTL, maxTtl: SYSTEM_MAX_LEASE_TTL };

export function mountTtlLimits(config: MountConfig, system: TtlLimits): TtlLimits {
  return {
    defaultTtl: config.default_lease_ttl > 0 ? config.default_lease_ttl : system.defaultTtl,
    maxTtl: config.max_lease_ttl > 0 ? config.max_lease_ttl : system.maxTtl,
  };
}

export interface TtlRequest {
  readonly limits: TtlLimits;
  /** Seconds asked for by a renewal; 0 for none. */
  readonly increment: number;
  /** Seconds the backend (or the token's last grant) asks for; 0 for the mount default. */
  readonly backendTtl: number;
  readonly period: number;
  /** A backend cap tighter than the mount's; 0 for none. */
  readonly backendMaxTtl: number;
  readonly explicitMaxTtl: number;
  /** Unix milliseconds the lifetime counts from (issue time). */
  readonly startMs: number;
  readonly nowMs: number;
}

export interface TtlResult {
  readonly ttl: number;
  readonly warnings: string[];
}

/**
 * Vault's CalculateTTL, in whole seconds: a periodic token gets its period (capped by the max),
 * any other the increment, the backend TTL or the default; both are capped by what is left of the
 * maximum lifetime counted from `startMs`.
 */
export function calculateTtl(request: TtlRequest): TtlResult {
  const now = Math.floor(request.nowMs / 1000);
  const start = Math.floor(request.startMs / 1000);
  const maxTtl = tightest(request.limits.maxTtl, request.backendMaxTtl, request.explicitMaxTtl);
  const warnings: string[] = [];
  let ttl: number;
  let maxValidTime: number | undefined;
  if (request.period > 0) {
    ttl = request.period;
    if (ttl > maxTtl) {
      warnings.push(`period of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${humanDuration(maxTtl)}"; ` + 'period value is capped accordingly');
      ttl = maxTtl;
    }
    if (request.explicitMaxTtl > 0) maxValidTime = start + request.explicitMaxTtl;
  } else {
    ttl = [request.increment, request.backendTtl].find((candidate) => candidate > 0) ?? request.limits.defaultTtl;
    maxValidTime = start + maxTtl;
  }
  if (maxValidTime === undefined) return { ttl, warnings };
  const maxValidTtl = maxValidTime - now;
  if (maxValidTtl <= 0) throw new SealboxError('invalid_request', 'past the max TTL, cannot renew');
  if (ttl > maxValidTtl) {
    warnings.push(`TTL of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${humanDuration(maxValidTtl)}"; ` + 'TTL value is capped accordingly');
    ttl = maxValidTtl;
  }
  return { ttl, warnings };
}

/** The smallest positive of the caps; the first is always positive. */
function tightest(base: number, ...caps: number[]): number {
  return caps.reduce((max, cap) => (cap > 0 && cap < max ? cap : max), base);
}

/** Go's time.Duration String without zero parts, as Vault prints it in warnings: `1h`, `1h30m`, `45s`. */
export function humanDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = seconds % 60;
  let text = hours > 0 ? `${hours}h${minutes}m${rest}s` : minutes > 0 ? `${minutes}m${rest}s` : `${rest}s`;
  if (text.endsWith('m0s')) text = text.slice(0, -2);
  return text.replace('h0m', 'h');
}
