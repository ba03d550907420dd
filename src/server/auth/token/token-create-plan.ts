import { SealboxError } from '../../../lib/errors.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { TokenEntry } from './token-entry.ts';
import { NON_ASSIGNABLE_POLICIES, isSubset, matchesAnyGlob, removeDuplicates, sanitizePolicies } from './token-policies.ts';
import type { TokenRole } from './token-role.ts';
import type { TokenSpec } from './token-spec.ts';
import type { TtlLimits } from './token-ttl.ts';
import { calculateTtl } from './token-ttl.ts';

export interface CreateContext {
  /** The caller's token, freshly looked up. */
  readonly parent: TokenEntry;
  /**
   * Stands in for Vault's "sudo on the create path": only a root caller may set id, period or
   * no_parent, and skip the subset rule.
   */
  readonly sudo: boolean;
  /** Called on create-orphan. */
  readonly orphanPath: boolean;
  readonly role: TokenRole | undefined;
  /** The path inside the token mount: create, create-orphan, create/<role>. */
  readonly relativePath: string;
  readonly limits: TtlLimits;
}

export interface CreatePlan {
  readonly spec: TokenSpec;
  readonly orphan: boolean;
  readonly warnings: string[];
}

/** Vault's handleCreateCommon rules, in its order, as a pure function of the request. */
export function planTokenCreate(fields: FieldData, context: CreateContext): CreatePlan {
  const { parent, role, sudo } = context;
  if (parent.numUses > 0) throw invalid('restricted use token cannot generate child tokens');
  checkTokenType(fields, role);
  const numUses = requestedNumUses(fields, role);
  checkEntityAlias(fields, role);
  const customId = fields.string('id') ?? '';
  if (customId !== '' && !sudo) throw invalid('root or sudo privileges required to specify token id');

  const warnings: string[] = [];
  const policies = tokenPolicies(fields, context);
  const orphan = orphanOf(fields, context);
  let boundCidrs = boundCidrsOf(orphan, context);

  const explicitMaxTtl = fields.durationSeconds('explicit_max_ttl') ?? 0;
  const period = fields.durationSeconds('period') ?? 0;
  if (period > 0 && !sudo) throw invalid('root or sudo privileges required to create periodic token');
  const requestedTtl = fields.durationSeconds('ttl') ?? fields.durationSeconds('lease') ?? 0;
  const explicitMaxToUse = lesserOf(explicitMaxTtl, role?.tokenExplicitMaxTtl ?? 0, warnings, 'Explicit max TTL');
  const periodToUse = lesserOf(period, role?.tokenPeriod ?? 0, warnings, 'Period');

  let ttl = requestedTtl;
  if (periodToUse > 0 || ttl > 0 || !policies.includes('root')) {
    // At creation the lifetime starts now, so only the difference of the two times matters.
    const result = calculateTtl({
      limits: context.limits,
      increment: 0,
      backendTtl: ttl,
      period: periodToUse,
      backendMaxTtl: 0,
      explicitMaxTtl: explicitMaxToUse,
      startMs: 0,
      nowMs: 0,
    });
    warnings.push(...result.warnings);
    ttl = result.ttl;
  }
  // Root tokens are still bound by an explicit max.
  if (ttl === 0 && explicitMaxToUse > 0) ttl = explicitMaxToUse;

  let renewable = (fields.bool('renewable') ?? true) && (role?.renewable ?? true);
  if (ttl === 0) {
    if (parent.ttl !== 0) throw invalid('expiring root tokens cannot create non-expiring root tokens');
    // Non-expiring tokens are neither renewable nor bound to addresses.
    renewable = false;
    boundCidrs = [];
  }
  if (customId !== '') checkCustomId(customId);

  const spec: TokenSpec = {
    policies,
    path: tokenPath(context),
    displayName: displayName(fields.string('display_name')),
    meta: fields.stringMap('meta') ?? null,
    ttl,
    explicitMaxTtl,
    period,
    numUses,
    renewable,
    maxTtl: context.limits.maxTtl,
    ...(role === undefined ? {} : { role: role.name }),
    ...(boundCidrs.length > 0 ? { boundCidrs } : {}),
    ...(customId === '' ? {} : { customId }),
  };
  return { spec, orphan, warnings };
}

function checkTokenType(fields: FieldData, role: TokenRole | undefined): void {
  const requested = role?.tokenType === 'service' ? 'service' : (fields.string('type') ?? '');
  if (requested === '' || requested === 'service') return;
  if (requested === 'batch') throw invalid('batch tokens are not supported by this server');
  throw invalid("invalid 'token_type' value");
}

function requestedNumUses(fields: FieldData, role: TokenRole | undefined): number {
  const requested = fields.int('num_uses') ?? 0;
  if (requested < 0) throw invalid('number of uses cannot be negative');
  const roleUses = role?.tokenNumUses ?? 0;
  // 0 means unlimited, so any role limit is tighter than none.
  if (roleUses === 0) return requested;
  return requested === 0 || roleUses < requested ? roleUses : requested;
}

function checkEntityAlias(fields: FieldData, role: TokenRole | undefined): void {
  const alias = fields.string('entity_alias') ?? '';
  if (alias === '') return;
  if (role === undefined) throw invalid("'entity_alias' is only allowed in combination with token role");
  const allowed = role.allowedEntityAliases ?? [];
  const lower = alias.toLowerCase();
  if (!allowed.includes(lower) && !matchesAnyGlob(allowed, lower)) throw invalid("invalid 'entity_alias' value");
  throw invalid('entity aliases are not supported by this server');
}

