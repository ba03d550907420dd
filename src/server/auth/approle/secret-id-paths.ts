import { SealboxError } from '../../../lib/errors.ts';
import { uuid } from '../../../lib/random-id.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import type { PathRoute } from '../../logical/path-table.ts';
import { cidrsWithin, parseCidrList } from '../../../lib/cidr.ts';
import type { AppRoleDeps } from './approle-deps.ts';
import { NAME_PATTERN, roleNameOf } from './approle-deps.ts';
import type { RoleEntry } from './role-store.ts';
import { readRole } from './role-store.ts';
import type { SecretIdEntry, SecretIdSpec } from './secret-id-store.ts';

const ROLE = `role/(?<role_name>${NAME_PATTERN})`;
/** How Go renders an unset time.Time, which Vault reports for a secret ID that never expires. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** Issuing, listing, looking up and destroying the secret IDs of a role. */
export function secretIdPaths(deps: AppRoleDeps): PathRoute[] {
  return [
    {
      pattern: `${ROLE}/secret-id/lookup`,
      operations: { update: (request, fields) => lookup(deps, request, fields) },
    },
    {
      pattern: `${ROLE}/secret-id/destroy`,
      operations: { update: (request, fields) => destroy(deps, request, fields), delete: (request, fields) => destroy(deps, request, fields) },
    },
    {
      pattern: `${ROLE}/secret-id/?`,
      operations: {
        update: (request, fields) => issue(deps, request, fields, uuid()),
        list: (request, fields) => list(deps, request, fields),
      },
    },
    {
      pattern: `${ROLE}/custom-secret-id`,
      operations: { update: (request, fields) => issue(deps, request, fields, fields.string('secret_id') ?? '') },
    },
    {
      pattern: `${ROLE}/secret-id-accessor/lookup`,
      operations: { update: (request, fields) => lookupByAccessor(deps, request, fields) },
    },
    {
      pattern: `${ROLE}/secret-id-accessor/destroy`,
      operations: {
        update: (request, fields) => destroyByAccessor(deps, request, fields),
        delete: (request, fields) => destroyByAccessor(deps, request, fields),
      },
    },
  ];
}

async function issue(deps: AppRoleDeps, request: BackendRequest, fields: FieldData, secretId: string): Promise<LogicalResponse> {
  if (secretId === '') throw new SealboxError('invalid_request', 'missing secret_id');
  const name = roleNameOf(fields);
  const role = await readRole(request.storage, name);
  if (role === undefined) throw new SealboxError('unsupported_path', `role "${name}" does not exist`);
  if (!role.bindSecretId) throw new SealboxError('invalid_request', 'bind_secret_id is not set on the role');
  const entry = await deps.secretIds.register(request.storage, role.name, secretId, specFrom(deps, role, fields));
  return {
    data: {
      secret_id: secretId,
      secret_id_accessor: entry.accessor,
      secret_id_ttl: entry.ttl,
      secret_id_num_uses: entry.numUses,
    },
  };
}

function specFrom(deps: AppRoleDeps, role: RoleEntry, fields: FieldData): SecretIdSpec {
  const cidrList = parseCidrList(fields.strings('cidr_list') ?? [], 'cidr_list');
  requireSubset(cidrList, role.secretIdBoundCidrs);
  const tokenBoundCidrs = parseCidrList(fields.strings('token_bound_cidrs') ?? [], 'token_bound_cidrs');
  requireSubset(tokenBoundCidrs, role.token.boundCidrs);
  return { cidrList, tokenBoundCidrs, numUses: numUsesOf(role, fields), ttl: ttlOf(deps, role, fields), metadata: metadataOf(fields) };
}

/** A secret ID may narrow its role's limits, never widen them. */
function numUsesOf(role: RoleEntry, fields: FieldData): number {
  const numUses = fields.int('num_uses');
  if (numUses === undefined) return role.secretIdNumUses;
  if (numUses < 0) throw new SealboxError('invalid_request', 'num_uses cannot be negative');
  if (role.secretIdNumUses > 0 && (numUses === 0 || numUses > role.secretIdNumUses)) {
    throw new SealboxError('invalid_request', "num_uses cannot be higher than the role's secret_id_num_uses");
  }
  return numUses;
}

