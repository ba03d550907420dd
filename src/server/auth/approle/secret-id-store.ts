import { uuid } from '../../../lib/random-id.ts';
import { SealboxError } from '../../../lib/errors.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson } from '../../barrier/secure-storage.ts';
import type { TxnOperation } from '../../storage/physical-backend.ts';
import type { KeyedMutex } from '../../../lib/keyed-mutex.ts';
import type { MountSalt } from './mount-salt.ts';

/** A secret ID's properties. The secret ID itself is kept nowhere: entries are keyed by its HMAC. */
export interface SecretIdEntry {
  readonly accessor: string;
  /** Logins left; 0 for unlimited. */
  readonly numUses: number;
  /** Seconds; 0 for no expiry. */
  readonly ttl: number;
  /** Unix milliseconds. */
  readonly creationTime: number;
  /** Unix milliseconds; 0 for never. */
  readonly expirationTime: number;
  readonly lastUpdatedTime: number;
  readonly metadata: Readonly<Record<string, string>>;
  readonly cidrList: readonly string[];
  readonly tokenBoundCidrs: readonly string[];
}

export type SecretIdSpec = Pick<SecretIdEntry, 'numUses' | 'ttl' | 'metadata' | 'cidrList' | 'tokenBoundCidrs'>;

interface AccessorEntry {
  readonly secretIdHmac: string;
  readonly roleName: string;
}

export interface SecretIdStoreOptions {
  readonly salt: MountSalt;
  readonly locks: KeyedMutex;
  readonly now: () => Date;
}

const SECRET_ID_PREFIX = 'secret_id/';
const ACCESSOR_PREFIX = 'accessor/';
/** etcd refuses transactions of more than 128 operations by default. */
const OPERATIONS_PER_TRANSACTION = 64;

/**
 * Secret IDs of AppRole roles at secret_id/<role>/<hmac(secret id)>, with an index from the HMAC of
 * each accessor at accessor/<hmac(accessor)>. Every change of one secret ID runs under its lock, so
 * that a use count is spent exactly once per login.
 */
export class SecretIdStore {
  readonly #salt: MountSalt;
  readonly #locks: KeyedMutex;
  readonly #now: () => Date;

  constructor(options: SecretIdStoreOptions) {
    this.#salt = options.salt;
    this.#locks = options.locks;
    this.#now = options.now;
  }

