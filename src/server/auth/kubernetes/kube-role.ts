import { SealboxError } from '../../../lib/errors.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { LegacyTokenField, TokenSettings } from '../token-fields.ts';
import { DEFAULT_TOKEN_SETTINGS, parseTokenFields, tokenFieldsData } from '../token-fields.ts';

export type AliasNameSource = 'serviceaccount_uid' | 'serviceaccount_name';

/** A Kubernetes auth role: which service accounts may log in, and the token they get. */
export interface KubeRole {
  readonly boundServiceAccountNames: readonly string[];
  readonly boundServiceAccountNamespaces: readonly string[];
  /** '' for none: then the JWT's audience is not checked. */
  readonly audience: string;
  readonly aliasNameSource: AliasNameSource;
  readonly token: TokenSettings;
}

const ROLE_PREFIX = 'role/';
const ALIAS_NAME_SOURCES: readonly AliasNameSource[] = ['serviceaccount_uid', 'serviceaccount_name'];
const LEGACY_FIELDS: readonly LegacyTokenField[] = ['policies', 'bound_cidrs', 'num_uses', 'ttl', 'max_ttl', 'period'];

/** Role names are case-insensitive: stored and looked up lower-cased. */
export function readRole(storage: SecureStorage, name: string): Promise<KubeRole | undefined> {
  return getJson<KubeRole>(storage, ROLE_PREFIX + name.toLowerCase());
}

export function listRoles(storage: SecureStorage): Promise<string[]> {
  return storage.list(ROLE_PREFIX);
}

export function deleteRole(storage: SecureStorage, name: string): Promise<void> {
  return storage.delete(ROLE_PREFIX + name.toLowerCase());
}

export async function writeRole(storage: SecureStorage, name: string, fields: FieldData): Promise<void> {
  const existing = await readRole(storage, name);
  await putJson(storage, ROLE_PREFIX + name.toLowerCase(), roleFrom(fields, existing));
}

export function roleData(role: KubeRole): Record<string, unknown> {
  return {
    bound_service_account_names: [...role.boundServiceAccountNames],
    bound_service_account_namespaces: [...role.boundServiceAccountNamespaces],
    bound_service_account_namespace_selector: '',
    ...(role.audience === '' ? {} : { audience: role.audience }),
    ...tokenFieldsData(role.token),
    alias_name_source: role.aliasNameSource,
  };
}

function roleFrom(fields: FieldData, existing: KubeRole | undefined): KubeRole {
  const token = parseTokenFields(fields, existing?.token ?? DEFAULT_TOKEN_SETTINGS, LEGACY_FIELDS);
  const names = fields.strings('bound_service_account_names') ?? existing?.boundServiceAccountNames ?? [];
  if (names.length === 0) throw new SealboxError('invalid_request', '"bound_service_account_names" can not be empty');
  if (names.length > 1 && names.includes('*')) throw mixedSplat();
  if ((fields.string('bound_service_account_namespace_selector') ?? '') !== '') {
    throw new SealboxError('invalid_request', '"bound_service_account_namespace_selector" is not supported; use "bound_service_account_namespaces"');
  }
  const namespaces = fields.strings('bound_service_account_namespaces') ?? existing?.boundServiceAccountNamespaces ?? [];
  if (namespaces.length === 0) {
    throw new SealboxError(
      'invalid_request',
      '"bound_service_account_namespaces" can not be empty if "bound_service_account_namespace_selector" is not set',
    );
  }
  if (namespaces.length > 1 && namespaces.includes('*')) throw mixedSplat();
  return {
    boundServiceAccountNames: names,
    boundServiceAccountNamespaces: namespaces,
    audience: fields.string('audience') ?? existing?.audience ?? '',
    aliasNameSource: aliasNameSourceOf(fields, existing),
    token,
  };
}

function aliasNameSourceOf(fields: FieldData, existing: KubeRole | undefined): AliasNameSource {
  const source = fields.string('alias_name_source') || existing?.aliasNameSource || 'serviceaccount_uid';
  if (!ALIAS_NAME_SOURCES.includes(source as AliasNameSource)) {
    throw new SealboxError('invalid_request', `invalid alias_name_source, must be one of: ${ALIAS_NAME_SOURCES.join(', ')}`);
  }
  return source as AliasNameSource;
}

function mixedSplat(): SealboxError {
  return new SealboxError('invalid_request', 'can not mix "*" with values');
}
