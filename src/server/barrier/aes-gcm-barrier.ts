import { createSecretKey } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { secretsEqual } from '../../lib/constant-time.ts';
import { SealboxError } from '../../lib/errors.ts';
import { RandomPool } from '../../lib/random-pool.ts';
import { SerialQueue } from '../../lib/serial-queue.ts';
import type { PhysicalBackend, Transactional, TxnOperation } from '../storage/physical-backend.ts';
import { decrypt, encrypt, termOf } from './aes-gcm.ts';
import type { Barrier, KeyStatus } from './barrier.ts';
import type { RotationConfig } from './keyring.ts';
import { Keyring } from './keyring.ts';
import { PlaintextCache } from './plaintext-cache.ts';
import { StorageView } from './storage-view.ts';

const KEYRING_PATH = 'core/keyring';
/** A copy of the root key inside the barrier, so a node holding only term keys can learn a new root key. */
const ROOT_KEY_PATH = 'core/master';
/** The keyring entry is always written as term 1 under the root key, as in Vault. */
const KEYRING_TERM = 1;

export interface BarrierOptions {
  readonly now?: () => Date;
  /** The physical backend is a storage cache: it hands out the same ciphertext object for a key until the key changes. */
  readonly storageCached?: boolean;
}

/** AES-256-GCM barrier over a physical backend, with Vault's keyring and ciphertext layout. */
export class AesGcmBarrier implements Barrier {
  readonly #physical: PhysicalBackend & Transactional;
  readonly #now: () => Date;
  /** Rotation, rekey and rotation settings each derive a new keyring from the current one: never two at once. */
  readonly #keyringChanges = new SerialQueue();
  #keyring: Keyring | undefined;
  /**
   * Term keys as KeyObjects, made once per key: Node imports a Buffer key anew on every cipher,
   * which costs more than the AES-GCM of a small entry. Dropped with the keyring on seal.
   */
  #keyObjects = new WeakMap<Buffer, KeyObject>();
  /** Warm reads (tokens, policies, secrets) decrypt once per cached ciphertext; zeroed on seal. */
  readonly #plaintexts: PlaintextCache;
  /** Nonces for every entry written. */
  readonly #random = new RandomPool();
  #encryptions = 0;
  #persistedEncryptions = 0;
  #rotationDue: (() => void) | undefined;

  constructor(physical: PhysicalBackend & Transactional, options: BarrierOptions = {}) {
    this.#physical = physical;
    this.#now = options.now ?? (() => new Date());
    this.#plaintexts = new PlaintextCache({ storageCached: options.storageCached === true });
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
    this.#encryptions = this.#keyring.encryptions;
    this.#persistedEncryptions = this.#encryptions;
  }

  /**
   * Re-reads a keyring that another node changed. A rotation is readable with the root key this
   * node has; after a rekey the new root key comes from core/master, which the term keys open.
   */
  async reload(): Promise<void> {
    const current = this.#open();
    const stored = await this.#physical.get(KEYRING_PATH);
    if (stored === undefined) throw new SealboxError('internal', 'the keyring is missing from storage');
    let plaintext: Buffer;
    try {
      plaintext = decrypt(current.rootKey, KEYRING_PATH, stored);
    } catch {
      const entry = JSON.parse(Buffer.from((await this.get(ROOT_KEY_PATH)) ?? []).toString('utf8')) as { Value: string };
      plaintext = decrypt(Buffer.from(entry.Value, 'base64'), KEYRING_PATH, stored);
    }
    this.#keyring = Keyring.deserialize(plaintext);
    plaintext.fill(0);
    current.zero();
  }

  seal(): void {
    this.#keyring?.zero();
    this.#keyring = undefined;
    this.#keyObjects = new WeakMap();
    this.#plaintexts.clear();
  }

  rotate(): Promise<KeyStatus> {
    return this.#keyringChanges.run(async () => {
      const base = this.#open();
      const keyring = base.rotated(this.#now());
      await this.#commit(this.#keyringOperations(keyring));
      if (this.#install(base, keyring)) {
        this.#encryptions = 0;
        this.#persistedEncryptions = 0;
      }
      return this.keyStatus();
    });
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
    return this.#plaintexts.open(key, ciphertext, () => decrypt(this.#keyObject(termKey.value), key, ciphertext));
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

  isRootKey(rootKey: Uint8Array): boolean {
    return secretsEqual(this.#open().rootKey, rootKey);
  }

  rekey(newRootKey: Uint8Array, alongside: readonly TxnOperation[]): Promise<void> {
    return this.#keyringChanges.run(async () => {
      const base = this.#open();
      const keyring = this.#counted(base).withRootKey(Buffer.from(newRootKey));
      await this.#commit([...this.#keyringOperations(keyring), ...alongside]);
      // The old root key no longer opens anything worth keeping; term keys are shared, so only it is wiped.
      if (this.#install(base, keyring)) base.rootKey.fill(0);
    });
  }

  rotationConfig(): RotationConfig {
    return this.#open().rotation;
  }

  setRotationConfig(config: RotationConfig): Promise<void> {
    return this.#keyringChanges.run(async () => {
      const base = this.#open();
      const keyring = this.#counted(base).withRotation(config);
      await this.#commit(this.#keyringOperations(keyring));
      this.#install(base, keyring);
    });
  }

  persistEncryptions(): Promise<void> {
    return this.#keyringChanges.run(async () => {
      const base = this.#open();
      if (this.#encryptions === this.#persistedEncryptions) return;
      const keyring = this.#counted(base);
      await this.#commit(this.#keyringOperations(keyring));
      this.#install(base, keyring);
    });
  }

  onRotationDue(listener: (() => void) | undefined): void {
    this.#rotationDue = listener;
  }

  #keyObject(key: Buffer): KeyObject {
    let keyObject = this.#keyObjects.get(key);
    if (keyObject === undefined) {
      keyObject = createSecretKey(key);
      this.#keyObjects.set(key, keyObject);
    }
    return keyObject;
  }

  #seal(key: string, value: Uint8Array): Buffer {
    const keyring = this.#open();
    const active = keyring.activeKey();
    this.#encryptions += 1;
    const ciphertext = encrypt(this.#keyObject(active.value), active.term, key, value, this.#random.bytes);
    this.#plaintexts.sealed(key, ciphertext, value);
    const { disabled, maxOperations } = keyring.rotation;
    if (!disabled && this.#encryptions >= maxOperations) this.#rotationDue?.();
    return ciphertext;
  }

  /** The keyring with the live encryption count, ready to be persisted. */
  #counted(keyring: Keyring): Keyring {
    return keyring.withEncryptions(this.#encryptions);
  }

  /**
   * Makes `next` the keyring in memory unless it changed while `next` was being written (the node
   * sealed): a sealed barrier must not come back to life.
   */
  #install(base: Keyring, next: Keyring): boolean {
    if (this.#keyring !== base) return false;
    this.#keyring = next;
    this.#persistedEncryptions = next.encryptions;
    return true;
  }

  #open(): Keyring {
    if (this.#keyring === undefined) throw new SealboxError('sealed', 'Vault is sealed');
    return this.#keyring;
  }

  async #persistKeyring(keyring: Keyring): Promise<void> {
    await this.#commit(this.#keyringOperations(keyring));
  }

  /** The keyring under the root key, then the root key under the active term, for one write. */
  #keyringOperations(keyring: Keyring): TxnOperation[] {
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
    return operations;
  }

  async #commit(operations: readonly TxnOperation[]): Promise<void> {
    const applied = await this.#physical.transaction(operations);
    if (!applied) throw new SealboxError('internal', 'storage transaction was not applied');
  }
}
