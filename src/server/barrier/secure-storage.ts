import type { TxnOperation } from '../storage/physical-backend.ts';

/**
 * Storage inside the barrier: the PhysicalBackend operations over plaintext values, which the
 * barrier encrypts on the way down. Backends, the token store and sys/ see only this.
 */
export interface SecureStorage {
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  delete(key: string): Promise<void>;
  list(prefix: string): Promise<string[]>;
  /** All operations apply, or none does. */
  transaction(operations: readonly TxnOperation[]): Promise<void>;
}

export async function getJson<T>(storage: SecureStorage, key: string): Promise<T | undefined> {
  const value = await storage.get(key);
  return value === undefined ? undefined : (JSON.parse(Buffer.from(value).toString('utf8')) as T);
}

export async function putJson(storage: SecureStorage, key: string, value: unknown): Promise<void> {
  await storage.put(key, Buffer.from(JSON.stringify(value), 'utf8'));
}

/** Deletes every key below `prefix` ('' for the whole view), depth first. */
export async function deleteTree(storage: SecureStorage, prefix = ''): Promise<void> {
  for (const name of await storage.list(prefix)) {
    if (name.endsWith('/')) await deleteTree(storage, prefix + name);
    else await storage.delete(prefix + name);
  }
}
