import { SealboxError } from '../../../lib/errors.ts';
import { uuid } from '../../../lib/random-id.ts';
import { FieldData } from '../../logical/field-data.ts';
import type { BackendRequest } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import type { PathRoute } from '../../logical/path-table.ts';
import type { LegacyTokenField } from '../token-fields.ts';
import { DEFAULT_TOKEN_SETTINGS, parseTokenFields, tokenFieldsData } from '../token-fields.ts';
import { parseCidrList } from '../../../lib/cidr.ts';
import type { AppRoleDeps } from './approle-deps.ts';
import { NAME_PATTERN, roleNameOf } from './approle-deps.ts';
import type { RoleEntry } from './role-store.ts';
import { listRoles, readRole, removeRole, saveRole } from './role-store.ts';

const LEGACY_FIELDS: readonly LegacyTokenField[] = ['policies', 'period'];
const ROLE = `role/(?<role_name>${NAME_PATTERN})`;

/** LIST role, CRUD of role/:role_name, and the one-field sub-paths of a role. */
export function rolePaths(deps: AppRoleDeps): PathRoute[] {
  return [
    { pattern: 'role/?', operations: { list: async (request) => ({ data: { keys: await listRoles(request.storage) } }) } },
    {
      pattern: ROLE,
      operations: {
        update: (request, fields) => writeRole(deps, request, fields),
        read: async (request, fields) => {
          const role = await readRole(request.storage, roleNameOf(fields));
          return role === undefined ? undefined : { data: roleData(role) };
        },
        delete: (request, fields) => deleteRole(deps, request, roleNameOf(fields)),
      },
      exists: async (request, fields) => (await readRole(request.storage, roleNameOf(fields))) !== undefined,
    },
    ...FIELD_PATHS.map((path) => fieldRoute(deps, path)),
  ];
}

function roleData(role: RoleEntry): Record<string, unknown> {
  return {
    bind_secret_id: role.bindSecretId,
    local_secret_ids: role.localSecretIds,
    secret_id_bound_cidrs: [...role.secretIdBoundCidrs],
    secret_id_num_uses: role.secretIdNumUses,
    secret_id_ttl: role.secretIdTtl,
    ...tokenFieldsData(role.token),
  };
}

