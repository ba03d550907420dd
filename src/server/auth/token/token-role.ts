import { SealboxError } from '../../../lib/errors.ts';
import type { FieldData } from '../../logical/field-data.ts';
import { parseCidrList } from '../../../lib/cidr.ts';
import { removeDuplicates, sanitizePolicies } from './token-policies.ts';

/** The token types a role may ask for; batch tokens are not issued by this server. */
export type RoleTokenType = 'service' | 'default-service';

/** A token store role (auth/token/roles/:name), stored as JSON at roles/<name>. */
export interface TokenRole {
  readonly name: string;
  readonly allowedPolicies: readonly string[];
  readonly disallowedPolicies: readonly string[];
  readonly allowedPoliciesGlob: readonly string[];
  readonly disallowedPoliciesGlob: readonly string[];
  readonly orphan: boolean;
  readonly renewable: boolean;
  readonly pathSuffix: string;
  readonly tokenType: RoleTokenType;
  readonly tokenPeriod: number;
  readonly tokenExplicitMaxTtl: number;
  readonly tokenNoDefaultPolicy: boolean;
  readonly tokenNumUses: number;
  readonly tokenBoundCidrs: readonly string[];
  readonly allowedEntityAliases: readonly string[] | null;
  /** The legacy fields, kept only to echo them back on read as Vault does. */
  readonly period: number;
  readonly explicitMaxTtl: number;
  readonly boundCidrs: readonly string[];
}

export interface RoleWriteResult {
  readonly role: TokenRole;
  readonly warnings: string[];
}

// Go's regexp MatchString is unanchored: Vault only asks that the suffix contain such a run.
const PATH_SUFFIX = /\w[\w\-.]+\w/;

export function emptyRole(name: string): TokenRole {
  return {
    name,
    allowedPolicies: [],
    disallowedPolicies: [],
    allowedPoliciesGlob: [],
    disallowedPoliciesGlob: [],
    orphan: false,
    renewable: true,
    pathSuffix: '',
    tokenType: 'default-service',
    tokenPeriod: 0,
    tokenExplicitMaxTtl: 0,
    tokenNoDefaultPolicy: false,
    tokenNumUses: 0,
    tokenBoundCidrs: [],
    allowedEntityAliases: null,
    period: 0,
    explicitMaxTtl: 0,
    boundCidrs: [],
  };
}

/**
 * Applies a role write to `current` (the stored role, or an empty one on create): only fields
 * present in the request change. `maxLeaseTtl` is the mount's, for the explicit max warning.
 */
export function applyRoleWrite(current: TokenRole, fields: FieldData, maxLeaseTtl: number): RoleWriteResult {
  const warnings: string[] = [];
  let role: TokenRole = {
    ...current,
    ...ifPresent('orphan', fields.bool('orphan')),
    ...ifPresent('renewable', fields.bool('renewable')),
    ...ifPresent('pathSuffix', pathSuffix(fields)),
    ...ifPresent('allowedPolicies', mapDefined(fields.strings('allowed_policies'), withoutDefault)),
    ...ifPresent('disallowedPolicies', mapDefined(fields.strings('disallowed_policies'), removeDuplicates)),
    ...ifPresent('allowedPoliciesGlob', mapDefined(fields.strings('allowed_policies_glob'), withoutDefault)),
    ...ifPresent('disallowedPoliciesGlob', mapDefined(fields.strings('disallowed_policies_glob'), removeDuplicates)),
    ...ifPresent('tokenType', tokenType(fields)),
    ...ifPresent('tokenNoDefaultPolicy', fields.bool('token_no_default_policy')),
    ...ifPresent('tokenNumUses', numUses(fields)),
    ...ifPresent('allowedEntityAliases', mapDefined(fields.strings('allowed_entity_aliases'), removeDuplicates)),
  };
  // The legacy name is echoed on read only when it was the one used.
  role = withLegacyPair(role, fields, warnings, ['token_period', 'period'], (value, legacy) => ({
    tokenPeriod: value,
    period: legacy ? value : 0,
  }));
  role = withLegacyPair(role, fields, warnings, ['token_explicit_max_ttl', 'explicit_max_ttl'], (value, legacy) => ({
    tokenExplicitMaxTtl: value,
    explicitMaxTtl: legacy ? value : 0,
  }));
  role = withBoundCidrs(role, fields, warnings);
  if (role.tokenExplicitMaxTtl > maxLeaseTtl) {
    warnings.push(
      `Given explicit max TTL of ${role.tokenExplicitMaxTtl} is greater than system/mount allowed value of ${maxLeaseTtl} seconds; ` +
        'until this is fixed attempting to create tokens against this role will result in an error',
    );
  }
  return { role, warnings };
}

