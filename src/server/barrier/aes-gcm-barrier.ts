import { SealboxError } from '../../lib/errors.ts';
import type { PhysicalBackend, Transactional, TxnOperation } from '../storage/physical-backend.ts';
import { decrypt, encrypt, termOf } from './aes-gcm.ts';
import type { Barrier, KeyStatus } from './barrier.ts';
import { Keyring } from './keyring.ts';
import { StorageView } from './storage-view.ts';

const KEYRING_PATH = 'core/keyring';
/** A copy of the root key inside the barrier, so a node holding only term keys can learn a new root key. */
const ROOT_KEY_PATH = 'core/master';
/** The keyring entry is always written as term 1 under the root key, as in Vault. */
const KEYRING_TERM = 1;

export interface BarrierOptions {
  readonly now?: () => Date;
}

/** AES-256-GCM barrier over a physical backend, with Vault's keyring and ciphertext layout. */
export class AesGcmBarrier implements Barrier {
  readonly #physical: PhysicalBackend & Transactional;
  readonly #now: () => Date;
  #keyring: Keyring | undefined;
  #encryptions = 0;

  constructor(physical: PhysicalBackend & Transactional, options: BarrierOptions = {}) {
    this.#physical = physical;
    this.#now = options.now ?? (() => new Date());
  }

  get sealed(): boolean {
    return this.#keyring === undefined;
  }

  async isInitialized(): Promise<boolean> {
    return (await this.#physical.get(KEYRING_PATH)) !== undefined;
  }

  async initialize(rootKey: Buffer): Promise<void> {
    const keyring = Keyring.create(Buffer.from(rootKey), this.#now());
    await this.#persistKeyring(keyring);
    keyring.zero();
  }

  async unseal(rootKey: Buffer): Promise<void> {
    if (this.#keyring !== undefined) return;
    const stored = await this.#physical.get(KEYRING_PATH);
    if (stored === undefined) throw new SealboxError('not_initialized', 'Vault is not initialized');
    const plaintext = decrypt(rootKey, KEYRING_PATH, stored);
    this.#keyring = Keyring.deserialize(plaintext);
    plaintext.fill(0);
    this.#encryptions = 0;
  }

  seal(): void {
    this.#keyring?.zero();
    this.#keyring = undefined;
  }

  async rotate(): Promise<KeyStatus> {
    const keyring = this.#open().rotated(this.#now());
    await this.#persistKeyring(keyring);
    this.#keyring = keyring;
    this.#encryptions = 0;
    return this.keyStatus();
  }

  keyStatus(): KeyStatus {
    const key = this.#open().activeKey();
    return { term: key.term, installTime: key.installTime, encryptions: this.#encryptions };
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const keyring = this.#open();
    const ciphertext = await this.#physical.get(key);
    if (ciphertext === undefined) return undefined;
    const termKey = keyring.key(termOf(ciphertext));
    if (termKey === undefined) {
      throw new SealboxError('internal', `no decryption key available for term ${termOf(ciphertext)}`);
    }
    return decrypt(termKey.value, key, ciphertext);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.#physical.put(key, this.#seal(key, value));
  }

  async delete(key: string): Promise<void> {
    this.#open();
    await this.#physical.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    this.#open();
    return this.#physical.list(prefix);
  }

  async transaction(operations: readonly TxnOperation[]): Promise<void> {
    const encrypted = operations.map((op): TxnOperation =>
      op.type === 'put' ? { type: 'put', key: op.key, value: this.#seal(op.key, op.value) } : op,
    );
    await this.#commit(encrypted);
  }

  view(prefix: string): StorageView {
    return new StorageView(this, prefix);
  }

  #seal(key: string, value: Uint8Array): Buffer {
    const active = this.#open().activeKey();
    this.#encryptions += 1;
    return encrypt(active.value, active.term, key, value);
  }

  #open(): Keyring {
    if (this.#keyring === undefined) throw new SealboxError('sealed', 'Vault is sealed');
    return this.#keyring;
  }

  /** The keyring under the root key, then the root key under the active term, in one write. */
  async #persistKeyring(keyring: Keyring): Promise<void> {
    const active = keyring.activeKey();
    const rootKeyEntry = JSON.stringify({
      Term: active.term,
      Version: 1,
      Value: keyring.rootKey.toString('base64'),
      InstallTime: active.installTime.toISOString(),
    });
    const operations: TxnOperation[] = [
      { type: 'put', key: KEYRING_PATH, value: encrypt(keyring.rootKey, KEYRING_TERM, KEYRING_PATH, keyring.serialize()) },
      { type: 'put', key: ROOT_KEY_PATH, value: encrypt(active.value, active.term, ROOT_KEY_PATH, Buffer.from(rootKeyEntry)) },
    ];
    await this.#commit(operations);
  }

  async #commit(operations: readonly TxnOperation[]): Promise<void> {
    const applied = await this.#physical.transaction(operations);
    if (!applied) throw new SealboxError('internal', 'storage transaction was not applied');
  }
}