  async register(storage: SecureStorage, roleName: string, secretId: string, spec: SecretIdSpec): Promise<SecretIdEntry> {
    const hmac = await this.#salt.hmac(secretId);
    const key = secretIdKey(roleName, hmac);
    return this.#locks.run(key, async () => {
      if ((await storage.get(key)) !== undefined) throw new SealboxError('invalid_request', 'SecretID is already registered');
      const now = this.#now().getTime();
      const entry: SecretIdEntry = {
        ...spec,
        accessor: uuid(),
        creationTime: now,
        lastUpdatedTime: now,
        expirationTime: spec.ttl > 0 ? now + spec.ttl * 1000 : 0,
      };
      const accessor: AccessorEntry = { secretIdHmac: hmac, roleName };
      await storage.transaction([
        { type: 'put', key: await this.#accessorKey(entry.accessor), value: json(accessor) },
        { type: 'put', key, value: json(entry) },
      ]);
      return entry;
    });
  }

  /** The live entry of `secretId`; expired ones read as absent. */
  async lookup(storage: SecureStorage, roleName: string, secretId: string): Promise<SecretIdEntry | undefined> {
    const entry = await getJson<SecretIdEntry>(storage, secretIdKey(roleName, await this.#salt.hmac(secretId)));
    return entry === undefined || this.#expired(entry) ? undefined : entry;
  }

  async lookupByAccessor(storage: SecureStorage, roleName: string, accessor: string): Promise<SecretIdEntry | undefined> {
    const index = await this.#accessorEntry(storage, roleName, accessor);
    if (index === undefined) return undefined;
    const entry = await getJson<SecretIdEntry>(storage, secretIdKey(roleName, index.secretIdHmac));
    return entry === undefined || this.#expired(entry) ? undefined : entry;
  }

  async destroy(storage: SecureStorage, roleName: string, secretId: string): Promise<void> {
    const key = secretIdKey(roleName, await this.#salt.hmac(secretId));
    await this.#locks.run(key, () => this.#remove(storage, key));
  }

  /** Whether the accessor named a secret ID of the role, which is now gone. */
  async destroyByAccessor(storage: SecureStorage, roleName: string, accessor: string): Promise<boolean> {
    const index = await this.#accessorEntry(storage, roleName, accessor);
    if (index === undefined) return false;
    const key = secretIdKey(roleName, index.secretIdHmac);
    await this.#locks.run(key, async () => {
      await this.#remove(storage, key);
      await storage.delete(await this.#accessorKey(accessor));
    });
    return true;
  }

  /**
   * Spends one use of `secretId` for a login: undefined when it is unknown, expired or orphaned
   * (those are removed). `check` runs first, under the lock; if it throws, no use is spent.
   */
  async use(
    storage: SecureStorage,
    roleName: string,
    secretId: string,
    check: (entry: SecretIdEntry) => void,
  ): Promise<SecretIdEntry | undefined> {
    const key = secretIdKey(roleName, await this.#salt.hmac(secretId));
    return this.#locks.run(key, async () => {
      const entry = await getJson<SecretIdEntry>(storage, key);
      if (entry === undefined) return undefined;
      if (this.#expired(entry) || (await storage.get(await this.#accessorKey(entry.accessor))) === undefined) {
        await this.#remove(storage, key);
        return undefined;
      }
      check(entry);
      if (entry.numUses === 1) await this.#remove(storage, key);
      if (entry.numUses > 1) await storage.put(key, json({ ...entry, numUses: entry.numUses - 1, lastUpdatedTime: this.#now().getTime() }));
      return entry;
    });
  }

  async accessors(storage: SecureStorage, roleName: string): Promise<string[]> {
    const accessors: string[] = [];
    for (const hmac of await storage.list(secretIdKey(roleName, ''))) {
      const entry = await getJson<SecretIdEntry>(storage, secretIdKey(roleName, hmac));
      if (entry !== undefined) accessors.push(entry.accessor);
    }
    return accessors;
  }

  /** Removes every secret ID of the role, before the role itself goes. */
  async flush(storage: SecureStorage, roleName: string): Promise<void> {
    const operations: TxnOperation[] = [];
    for (const hmac of await storage.list(secretIdKey(roleName, ''))) {
      const key = secretIdKey(roleName, hmac);
      const entry = await getJson<SecretIdEntry>(storage, key);
      if (entry !== undefined) operations.push({ type: 'delete', key: await this.#accessorKey(entry.accessor) });
      operations.push({ type: 'delete', key });
    }
    for (let start = 0; start < operations.length; start += OPERATIONS_PER_TRANSACTION) {
      await storage.transaction(operations.slice(start, start + OPERATIONS_PER_TRANSACTION));
    }
  }

  /** Removes expired secret IDs and index entries that lost their other half; returns how many went. */
  async tidy(storage: SecureStorage): Promise<number> {
    let removed = 0;
    for (const roleDir of await storage.list(SECRET_ID_PREFIX)) {
      if (!roleDir.endsWith('/')) continue;
      const roleName = roleDir.slice(0, -1);
      for (const hmac of await storage.list(secretIdKey(roleName, ''))) {
        if (await this.#tidyOne(storage, secretIdKey(roleName, hmac))) removed += 1;
      }
    }
    for (const name of await storage.list(ACCESSOR_PREFIX)) {
      const index = await getJson<AccessorEntry>(storage, ACCESSOR_PREFIX + name);
      if (index === undefined || (await storage.get(secretIdKey(index.roleName, index.secretIdHmac))) !== undefined) continue;
      await storage.delete(ACCESSOR_PREFIX + name);
      removed += 1;
    }
    return removed;
  }

  async #tidyOne(storage: SecureStorage, key: string): Promise<boolean> {
    return this.#locks.run(key, async () => {
      const entry = await getJson<SecretIdEntry>(storage, key);
      if (entry === undefined) return false;
      const orphaned = (await storage.get(await this.#accessorKey(entry.accessor))) === undefined;
      if (!orphaned && !this.#expired(entry)) return false;
      await this.#remove(storage, key);
      return true;
    });
  }

  /** Deletes the entry at `key` and its accessor index together; call with the key's lock held. */
  async #remove(storage: SecureStorage, key: string): Promise<void> {
    const entry = await getJson<SecretIdEntry>(storage, key);
    if (entry === undefined) return;
    await storage.transaction([
      { type: 'delete', key: await this.#accessorKey(entry.accessor) },
      { type: 'delete', key },
    ]);
  }

  async #accessorEntry(storage: SecureStorage, roleName: string, accessor: string): Promise<AccessorEntry | undefined> {
    const index = await getJson<AccessorEntry>(storage, await this.#accessorKey(accessor));
    return index?.roleName === roleName ? index : undefined;
  }

  async #accessorKey(accessor: string): Promise<string> {
    return ACCESSOR_PREFIX + (await this.#salt.hmac(accessor));
  }

  #expired(entry: SecretIdEntry): boolean {
    return entry.expirationTime !== 0 && this.#now().getTime() >= entry.expirationTime;
  }
}

function secretIdKey(roleName: string, hmac: string): string {
  return `${SECRET_ID_PREFIX}${roleName}/${hmac}`;
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
