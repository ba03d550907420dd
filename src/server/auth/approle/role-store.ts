import { secretsEqual } from '../../../lib/constant-time.ts';
import { SealboxError } from '../../../lib/errors.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson } from '../../barrier/secure-storage.ts';
import type { TxnOperation } from '../../storage/physical-backend.ts';
import type { TokenSettings } from '../token-fields.ts';
import type { MountSalt } from './mount-salt.ts';

/** An AppRole role. Names are lower-cased; the role ID is found again through its HMAC index. */
export interface RoleEntry {
  readonly name: string;
  readonly roleId: string;
  readonly bindSecretId: boolean;
  readonly secretIdBoundCidrs: readonly string[];
  /** 0: secret IDs may be used any number of times. */
  readonly secretIdNumUses: number;
  /** Seconds; 0: secret IDs never expire. */
  readonly secretIdTtl: number;
  readonly localSecretIds: boolean;
  readonly token: TokenSettings;
}

interface RoleIdIndexEntry {
  readonly name: string;
}

const ROLE_PREFIX = 'role/';
const ROLE_ID_PREFIX = 'role_id/';

export function readRole(storage: SecureStorage, name: string): Promise<RoleEntry | undefined> {
  return getJson<RoleEntry>(storage, ROLE_PREFIX + name.toLowerCase());
}

export function listRoles(storage: SecureStorage): Promise<string[]> {
  return storage.list(ROLE_PREFIX);
}

/** The role that `roleId` belongs to, through the HMAC index. */
export async function roleByRoleId(storage: SecureStorage, salt: MountSalt, roleId: string): Promise<RoleEntry | undefined> {
  const index = await getJson<RoleIdIndexEntry>(storage, ROLE_ID_PREFIX + (await salt.hmac(roleId)));
  if (index === undefined) return undefined;
  const role = await readRole(storage, index.name);
  return role !== undefined && secretsEqual(role.roleId, roleId) ? role : undefined;
}

/**
 * Writes `role` and its role ID index in one transaction, dropping the index of `previousRoleId`
 * when the role ID changed. Refuses a role without any constraint and a role ID another role has.
 */
export async function saveRole(storage: SecureStorage, salt: MountSalt, role: RoleEntry, previousRoleId?: string): Promise<void> {
  if (!hasConstraint(role)) throw new SealboxError('invalid_request', 'at least one constraint should be enabled on the role');
  const indexKey = ROLE_ID_PREFIX + (await salt.hmac(role.roleId));
  const holder = await getJson<RoleIdIndexEntry>(storage, indexKey);
  if (holder !== undefined && holder.name !== role.name) throw new SealboxError('invalid_request', 'role_id already in use');
  const operations: TxnOperation[] = [
    { type: 'put', key: ROLE_PREFIX + role.name, value: json(role) },
    { type: 'put', key: indexKey, value: json({ name: role.name } satisfies RoleIdIndexEntry) },
  ];
  if (previousRoleId !== undefined && previousRoleId !== role.roleId) {
    operations.push({ type: 'delete', key: ROLE_ID_PREFIX + (await salt.hmac(previousRoleId)) });
  }
  await storage.transaction(operations);
}

/** Removes the role and its role ID index; its secret IDs are flushed by the caller first. */
export async function removeRole(storage: SecureStorage, salt: MountSalt, role: RoleEntry): Promise<void> {
  await storage.transaction([
    { type: 'delete', key: ROLE_ID_PREFIX + (await salt.hmac(role.roleId)) },
    { type: 'delete', key: ROLE_PREFIX + role.name },
  ]);
}

/** Vault refuses a role anyone holding the role ID could log in with from anywhere. */
function hasConstraint(role: RoleEntry): boolean {
  return role.bindSecretId || role.secretIdBoundCidrs.length > 0 || role.token.boundCidrs.length > 0;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
