import { SealboxError } from '../../lib/errors.ts';
import { decrypt, encrypt } from '../barrier/aes-gcm.ts';
import type { PhysicalBackend, TxnOperation } from '../storage/physical-backend.ts';
import type { SealConfig } from './seal-config.ts';

const SEAL_CONFIG_PATH = 'core/seal-config';
const STORED_KEYS_PATH = 'core/hsm/barrier-unseal-keys';
/** Vault keeps PGP-encrypted shares of a rekey here, outside the barrier, when asked for a backup. */
const REKEY_BACKUP_PATH = 'core/unseal-keys-backup';

type PutOperation = Extract<TxnOperation, { type: 'put' }>;

/** What Vault stores at core/unseal-keys-backup: the rekey nonce and the hex PGP-encrypted shares by key fingerprint. */
export interface RekeyBackup {
  readonly nonce: string;
  readonly keys: Readonly<Record<string, readonly string[]>>;
}

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
    await this.#apply(this.configOperation(config));
  }

  async storeRootKey(unsealKey: Uint8Array, rootKey: Buffer): Promise<void> {
    await this.#apply(this.rootKeyOperation(unsealKey, rootKey));
  }

  /** The write of `config`, for a caller that commits it in a transaction with other changes. */
  configOperation(config: SealConfig): PutOperation {
    return { type: 'put', key: SEAL_CONFIG_PATH, value: Buffer.from(JSON.stringify(config), 'utf8') };
  }

  /** The write of `rootKey` under `unsealKey`, for a caller that commits it with other changes. */
  rootKeyOperation(unsealKey: Uint8Array, rootKey: Uint8Array): PutOperation {
    const blob = Buffer.from(JSON.stringify([Buffer.from(rootKey).toString('base64')]), 'utf8');
    const value = encrypt(unsealKey, 0, STORED_KEYS_PATH, blob);
    blob.fill(0);
    return { type: 'put', key: STORED_KEYS_PATH, value };
  }

  /** Throws with Vault's message when the unseal key does not open the stored root key. */
  async recoverRootKey(unsealKey: Uint8Array): Promise<Buffer> {
    const rootKey = await this.openRootKey(unsealKey);
    if (rootKey === undefined) {
      // A wrong share set and a damaged entry look the same from here, so Vault answers 500.
      throw new SealboxError('internal', `unable to retrieve stored keys: ${WRONG_UNSEAL_KEY}`, { expose: true });
    }
    return rootKey;
  }

  /** The stored root key, or undefined when `unsealKey` does not open it. */
  async openRootKey(unsealKey: Uint8Array): Promise<Buffer | undefined> {
    const stored = await this.#physical.get(STORED_KEYS_PATH);
    if (stored === undefined) throw new SealboxError('internal', 'unable to retrieve stored keys: no stored keys found');
    let blob: Buffer;
    try {
      blob = decrypt(unsealKey, STORED_KEYS_PATH, stored);
    } catch {
      return undefined;
    }
    const [rootKey] = JSON.parse(blob.toString('utf8')) as string[];
    blob.fill(0);
    if (rootKey === undefined) throw new SealboxError('internal', 'unable to retrieve stored keys: no root key');
    return Buffer.from(rootKey, 'base64');
  }

  /** A rekey backup left by Vault (this server never writes one: it has no PGP support). */
  async readRekeyBackup(): Promise<RekeyBackup | undefined> {
    const bytes = await this.#physical.get(REKEY_BACKUP_PATH);
    if (bytes === undefined) return undefined;
    const stored = JSON.parse(Buffer.from(bytes).toString('utf8')) as { Nonce?: string; Keys?: Record<string, string[]> };
    return { nonce: stored.Nonce ?? '', keys: stored.Keys ?? {} };
  }

  async deleteRekeyBackup(): Promise<void> {
    await this.#physical.delete(REKEY_BACKUP_PATH);
  }

  async #apply(operation: PutOperation): Promise<void> {
    await this.#physical.put(operation.key, operation.value);
  }
}

/** What Vault says when a combined unseal key does not open the stored keys. */
export const WRONG_UNSEAL_KEY = 'failed to decrypt encrypted stored keys: cipher: message authentication failed';