/** The `data` of a role read, with Vault's field names and types. */
export function roleData(role: TokenRole): Record<string, unknown> {
  return {
    allowed_entity_aliases: role.allowedEntityAliases,
    allowed_policies: role.allowedPolicies,
    allowed_policies_glob: role.allowedPoliciesGlob,
    disallowed_policies: role.disallowedPolicies,
    disallowed_policies_glob: role.disallowedPoliciesGlob,
    explicit_max_ttl: role.explicitMaxTtl,
    name: role.name,
    orphan: role.orphan,
    path_suffix: role.pathSuffix,
    period: role.period,
    renewable: role.renewable,
    token_explicit_max_ttl: role.tokenExplicitMaxTtl,
    token_no_default_policy: role.tokenNoDefaultPolicy,
    token_period: role.tokenPeriod,
    token_type: role.tokenType,
    ...(role.tokenBoundCidrs.length > 0 ? { token_bound_cidrs: role.tokenBoundCidrs } : {}),
    ...(role.boundCidrs.length > 0 ? { bound_cidrs: role.boundCidrs } : {}),
    ...(role.tokenNumUses > 0 ? { token_num_uses: role.tokenNumUses } : {}),
  };
}

function pathSuffix(fields: FieldData): string | undefined {
  const suffix = fields.string('path_suffix');
  if (suffix === undefined) return undefined;
  if (suffix !== '' && !PATH_SUFFIX.test(suffix)) {
    throw new SealboxError('invalid_request', `given role path suffix contains invalid characters; must match ${PATH_SUFFIX.source}`);
  }
  if (suffix.includes('..')) {
    throw new SealboxError('invalid_request', 'error registering path suffix: path cannot contain parent references');
  }
  return suffix;
}

function tokenType(fields: FieldData): RoleTokenType | undefined {
  if (!('token_type' in fields.raw)) return undefined;
  const value = fields.raw['token_type'];
  if (value === null) throw new SealboxError('invalid_request', "Invalid 'token_type' value: null");
  const text = fields.string('token_type');
  if (text === 'service' || text === 'default-service') return text;
  if (text === 'batch' || text === 'default-batch') {
    throw new SealboxError('invalid_request', 'batch tokens are not supported by this server');
  }
  throw new SealboxError('invalid_request', `invalid 'token_type' value "${text ?? ''}"`);
}

function numUses(fields: FieldData): number | undefined {
  const uses = fields.int('token_num_uses');
  if (uses !== undefined && uses < 0) {
    throw new SealboxError('invalid_request', "error parsing role fields: 'token_num_uses' cannot be negative");
  }
  return uses;
}

/** A `token_*` field and its deprecated twin: the new name wins, with a warning when both came. */
function withLegacyPair(
  role: TokenRole,
  fields: FieldData,
  warnings: string[],
  [name, legacy]: readonly [string, string],
  apply: (value: number, legacy: boolean) => Partial<TokenRole>,
): TokenRole {
  const value = fields.durationSeconds(name);
  const legacyValue = fields.durationSeconds(legacy);
  if (value !== undefined) {
    if (legacyValue !== undefined) warnings.push(`Both '${name}' and deprecated '${legacy}' value supplied, ignoring the deprecated value`);
    return { ...role, ...apply(value, false) };
  }
  return legacyValue === undefined ? role : { ...role, ...apply(legacyValue, true) };
}

function withBoundCidrs(role: TokenRole, fields: FieldData, warnings: string[]): TokenRole {
  const value = fields.strings('token_bound_cidrs');
  const legacy = fields.strings('bound_cidrs');
  if (value !== undefined) {
    if (legacy !== undefined) warnings.push("Both 'token_bound_cidrs' and deprecated 'bound_cidrs' value supplied, ignoring the deprecated value");
    return { ...role, tokenBoundCidrs: parseCidrList(value, 'token_bound_cidrs'), boundCidrs: [] };
  }
  if (legacy === undefined) return role;
  const cidrs = parseCidrList(legacy, 'bound_cidrs');
  return { ...role, tokenBoundCidrs: cidrs, boundCidrs: cidrs };
}

function ifPresent<K extends keyof TokenRole>(key: K, value: TokenRole[K] | undefined): Partial<Pick<TokenRole, K>> {
  return value === undefined ? {} : ({ [key]: value } as Pick<TokenRole, K>);
}

function withoutDefault(policies: readonly string[]): string[] {
  return sanitizePolicies(policies, false);
}

function mapDefined<T, U>(value: T | undefined, map: (value: T) => U): U | undefined {
  return value === undefined ? undefined : map(value);
}
