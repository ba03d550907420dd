import { SealboxError } from '../../../lib/errors.ts';
import type { KeyedMutex } from '../../../lib/keyed-mutex.ts';
import type { MountSalt } from './mount-salt.ts';
import type { SecretIdStore } from './secret-id-store.ts';

/** What the AppRole path handlers share within one mount. */
export interface AppRoleDeps {
  readonly salt: MountSalt;
  readonly locks: KeyedMutex;
  readonly secretIds: SecretIdStore;
  /** Longest secret ID lifetime in seconds (the mount's max lease TTL); 0 for no cap. */
  readonly maxSecretIdTtl: number;
}

/** Vault's GenericNameRegex: word characters, with dots and dashes inside. */
export const NAME_PATTERN = String.raw`\w(?:[\w.-]*\w)?`;

/**
 * Vault caps role names at 4096 bytes; here they are part of storage keys, which are capped at
 * 4096 bytes whole, so the cap is lower.
 */
const MAX_ROLE_NAME_BYTES = 1024;

/** The role name of the path, lower-cased (role names are case-insensitive) and length-checked. */
export function roleNameOf(fields: { string(name: string): string | undefined }): string {
  const name = (fields.string('role_name') ?? '').toLowerCase();
  if (Buffer.byteLength(name) > MAX_ROLE_NAME_BYTES) {
    throw new SealboxError('invalid_request', `role_name is longer than maximum of ${MAX_ROLE_NAME_BYTES} bytes`);
  }
  return name;
}