/** Vault's policy rules: role allow/deny lists, else inherit the parent's, else a subset of them unless sudo. */
function tokenPolicies(fields: FieldData, context: CreateContext): string[] {
  const { parent, role, sudo } = context;
  const requested = fields.strings('policies') ?? [];
  const noDefault = fields.bool('no_default_policy') ?? false;
  let policies: string[];
  let addDefault = false;
  if (role !== undefined && hasPolicyLists(role)) {
    policies = rolePolicies(requested, noDefault, parent, role);
  } else if (requested.length === 0) {
    policies = sanitizePolicies(parent.policies, false);
  } else if (!sudo) {
    const wanted = sanitizePolicies(requested, false);
    if (!isSubset(sanitizePolicies(parent.policies, false), wanted)) throw invalid('child policies must be subset of parent');
    addDefault = !noDefault && parent.policies.includes('default');
    policies = requested;
  } else {
    addDefault = !noDefault;
    policies = requested;
  }
  let final = sanitizePolicies(policies, addDefault);
  if (noDefault) final = final.filter((policy) => policy !== 'default');
  for (const policy of final) {
    if (NON_ASSIGNABLE_POLICIES.includes(policy)) throw invalid(`cannot assign policy "${policy}"`);
  }
  if (final.includes('root') && !parent.policies.includes('root')) {
    throw invalid('root tokens may not be created without parent token being root');
  }
  return final;
}

function hasPolicyLists(role: TokenRole): boolean {
  return [role.allowedPolicies, role.disallowedPolicies, role.allowedPoliciesGlob, role.disallowedPoliciesGlob].some((list) => list.length > 0);
}

/** With allow or deny lists, a role sets policies independently of the parent's. */
function rolePolicies(requested: readonly string[], noDefault: boolean, parent: TokenEntry, role: TokenRole): string[] {
  const defaultDisallowed = role.disallowedPolicies.includes('default') || matchesAnyGlob(role.disallowedPoliciesGlob, 'default');
  const addDefault = !noDefault && !role.tokenNoDefaultPolicy && !defaultDisallowed;
  let policies = requested.length > 0 ? sanitizePolicies(requested, addDefault) : [];
  if (role.allowedPolicies.length > 0 || role.allowedPoliciesGlob.length > 0) {
    const allowed = sanitizePolicies(role.allowedPolicies, addDefault);
    if (policies.length === 0) {
      policies = allowed;
    } else {
      const allowedGlob = sanitizePolicies(role.allowedPoliciesGlob, false);
      for (const policy of policies) {
        if (!allowed.includes(policy) && !matchesAnyGlob(allowedGlob, policy)) {
          throw invalid(
            `token policies (${goQuoted(policies)}) must be subset of the role's allowed policies (${goQuoted(allowed)}) ` +
              `or glob policies (${goQuoted(allowedGlob)})`,
          );
        }
      }
    }
  } else if (policies.length === 0) {
    policies = sanitizePolicies(parent.policies, addDefault);
  }
  const disallowed = removeDuplicates(role.disallowedPolicies);
  const disallowedGlob = removeDuplicates(role.disallowedPoliciesGlob);
  for (const policy of policies) {
    if (disallowed.includes(policy) || matchesAnyGlob(disallowedGlob, policy)) {
      throw invalid(`token policy "${policy}" is disallowed by this role`);
    }
  }
  return policies;
}

function orphanOf(fields: FieldData, context: CreateContext): boolean {
  if (context.role !== undefined) return context.role.orphan;
  if (fields.bool('no_parent') === true) {
    if (!context.sudo) throw invalid('root or sudo privileges required to create orphan token');
    return true;
  }
  return context.orphanPath;
}

/** A role's CIDRs win; otherwise a child inherits its parent's, so it cannot escape them. */
function boundCidrsOf(orphan: boolean, context: CreateContext): readonly string[] {
  if (context.role !== undefined) return context.role.tokenBoundCidrs;
  return orphan ? [] : (context.parent.boundCidrs ?? []);
}

/** The lesser non-zero of a request value and a role value, warning when both were given. */
function lesserOf(requested: number, fromRole: number, warnings: string[], label: string): number {
  if (fromRole === 0) return requested;
  if (requested === 0) return fromRole;
  const lesser = Math.min(requested, fromRole);
  warnings.push(`${label} specified both during creation call and in role; using the lesser value of ${lesser} seconds`);
  return lesser;
}

function tokenPath(context: CreateContext): string {
  const path = `auth/token/${context.relativePath}`;
  const suffix = context.role?.pathSuffix ?? '';
  return suffix === '' ? path : `${path}/${suffix}`;
}

function displayName(requested: string | undefined): string {
  if (requested === undefined || requested === '') return 'token';
  const full = `token-${requested}`.replace(/[^a-zA-Z0-9-]/g, '-');
  return full.endsWith('-') ? full.slice(0, -1) : full;
}

function checkCustomId(id: string): void {
  if (id.startsWith('hvs.')) throw invalid("custom token ID cannot have the 'hvs.' prefix");
  if (id.startsWith('s.')) throw invalid("custom token ID cannot have the 's.' prefix");
  if (id.includes('.')) throw invalid("custom token ID cannot have a '.' in the value");
}

/** Go's %q of a string slice: `["a" "b"]`. */
function goQuoted(items: readonly string[]): string {
  return `[${items.map((item) => JSON.stringify(item)).join(' ')}]`;
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}
