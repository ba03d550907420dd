import { SealboxError } from '../../lib/errors.ts';
import { FieldData } from '../logical/field-data.ts';
import type { PathRoute } from '../logical/path-table.ts';
import type { LogicalResponse } from '../logical/logical-response.ts';
import type { MountConfig, MountTableName } from '../router/mount-entry.ts';
import { tablePath } from '../router/mount-entry.ts';
import type { MountManager } from '../router/mount-manager.ts';
import { mountInfo } from './mount-info.ts';
import { SYSTEM_DEFAULT_LEASE_TTL, SYSTEM_MAX_LEASE_TTL } from './ttl-defaults.ts';

/** sys/mounts and sys/auth: list, enable, read, disable and tune mounts of either table. */
export function mountPaths(mounts: MountManager): PathRoute[] {
  // sys/mounts/auth/<path>/tune is Vault's alias of sys/auth/<path>/tune, so it must come first.
  return [tunePath(mounts, 'mounts/auth', 'auth'), ...tablePaths(mounts, 'mounts', 'mounts'), ...tablePaths(mounts, 'auth', 'auth')];
}

function tunePath(mounts: MountManager, prefix: string, table: MountTableName): PathRoute {
  return {
    pattern: `${prefix}/(?<path>.+)/tune/?`,
    operations: {
      read: async (_request, fields) => ({ data: tuneInfo(mounts, table, pathField(fields)) }),
      update: async (_request, fields) => {
        await mounts.tune(table, pathField(fields), tuneChange(fields));
        return undefined;
      },
    },
  };
}

function tablePaths(mounts: MountManager, prefix: string, table: MountTableName): PathRoute[] {
  return [
    tunePath(mounts, prefix, table),
    {
      pattern: `${prefix}/(?<path>.+)`,
      operations: {
        read: async (_request, fields) => {
          const entry = mounts.find(normalized(table, pathField(fields)));
          return entry === undefined ? undefined : { data: mountInfo(entry), dataAtTopLevel: true };
        },
        update: async (_request, fields) => {
          await mounts.enable({
            table,
            path: pathField(fields),
            type: fields.string('type') ?? '',
            description: fields.string('description') ?? '',
            config: mountConfig(new FieldData(fields.object('config') ?? {})),
            options: fields.stringMap('options') ?? null,
            local: fields.bool('local') ?? false,
            sealWrap: fields.bool('seal_wrap') ?? false,
          });
          return undefined;
        },
        delete: async (_request, fields) => {
          await mounts.disable(table, pathField(fields));
          return undefined;
        },
      },
    },
    {
      pattern: `${prefix}/?`,
      operations: { read: async (): Promise<LogicalResponse> => ({ data: listing(mounts, table), dataAtTopLevel: true }) },
    },
  ];
}

function listing(mounts: MountManager, table: MountTableName): Record<string, unknown> {
  return Object.fromEntries(mounts.entries(table).map((entry) => [tablePath(entry), mountInfo(entry)]));
}

function pathField(fields: FieldData): string {
  return fields.string('path') ?? '';
}

function normalized(table: MountTableName, path: string): string {
  const trimmed = path.replace(/^\/+/, '');
  const withSlash = trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
  return table === 'auth' ? `auth/${withSlash}` : withSlash;
}

function tuneInfo(mounts: MountManager, table: MountTableName, path: string): Record<string, unknown> {
  const entry = mounts.find(normalized(table, path));
  if (entry === undefined) throw new SealboxError('invalid_request', `cannot fetch sysview for path "${normalized(table, path)}"`);
  return {
    description: entry.description,
    default_lease_ttl: entry.config.default_lease_ttl || SYSTEM_DEFAULT_LEASE_TTL,
    max_lease_ttl: entry.config.max_lease_ttl || SYSTEM_MAX_LEASE_TTL,
    force_no_cache: entry.config.force_no_cache,
    options: entry.options,
    ...(entry.config.listing_visibility === undefined ? {} : { listing_visibility: entry.config.listing_visibility }),
    ...(entry.config.token_type === undefined ? {} : { token_type: entry.config.token_type }),
  };
}

function tuneChange(fields: FieldData): { config: Partial<MountConfig>; options?: Record<string, string>; description?: string } {
  const options = fields.stringMap('options');
  const description = fields.string('description');
  return {
    config: mountConfig(fields),
    ...(options === undefined ? {} : { options }),
    ...(description === undefined ? {} : { description }),
  };
}

/** The `config` of an enable request, or the body of a tune; "system" means the system default. */
function mountConfig(fields: FieldData): Partial<MountConfig> {
  const config: { -readonly [K in keyof MountConfig]?: MountConfig[K] } = {};
  const ttl = (name: 'default_lease_ttl' | 'max_lease_ttl') => {
    if (!fields.has(name)) return;
    config[name] = fields.string(name) === 'system' ? 0 : (fields.durationSeconds(name) ?? 0);
  };
  ttl('default_lease_ttl');
  ttl('max_lease_ttl');
  const forceNoCache = fields.bool('force_no_cache');
  if (forceNoCache !== undefined) config.force_no_cache = forceNoCache;
  const visibility = fields.string('listing_visibility');
  if (visibility !== undefined) {
    if (!['', 'unauth', 'hidden'].includes(visibility)) throw new SealboxError('invalid_request', `invalid listing_visibility ${visibility}`);
    config.listing_visibility = visibility;
  }
  for (const name of ['audit_non_hmac_request_keys', 'audit_non_hmac_response_keys', 'passthrough_request_headers', 'allowed_response_headers'] as const) {
    const value = fields.strings(name);
    if (value !== undefined) config[name] = value;
  }
  const tokenType = fields.string('token_type');
  if (tokenType !== undefined) config.token_type = tokenType;
  return config;
}
