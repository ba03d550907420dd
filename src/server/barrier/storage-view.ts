import { SealboxError } from '../../lib/errors.ts';
import type { TxnOperation } from '../storage/physical-backend.ts';
import type { SecureStorage } from './secure-storage.ts';

/**
 * A subtree of secure storage. Every key is checked before the prefix is added, so a mount given
 * `logical/<uuid>/` cannot name a key outside it.
 */
export class StorageView implements SecureStorage {
  readonly prefix: string;
  readonly #inner: SecureStorage;

  constructor(inner: SecureStorage, prefix: string) {
    if (prefix !== '' && !prefix.endsWith('/')) throw new SealboxError('internal', 'a view prefix must end with /');
    this.#inner = inner;
    this.prefix = prefix;
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#inner.get(this.#expand(key));
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    return this.#inner.put(this.#expand(key), value);
  }

  async delete(key: string): Promise<void> {
    return this.#inner.delete(this.#expand(key));
  }

  async list(prefix: string): Promise<string[]> {
    return this.#inner.list(prefix === '' ? this.prefix : this.#expand(prefix));
  }

  async transaction(operations: readonly TxnOperation[]): Promise<void> {
    return this.#inner.transaction(operations.map((op) => ({ ...op, key: this.#expand(op.key) })));
  }

  view(prefix: string): StorageView {
    return new StorageView(this, prefix);
  }

  #expand(key: string): string {
    if (key.startsWith('/') || key.split('/').some((segment) => segment === '..' || segment === '.')) {
      throw new SealboxError('invalid_request', 'path cannot contain parent references');
    }
    if (key.includes('\0')) throw new SealboxError('invalid_request', 'path cannot contain NUL bytes');
    return this.prefix + key;
  }
}
