import { SealboxError } from '../../lib/errors.ts';
import type { FieldData } from '../logical/field-data.ts';
import type { PathHandler, PathRoute } from '../logical/path-table.ts';
import type { QuotaManager } from '../quota/quota-manager.ts';
import type { RateLimitQuota } from '../quota/rate-limit-quota.ts';
import { DEFAULT_INTERVAL_SECONDS, quotaPath } from '../quota/rate-limit-quota.ts';

export interface QuotaPathsOptions {
  readonly quotas: QuotaManager;
  /** The router path of the mount that serves `path` (`auth/userpass/`), if any. */
  readonly mountOf: (path: string) => string | undefined;
}

// Vault's framework.GenericNameRegex.
const NAME = '(?<name>\\w(?:[\\w.-]*\\w)?)';

/** sys/quotas/config and sys/quotas/rate-limit, relative to sys/, with Vault's fields and messages. */
export function quotaPaths(options: QuotaPathsOptions): PathRoute[] {
  const { quotas } = options;
  return [
    { pattern: 'quotas/config', operations: { read: readConfig(quotas), update: writeConfig(quotas) } },
    { pattern: 'quotas/rate-limit/?', operations: { list: async () => ({ data: { keys: quotas.names() } }) } },
    {
      pattern: `quotas/rate-limit/${NAME}`,
      operations: { read: readQuota(quotas), update: writeQuota(options), delete: deleteQuota(quotas) },
    },
  ];
}

function readConfig(quotas: QuotaManager): PathHandler {
  return async () => {
    const config = quotas.config;
    return {
      data: {
        enable_rate_limit_audit_logging: config.enable_rate_limit_audit_logging,
        enable_rate_limit_response_headers: false,
        rate_limit_exempt_paths: [...config.rate_limit_exempt_paths],
      },
    };
  };
}

/** As in Vault, every field is written: one left out goes back to false or empty. */
function writeConfig(quotas: QuotaManager): PathHandler {
  return async (_request, fields) => {
    if (fields.bool('enable_rate_limit_response_headers') === true) {
      throw new SealboxError('invalid_request', 'enable_rate_limit_response_headers is not supported by this server');
    }
    await quotas.setConfig({
      enable_rate_limit_audit_logging: fields.bool('enable_rate_limit_audit_logging') ?? false,
      rate_limit_exempt_paths: fields.strings('rate_limit_exempt_paths') ?? [],
    });
    return undefined;
  };
}

function readQuota(quotas: QuotaManager): PathHandler {
  return async (_request, fields) => {
    const quota = quotas.get(fields.string('name') ?? '');
    if (quota === undefined) return undefined;
    return {
      data: {
        type: 'rate-limit',
        name: quota.name,
        path: quotaPath(quota),
        role: '',
        rate: quota.rate,
        interval: quota.intervalSeconds,
        block_interval: quota.blockIntervalSeconds,
        // Without namespaces only a global quota is inherited, as Vault's root quota is by default.
        inheritable: quota.mountPath === '',
      },
    };
  };
}

function writeQuota({ quotas, mountOf }: QuotaPathsOptions): PathHandler {
  return async (_request, fields) => {
    const rate = positiveNumber(fields.raw['rate']);
    if (rate === undefined) throw new SealboxError('invalid_request', "'rate' is invalid");
    const blockIntervalSeconds = fields.durationSeconds('block_interval') ?? 0;
    if (blockIntervalSeconds < 0) throw new SealboxError('invalid_request', "'block' is invalid");
    if ((fields.string('role') ?? '') !== '') {
      throw new SealboxError('invalid_request', 'role-based quotas are not supported by this server');
    }
    const quota: RateLimitQuota = {
      name: fields.string('name') ?? '',
      ...placement(fields, mountOf),
      rate,
      intervalSeconds: fields.durationSeconds('interval') || DEFAULT_INTERVAL_SECONDS,
      blockIntervalSeconds,
    };
    await quotas.put(quota);
    return undefined;
  };
}

/** Splits `path` into the mount it names and the rest; '' is a global quota. */
function placement(fields: FieldData, mountOf: (path: string) => string | undefined): Pick<RateLimitQuota, 'mountPath' | 'pathSuffix'> {
  const path = (fields.string('path') ?? '').replace(/^\/+/, '');
  if (path === '') return { mountPath: '', pathSuffix: '' };
  const mountPath = mountOf(path);
  if (mountPath === undefined) throw new SealboxError('invalid_request', `invalid mount path "${path}"`);
  return { mountPath, pathSuffix: path.slice(mountPath.length).replace(/^\/+|\/+$/g, '') };
}

function deleteQuota(quotas: QuotaManager): PathHandler {
  return async (_request, fields) => {
    await quotas.delete(fields.string('name') ?? '');
    return undefined;
  };
}

/** Vault's TypeFloat: a JSON number or a numeric string. */
function positiveNumber(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined;
}
