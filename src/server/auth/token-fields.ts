import { SealboxError } from '../../lib/errors.ts';
import type { FieldData } from '../logical/field-data.ts';
import type { LoginGrant } from '../logical/logical-response.ts';
import { parseCidrList } from '../../lib/cidr.ts';

/**
 * The token settings every role or user carries (Vault's tokenutil): the `token_*` fields, their
 * legacy aliases, how they read back, and the part of a LoginGrant they decide.
 */

/** Legacy names that some methods still accept in place of a `token_*` field. */
export type LegacyTokenField = 'policies' | 'ttl' | 'max_ttl' | 'period' | 'bound_cidrs' | 'num_uses';

/** The token type a role asks for; only service tokens are issued, so batch is refused on write. */
export type TokenTypeSetting = 'default' | 'service';

export interface TokenSettings {
  readonly policies: readonly string[];
  /** Seconds; 0 takes the mount or system default. */
  readonly ttl: number;
  readonly maxTtl: number;
  readonly explicitMaxTtl: number;
  readonly period: number;
  readonly numUses: number;
  readonly noDefaultPolicy: boolean;
  /** Addresses and CIDR blocks the issued token may be used from; empty for any. */
  readonly boundCidrs: readonly string[];
  readonly type: TokenTypeSetting;
  /**
   * Legacy names the entry was last written with: Vault reads them back beside the `token_*`
   * names, and clients written against old versions look for them.
   */
  readonly legacy: readonly LegacyTokenField[];
}

/** The part of a login grant that the token settings decide. */
export type TokenGrantParts = Omit<LoginGrant, 'metadata' | 'displayName' | 'aliasName'>;

export const DEFAULT_TOKEN_SETTINGS: TokenSettings = {
  policies: [],
  ttl: 0,
  maxTtl: 0,
  explicitMaxTtl: 0,
  period: 0,
  numUses: 0,
  noDefaultPolicy: false,
  boundCidrs: [],
  type: 'default',
  legacy: [],
};

const CURRENT_NAME: Readonly<Record<LegacyTokenField, string>> = {
  policies: 'token_policies',
  ttl: 'token_ttl',
  max_ttl: 'token_max_ttl',
  period: 'token_period',
  bound_cidrs: 'token_bound_cidrs',
  num_uses: 'token_num_uses',
};

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * Applies the token fields present in `fields` to `current`. `legacyNames` lists the aliases the
 * method accepts; a `token_*` field wins over its alias, and writing only the `token_*` name drops
 * the alias from reads, as Vault's UpgradeValue does.
 */
export function parseTokenFields(
  fields: FieldData,
  current: TokenSettings,
  legacyNames: readonly LegacyTokenField[],
): TokenSettings {
  const next: Mutable<TokenSettings> = { ...current };
  applyCurrentNames(fields, next);
  const legacy = new Set(current.legacy);
  for (const name of legacyNames) {
    if (fields.has(CURRENT_NAME[name])) {
      if (fields.has(name)) legacy.add(name);
      else legacy.delete(name);
    } else if (fields.has(name)) {
      applyField(fields, name, next);
      legacy.add(name);
    }
  }
  next.legacy = [...legacy].sort();
  validate(next);
  return next;
}

/** The read-back form: every `token_*` field, plus each legacy alias in use with a value. */
export function tokenFieldsData(settings: TokenSettings): Record<string, unknown> {
  const data: Record<string, unknown> = {
    token_bound_cidrs: [...settings.boundCidrs],
    token_explicit_max_ttl: settings.explicitMaxTtl,
    token_max_ttl: settings.maxTtl,
    token_no_default_policy: settings.noDefaultPolicy,
    token_num_uses: settings.numUses,
    token_period: settings.period,
    token_policies: [...settings.policies],
    token_ttl: settings.ttl,
    token_type: settings.type,
  };
  for (const name of settings.legacy) {
    const value = data[CURRENT_NAME[name]];
    if (Array.isArray(value) ? value.length > 0 : value !== 0) data[name] = value;
  }
  return data;
}

export function tokenGrantParts(settings: TokenSettings): TokenGrantParts {
  return {
    policies: settings.policies,
    ttl: settings.ttl,
    maxTtl: settings.maxTtl,
    explicitMaxTtl: settings.explicitMaxTtl,
    period: settings.period,
    numUses: settings.numUses,
    noDefaultPolicy: settings.noDefaultPolicy,
    renewable: true,
    boundCidrs: settings.boundCidrs,
  };
}

function applyCurrentNames(fields: FieldData, next: Mutable<TokenSettings>): void {
  for (const name of ['token_policies', 'token_ttl', 'token_max_ttl', 'token_period', 'token_bound_cidrs', 'token_num_uses'] as const) {
    if (fields.has(name)) applyField(fields, name, next);
  }
  const explicitMaxTtl = fields.durationSeconds('token_explicit_max_ttl');
  if (explicitMaxTtl !== undefined) next.explicitMaxTtl = explicitMaxTtl;
  const noDefaultPolicy = fields.bool('token_no_default_policy');
  if (noDefaultPolicy !== undefined) next.noDefaultPolicy = noDefaultPolicy;
  if (fields.has('token_type')) next.type = parseTokenType(fields.string('token_type') ?? '');
}

/** Reads one field, under its current or legacy name, into the setting both names share. */
function applyField(fields: FieldData, name: string, next: Mutable<TokenSettings>): void {
  switch (name) {
    case 'token_policies':
    case 'policies':
      next.policies = sanitizePolicies(fields.strings(name) ?? []);
      return;
    case 'token_ttl':
    case 'ttl':
      next.ttl = fields.durationSeconds(name) ?? 0;
      return;
    case 'token_max_ttl':
    case 'max_ttl':
      next.maxTtl = fields.durationSeconds(name) ?? 0;
      return;
    case 'token_period':
    case 'period':
      next.period = fields.durationSeconds(name) ?? 0;
      return;
    case 'token_bound_cidrs':
    case 'bound_cidrs':
      next.boundCidrs = parseCidrList(fields.strings(name) ?? [], name);
      return;
    case 'token_num_uses':
    case 'num_uses':
      next.numUses = fields.int(name) ?? 0;
      return;
  }
}

function parseTokenType(value: string): TokenTypeSetting {
  if (value === '' || value === 'default') return 'default';
  if (value === 'service') return 'service';
  if (value === 'batch' || value === 'default-batch') {
    throw new SealboxError('invalid_request', `'token_type' "${value}" is not supported: only service tokens are issued`);
  }
  throw new SealboxError('invalid_request', `invalid 'token_type' value "${value}"`);
}

function validate(settings: TokenSettings): void {
  if (settings.numUses < 0) throw new SealboxError('invalid_request', "'token_num_uses' cannot be negative");
  if (settings.ttl > 0 && settings.maxTtl > 0 && settings.ttl > settings.maxTtl) {
    throw new SealboxError('invalid_request', "'token_ttl' cannot be greater than 'token_max_ttl'");
  }
}

/** Policy names are case-insensitive in Vault: trimmed, lower-cased, empties and repeats dropped. */
function sanitizePolicies(names: readonly string[]): string[] {
  return [...new Set(names.map((name) => name.trim().toLowerCase()).filter((name) => name !== ''))];
}
