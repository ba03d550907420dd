import { SealboxError } from '../../lib/errors.ts';
import { decrypt, encrypt } from '../barrier/aes-gcm.ts';
import type { PhysicalBackend } from '../storage/physical-backend.ts';
import type { SealConfig } from './seal-config.ts';

const SEAL_CONFIG_PATH = 'core/seal-config';
const STORED_KEYS_PATH = 'core/hsm/barrier-unseal-keys';

/**
 * The Shamir seal: the plaintext seal configuration, and the root key stored encrypted under the
 * unseal key that the operators' shares combine to.
 */
export class ShamirSeal {
  readonly #physical: PhysicalBackend;

  constructor(physical: PhysicalBackend) {
    this.#physical = physical;
  }

  async readConfig(): Promise<SealConfig | undefined> {
    const bytes = await this.#physical.get(SEAL_CONFIG_PATH);
    if (bytes === undefined) return undefined;
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as SealConfig;
  }

  async writeConfig(config: SealConfig): Promise<void> {
    await this.#physical.put(SEAL_CONFIG_PATH, Buffer.from(JSON.stringify(config), 'utf8'));
  }

  async storeRootKey(unsealKey: Uint8Array, rootKey: Buffer): Promise<void> {
    const blob = Buffer.from(JSON.stringify([rootKey.toString('base64')]), 'utf8');
    await this.#physical.put(STORED_KEYS_PATH, encrypt(unsealKey, 0, STORED_KEYS_PATH, blob));
    blob.fill(0);
  }

  /** Throws with Vault's message when the unseal key does not open the stored root key. */
  async recoverRootKey(unsealKey: Uint8Array): Promise<Buffer> {
    const stored = await this.#physical.get(STORED_KEYS_PATH);
    if (stored === undefined) throw new SealboxError('internal', 'unable to retrieve stored keys: no stored keys found');
    let blob: Buffer;
    try {
      blob = decrypt(unsealKey, STORED_KEYS_PATH, stored);
    } catch {
      // A wrong share set and a damaged entry look the same from here, so Vault answers 500.
      throw new SealboxError(
        'internal',
        'unable to retrieve stored keys: failed to decrypt encrypted stored keys: cipher: message authentication failed',
        { expose: true },
      );
    }
    const [rootKey] = JSON.parse(blob.toString('utf8')) as string[];
    blob.fill(0);
    if (rootKey === undefined) throw new SealboxError('internal', 'unable to retrieve stored keys: no root key');
    return Buffer.from(rootKey, 'base64');
  }
}
