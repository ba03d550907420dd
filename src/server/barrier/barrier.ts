import type { TxnOperation } from '../storage/physical-backend.ts';
import type { RotationConfig } from './keyring.ts';
import type { SecureStorage } from './secure-storage.ts';
import type { StorageView } from './storage-view.ts';

export interface KeyStatus {
  readonly term: number;
  readonly installTime: Date;
  readonly encryptions: number;
}

/** The cryptographic barrier: secure storage that exists only while unsealed. */
export interface Barrier extends SecureStorage {
  readonly sealed: boolean;
  isInitialized(): Promise<boolean>;
  /**
   * Creates and stores the keyring under a new root key, replacing one left by an interrupted
   * init (the core decides whether the node is initialized); leaves the barrier sealed.
   */
  initialize(rootKey: Buffer): Promise<void>;
  /** Opens the keyring with the root key; throws when the key does not open it. */
  unseal(rootKey: Buffer): Promise<void>;
  /** Picks up a keyring that another node rotated or rekeyed. */
  reload(): Promise<void>;
  seal(): void;
  rotate(): Promise<KeyStatus>;
  keyStatus(): KeyStatus;
  view(prefix: string): StorageView;
  /** Whether `rootKey` is the key the keyring is stored under, compared in constant time. */
  isRootKey(rootKey: Uint8Array): boolean;
  /**
   * Re-encrypts the keyring under a new root key and writes it in one storage transaction together
   * with `alongside` (physical operations, written as given), so a rekey replaces all at once.
   */
  rekey(newRootKey: Uint8Array, alongside: readonly TxnOperation[]): Promise<void>;
  rotationConfig(): RotationConfig;
  setRotationConfig(config: RotationConfig): Promise<void>;
  /** Stores the active term's encryption count, so the rotation limit survives restarts. */
  persistEncryptions(): Promise<void>;
  /** Called after an encryption while the active term has reached its rotation limit; undefined stops it. */
  onRotationDue(listener: (() => void) | undefined): void;
}
