import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import type { SecureStorage } from '../../barrier/secure-storage.ts';

const SALT_KEY = 'salt';
const SALT_BYTES = 32;

/**
 * A random key kept in the mount's own storage, for HMACs of role IDs, secret IDs and accessors:
 * storage keys are plaintext, so those values appear in keys only as HMACs under this salt.
 */
export class MountSalt {
  readonly #storage: SecureStorage;
  // A KeyObject, made once: Node imports a Buffer key anew on every createHmac, which costs more than the HMAC.
  #salt: Promise<KeyObject> | undefined;

  constructor(storage: SecureStorage) {
    this.#storage = storage;
  }

  async hmac(value: string): Promise<string> {
    return createHmac('sha256', await this.#key()).update(value, 'utf8').digest('hex');
  }

  #key(): Promise<KeyObject> {
    if (this.#salt === undefined) {
      this.#salt = this.#loadOrCreate().then((salt) => createSecretKey(salt));
      // A failed load (sealed, storage down) must not be remembered: the next request tries again.
      this.#salt.catch(() => {
        this.#salt = undefined;
      });
    }
    return this.#salt;
  }

  async #loadOrCreate(): Promise<Buffer> {
    const stored = await this.#storage.get(SALT_KEY);
    if (stored !== undefined) return Buffer.from(stored);
    const salt = randomBytes(SALT_BYTES);
    await this.#storage.put(SALT_KEY, salt);
    return salt;
  }
}