async function writeRole(deps: AppRoleDeps, request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> {
  const name = roleNameOf(fields);
  return deps.locks.run(`role:${name}`, async () => {
    const existing = await readRole(request.storage, name);
    const { fields: adjusted, warnings } = adjustTokenType(fields);
    const role = roleFrom(name, adjusted, existing);
    await saveRole(request.storage, deps.salt, role, existing?.roleId);
    return warnings.length === 0 ? undefined : { warnings };
  });
}

function roleFrom(name: string, fields: FieldData, existing: RoleEntry | undefined): RoleEntry {
  const token = parseTokenFields(fields, existing?.token ?? DEFAULT_TOKEN_SETTINGS, LEGACY_FIELDS);
  if (existing !== undefined && fields.has('local_secret_ids')) {
    throw new SealboxError('invalid_request', 'local_secret_ids can only be modified during role creation');
  }
  const roleId = fields.string('role_id') ?? existing?.roleId ?? uuid();
  if (roleId.trim() === '') throw new SealboxError('invalid_request', 'invalid role_id supplied, or failed to generate a role_id');
  const secretIdNumUses = fields.int('secret_id_num_uses') ?? existing?.secretIdNumUses ?? 0;
  if (secretIdNumUses < 0) throw new SealboxError('invalid_request', 'secret_id_num_uses cannot be negative');
  return {
    name,
    roleId,
    bindSecretId: fields.bool('bind_secret_id') ?? existing?.bindSecretId ?? true,
    secretIdBoundCidrs: secretIdCidrs(fields) ?? existing?.secretIdBoundCidrs ?? [],
    secretIdNumUses,
    secretIdTtl: fields.durationSeconds('secret_id_ttl') ?? existing?.secretIdTtl ?? 0,
    localSecretIds: existing?.localSecretIds ?? fields.bool('local_secret_ids') ?? false,
    token,
  };
}

/** `bound_cidr_list` is AppRole's old name for `secret_id_bound_cidrs`; the new name wins. */
function secretIdCidrs(fields: FieldData): string[] | undefined {
  const name = fields.has('secret_id_bound_cidrs') ? 'secret_id_bound_cidrs' : 'bound_cidr_list';
  const values = fields.strings(name);
  return values === undefined ? undefined : parseCidrList(values, name);
}

/** Vault's AppRole maps the mount-level token types to the plain ones, with a warning. */
function adjustTokenType(fields: FieldData): { fields: FieldData; warnings: string[] } {
  const type = fields.raw['token_type'];
  if (type !== 'default-service' && type !== 'default-batch') return { fields, warnings: [] };
  const plain = type === 'default-service' ? 'service' : 'batch';
  return {
    fields: new FieldData({ ...fields.raw, token_type: plain }),
    warnings: [`${type} has no useful meaning; adjusting to ${plain}`],
  };
}

async function deleteRole(deps: AppRoleDeps, request: BackendRequest, name: string): Promise<undefined> {
  await deps.locks.run(`role:${name}`, async () => {
    const role = await readRole(request.storage, name);
    if (role === undefined) return;
    await deps.secretIds.flush(request.storage, role.name);
    await removeRole(request.storage, deps.salt, role);
  });
  return undefined;
}

/** A legacy one-field endpoint: role/:role_name/<segment>. */
interface FieldPath {
  readonly segment: string;
  readonly read: (role: RoleEntry) => LogicalResponse;
  readonly update?: (role: RoleEntry, fields: FieldData) => RoleEntry;
  readonly reset?: (role: RoleEntry) => RoleEntry;
}

function fieldRoute(deps: AppRoleDeps, path: FieldPath): PathRoute {
  const { update, reset } = path;
  return {
    pattern: `${ROLE}/${path.segment}`,
    operations: {
      read: async (request, fields) => {
        const role = await readRole(request.storage, roleNameOf(fields));
        return role === undefined ? undefined : path.read(role);
      },
      ...(update === undefined ? {} : {
        update: (request: BackendRequest, fields: FieldData) => changeRole(deps, request, roleNameOf(fields), (role) => update(role, fields), true),
      }),
      ...(reset === undefined ? {} : {
        delete: (request: BackendRequest, fields: FieldData) => changeRole(deps, request, roleNameOf(fields), reset, false),
      }),
    },
  };
}

async function changeRole(
  deps: AppRoleDeps,
  request: BackendRequest,
  name: string,
  change: (role: RoleEntry) => RoleEntry,
  mustExist: boolean,
): Promise<undefined> {
  await deps.locks.run(`role:${name}`, async () => {
    const role = await readRole(request.storage, name);
    if (role === undefined) {
      if (mustExist) throw new SealboxError('unsupported_path', 'unsupported path');
      return;
    }
    await saveRole(request.storage, deps.salt, change(role), role.roleId);
  });
  return undefined;
}

function required(fields: FieldData, names: readonly string[], message: string): void {
  if (!names.some((name) => fields.has(name))) throw new SealboxError('invalid_request', message);
}

/** Token settings changed by only the named fields of the request. */
function withTokenFields(role: RoleEntry, fields: FieldData, names: readonly string[], legacy: readonly LegacyTokenField[]): RoleEntry {
  const only = new FieldData(Object.fromEntries(names.filter((name) => fields.has(name)).map((name) => [name, fields.raw[name]])));
  return { ...role, token: parseTokenFields(only, role.token, legacy) };
}

function withoutLegacy(role: RoleEntry, name: LegacyTokenField): RoleEntry['token']['legacy'] {
  return role.token.legacy.filter((item) => item !== name);
}

function tokenField(role: RoleEntry, name: string): Record<string, unknown> {
  const data = tokenFieldsData(role.token);
  return { [name]: data[name] };
}

const TOKEN_RESETS = {
  token_num_uses: { numUses: 0 },
  token_ttl: { ttl: 0 },
  token_max_ttl: { maxTtl: 0 },
  token_bound_cidrs: { boundCidrs: [] },
} as const;

const FIELD_PATHS: readonly FieldPath[] = [
  {
    segment: 'policies',
    read: (role) => {
      const data = tokenFieldsData(role.token);
      return { data: { token_policies: data['token_policies'], ...('policies' in data ? { policies: data['policies'] } : {}) } };
    },
    update: (role, fields) => {
      required(fields, ['token_policies', 'policies'], 'missing token_policies');
      return withTokenFields(role, fields, ['token_policies', 'policies'], ['policies']);
    },
    reset: (role) => ({ ...role, token: { ...role.token, policies: [], legacy: withoutLegacy(role, 'policies') } }),
  },
  {
    segment: 'period',
    read: (role) => {
      const data = tokenFieldsData(role.token);
      return { data: { token_period: data['token_period'], ...('period' in data ? { period: data['period'] } : {}) } };
    },
    update: (role, fields) => {
      required(fields, ['token_period', 'period'], 'missing period');
      return withTokenFields(role, fields, ['token_period', 'period'], ['period']);
    },
    reset: (role) => ({ ...role, token: { ...role.token, period: 0, legacy: withoutLegacy(role, 'period') } }),
  },
  ...(['token_num_uses', 'token_ttl', 'token_max_ttl', 'token_bound_cidrs'] as const).map((name): FieldPath => ({
    segment: name.replaceAll('_', '-'),
    read: (role) => ({ data: tokenField(role, name) }),
    update: (role, fields) => {
      required(fields, [name], `missing ${name}`);
      return withTokenFields(role, fields, [name], []);
    },
    reset: (role) => ({ ...role, token: { ...role.token, ...TOKEN_RESETS[name] } }),
  })),
  {
    segment: 'bind-secret-id',
    read: (role) => ({ data: { bind_secret_id: role.bindSecretId } }),
    update: (role, fields) => {
      required(fields, ['bind_secret_id'], 'missing bind_secret_id');
      return { ...role, bindSecretId: fields.bool('bind_secret_id') ?? role.bindSecretId };
    },
    reset: (role) => ({ ...role, bindSecretId: true }),
  },
  {
    segment: 'secret-id-num-uses',
    read: (role) => ({ data: { secret_id_num_uses: role.secretIdNumUses } }),
    update: (role, fields) => {
      required(fields, ['secret_id_num_uses'], 'missing secret_id_num_uses');
      const secretIdNumUses = fields.int('secret_id_num_uses') ?? 0;
      if (secretIdNumUses < 0) throw new SealboxError('invalid_request', 'secret_id_num_uses cannot be negative');
      return { ...role, secretIdNumUses };
    },
    reset: (role) => ({ ...role, secretIdNumUses: 0 }),
  },
  {
    segment: 'secret-id-ttl',
    read: (role) => ({ data: { secret_id_ttl: role.secretIdTtl } }),
    update: (role, fields) => {
      required(fields, ['secret_id_ttl'], 'missing secret_id_ttl');
      return { ...role, secretIdTtl: fields.durationSeconds('secret_id_ttl') ?? 0 };
    },
    reset: (role) => ({ ...role, secretIdTtl: 0 }),
  },
  {
    segment: 'secret-id-bound-cidrs',
    read: (role) => ({ data: { secret_id_bound_cidrs: [...role.secretIdBoundCidrs] } }),
    update: (role, fields) => {
      required(fields, ['secret_id_bound_cidrs'], 'missing secret_id_bound_cidrs');
      return { ...role, secretIdBoundCidrs: parseCidrList(fields.strings('secret_id_bound_cidrs') ?? [], 'secret_id_bound_cidrs') };
    },
    reset: (role) => ({ ...role, secretIdBoundCidrs: [] }),
  },
  {
    segment: 'bound-cidr-list',
    read: (role) => ({
      data: { bound_cidr_list: [...role.secretIdBoundCidrs] },
      warnings: ['The "bound_cidr_list" field is deprecated and will be removed. Please use "secret_id_bound_cidrs" instead.'],
    }),
    update: (role, fields) => {
      const cidrs = fields.strings('bound_cidr_list') ?? [];
      if (cidrs.length === 0) throw new SealboxError('invalid_request', 'missing bound_cidr_list');
      return { ...role, secretIdBoundCidrs: parseCidrList(cidrs, 'bound_cidr_list') };
    },
    reset: (role) => ({ ...role, secretIdBoundCidrs: [] }),
  },
  {
    segment: 'local-secret-ids',
    read: (role) => ({ data: { local_secret_ids: role.localSecretIds } }),
  },
  {
    segment: 'role-id',
    read: (role) => ({ data: { role_id: role.roleId } }),
    update: (role, fields) => {
      const roleId = fields.string('role_id') ?? '';
      if (roleId.trim() === '') throw new SealboxError('invalid_request', 'missing role_id');
      return { ...role, roleId };
    },
  },
];
