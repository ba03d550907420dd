import { SealboxError } from '../../lib/errors.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import { getJson, putJson } from '../barrier/secure-storage.ts';
import { ClientLimiter } from './client-limiter.ts';
import type { RateLimitQuota } from './rate-limit-quota.ts';

/** sys/quotas/config. */
export interface QuotaConfig {
  readonly enable_rate_limit_audit_logging: boolean;
  readonly rate_limit_exempt_paths: readonly string[];
}

/** Vault's default exemptions: an operator flooded out can still unseal and see the health. */
export const DEFAULT_EXEMPT_PATHS: readonly string[] = [
  'sys/generate-recovery-token/attempt',
  'sys/generate-recovery-token/update',
  'sys/generate-root/attempt',
  'sys/generate-root/update',
  'sys/health',
  'sys/seal-status',
  'sys/unseal',
];

const DEFAULT_CONFIG: QuotaConfig = { enable_rate_limit_audit_logging: false, rate_limit_exempt_paths: DEFAULT_EXEMPT_PATHS };
const CONFIG_KEY = 'config';
const RULES_PREFIX = 'rate-limit/';

/** What the request pipeline needs: a verdict per request, before anything else runs. */
export interface RequestLimiter {
  /** Throws rate_limited when the quota that applies to the request is exhausted for its client. */
  enforce(request: { readonly path: string; readonly mountPath: string; readonly clientAddress: string }): void;
  /** Whether rejected requests are to be audited (sys/quotas/config enable_rate_limit_audit_logging). */
  readonly auditsRejections: boolean;
}

interface ActiveQuota {
  readonly quota: RateLimitQuota;
  readonly limiter: ClientLimiter;
}

/**
 * The rate limit quotas of this node: rules are stored in the barrier (quotas/ in the system
 * view) and counted in memory per node, as in Vault, so each node of a cluster counts its own
 * clients. A node that becomes active loads the rules with fresh counters.
 */
export class QuotaManager implements RequestLimiter {
  readonly #storage: SecureStorage;
  readonly #now: () => number;
  readonly #rules = new Map<string, ActiveQuota>();
  #config: QuotaConfig = DEFAULT_CONFIG;

  /** `storage` is the quotas' own view; `now` the clock in unix milliseconds. */
  constructor(storage: SecureStorage, now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
  }

  async load(): Promise<void> {
    this.#config = (await getJson<QuotaConfig>(this.#storage, CONFIG_KEY)) ?? DEFAULT_CONFIG;
    for (const name of await this.#storage.list(RULES_PREFIX)) {
      const quota = await getJson<RateLimitQuota>(this.#storage, `${RULES_PREFIX}${name}`);
      if (quota !== undefined) this.#activate(quota);
    }
  }

  get config(): QuotaConfig {
    return this.#config;
  }

  get auditsRejections(): boolean {
    return this.#config.enable_rate_limit_audit_logging;
  }

  async setConfig(config: QuotaConfig): Promise<void> {
    await putJson(this.#storage, CONFIG_KEY, config);
    this.#config = config;
  }

  names(): string[] {
    return [...this.#rules.keys()].sort();
  }

  get(name: string): RateLimitQuota | undefined {
    return this.#rules.get(name)?.quota;
  }

  /** Creates or replaces a rule; another rule on exactly the same path is refused, as in Vault. */
  async put(quota: RateLimitQuota): Promise<void> {
    for (const { quota: other } of this.#rules.values()) {
      if (other.name !== quota.name && other.mountPath === quota.mountPath && other.pathSuffix === quota.pathSuffix) {
        throw new SealboxError('invalid_request', `quota rule with similar properties exists under the name "${other.name}"`);
      }
    }
    await putJson(this.#storage, `${RULES_PREFIX}${quota.name}`, quota);
    this.#activate(quota);
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(`${RULES_PREFIX}${name}`);
    this.#rules.delete(name);
  }

  enforce(request: { readonly path: string; readonly mountPath: string; readonly clientAddress: string }): void {
    if (this.#rules.size === 0 || this.#exempt(request.path)) return;
    const active = this.#applicable(request.path, request.mountPath);
    if (active === undefined || active.limiter.take(request.clientAddress, this.#now())) return;
    throw new SealboxError('rate_limited', `request path "${request.path}": rate limit quota exceeded`);
  }

  #activate(quota: RateLimitQuota): void {
    const limiter = new ClientLimiter({
      // Vault rounds the rate to whole requests per interval.
      tokens: Math.max(1, Math.round(quota.rate)),
      intervalMs: quota.intervalSeconds * 1000,
      blockMs: quota.blockIntervalSeconds * 1000,
    });
    this.#rules.set(quota.name, { quota, limiter });
  }

  /** Entries ending in `*` are prefixes, others exact paths. */
  #exempt(path: string): boolean {
    return this.#config.rate_limit_exempt_paths.some((entry) => {
      const exempt = entry.replace(/^\/+/, '');
      return exempt.endsWith('*') ? path.startsWith(exempt.slice(0, -1)) : path === exempt;
    });
  }

  /** Vault's precedence: exact path suffix, then the longest matching glob, then the mount, then global. */
  #applicable(path: string, mountPath: string): ActiveQuota | undefined {
    const rules = [...this.#rules.values()];
    const onMount = mountPath === '' ? [] : rules.filter(({ quota }) => quota.mountPath === mountPath);
    const suffix = path.slice(mountPath.length).replace(/^\/+|\/+$/g, '');
    const exact = onMount.find(({ quota }) => quota.pathSuffix !== '' && quota.pathSuffix === suffix);
    if (exact !== undefined) return exact;
    for (let length = suffix.length; length >= 0; length -= 1) {
      const glob = onMount.find(({ quota }) => quota.pathSuffix === `${suffix.slice(0, length)}*`);
      if (glob !== undefined) return glob;
    }
    return onMount.find(({ quota }) => quota.pathSuffix === '') ?? rules.find(({ quota }) => quota.mountPath === '');
  }
}
