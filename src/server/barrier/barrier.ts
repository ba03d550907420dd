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
  seal(): void;
  rotate(): Promise<KeyStatus>;
  keyStatus(): KeyStatus;
  view(prefix: string): StorageView;
}