function ttlOf(deps: AppRoleDeps, role: RoleEntry, fields: FieldData): number {
  const requested = fields.durationSeconds('ttl');
  if (requested !== undefined && role.secretIdTtl > 0 && (requested === 0 || requested > role.secretIdTtl)) {
    throw new SealboxError('invalid_request', "ttl cannot be longer than the role's secret_id_ttl");
  }
  const ttl = requested ?? role.secretIdTtl;
  return deps.maxSecretIdTtl > 0 && ttl > deps.maxSecretIdTtl ? deps.maxSecretIdTtl : ttl;
}

/** `metadata` as Vault takes it: a JSON object (or its encoding as a string), or `k=v,k2=v2`. */
function metadataOf(fields: FieldData): Record<string, string> {
  const raw = fields.raw['metadata'];
  if (raw === undefined || raw === null || raw === '') return {};
  if (typeof raw === 'string' && !raw.trim().startsWith('{')) return keyValuePairs(raw);
  try {
    return fields.stringMap('metadata') ?? {};
  } catch {
    throw new SealboxError('invalid_request', 'failed to parse metadata: expected a JSON object of strings');
  }
}

function keyValuePairs(text: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of text.split(',')) {
    const separator = item.indexOf('=');
    const key = item.slice(0, separator).trim();
    if (separator < 0 || key === '') throw new SealboxError('invalid_request', `failed to parse metadata: invalid key/value pair "${item.trim()}"`);
    pairs[key] = item.slice(separator + 1).trim();
  }
  return pairs;
}

function requireSubset(inner: readonly string[], outer: readonly string[]): void {
  if (cidrsWithin(inner, outer)) return;
  throw new SealboxError(
    'invalid_request',
    `failed to verify subset relationship between CIDR blocks on the role ${goList(outer)} and CIDR blocks on the secret ID ${goList(inner)}`,
  );
}

/** Go's %q of a string slice, as Vault's messages show lists. */
function goList(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(' ')}]`;
}

async function list(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<LogicalResponse> {
  const role = await existingRole(request, fields);
  return { data: { keys: await deps.secretIds.accessors(request.storage, role.name) } };
}

async function lookup(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> {
  const secretId = requiredString(fields, 'secret_id');
  const role = await existingRole(request, fields);
  const entry = await deps.secretIds.lookup(request.storage, role.name, secretId);
  return entry === undefined ? undefined : { data: secretIdData(entry) };
}

async function destroy(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<undefined> {
  const secretId = requiredString(fields, 'secret_id');
  const role = await existingRole(request, fields);
  await deps.secretIds.destroy(request.storage, role.name, secretId);
  return undefined;
}

async function lookupByAccessor(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<LogicalResponse> {
  const accessor = requiredString(fields, 'secret_id_accessor');
  const role = await existingRole(request, fields);
  const entry = await deps.secretIds.lookupByAccessor(request.storage, role.name, accessor);
  if (entry === undefined) throw accessorNotFound(accessor);
  return { data: secretIdData(entry) };
}

async function destroyByAccessor(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<undefined> {
  const accessor = requiredString(fields, 'secret_id_accessor');
  const role = await existingRole(request, fields);
  if (!(await deps.secretIds.destroyByAccessor(request.storage, role.name, accessor))) throw accessorNotFound(accessor);
  return undefined;
}

function secretIdData(entry: SecretIdEntry): Record<string, unknown> {
  return {
    cidr_list: [...entry.cidrList],
    creation_time: new Date(entry.creationTime).toISOString(),
    expiration_time: entry.expirationTime === 0 ? ZERO_TIME : new Date(entry.expirationTime).toISOString(),
    last_updated_time: new Date(entry.lastUpdatedTime).toISOString(),
    metadata: { ...entry.metadata },
    secret_id_accessor: entry.accessor,
    secret_id_num_uses: entry.numUses,
    secret_id_ttl: entry.ttl,
    token_bound_cidrs: [...entry.tokenBoundCidrs],
  };
}

async function existingRole(request: BackendRequest, fields: FieldData): Promise<RoleEntry> {
  const name = roleNameOf(fields);
  const role = await readRole(request.storage, name);
  if (role === undefined) throw new SealboxError('invalid_request', `role "${name}" does not exist`);
  return role;
}

function requiredString(fields: FieldData, name: string): string {
  const value = fields.string(name) ?? '';
  if (value === '') throw new SealboxError('invalid_request', `missing ${name}`);
  return value;
}

function accessorNotFound(accessor: string): SealboxError {
  return new SealboxError('not_found', `failed to find accessor entry for secret_id_accessor: "${accessor}"`);
}
