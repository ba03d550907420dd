/**
 * The storage contract. Keys are '/'-separated strings without a leading '/'; values are opaque
 * bytes (ciphertext from the barrier, except core/seal-config). Not-found is `undefined`.
 * Failures to reach the storage throw SealboxError('storage_unavailable').
 */
export interface PhysicalBackend {
  /** The name of the mechanism, as in the config (`inmem`, `file`, `etcd`). */
  readonly type: string;
  get(key: string): Promise<Uint8Array | undefined>;
  put(key: string, value: Uint8Array): Promise<void>;
  /** Deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * The direct children of `prefix` (which is '' or ends with '/'), sorted: keys as their last
   * segment, sub-folders as their segment with a trailing '/'.
   */
  list(prefix: string): Promise<string[]>;
  close(): Promise<void>;
}

export type TxnOperation =
  | { readonly type: 'put'; readonly key: string; readonly value: Uint8Array }
  | { readonly type: 'delete'; readonly key: string };

/** A precondition of a transaction: the key holds exactly `value`, or is absent when undefined. */
export interface TxnCondition {
  readonly key: string;
  readonly value: Uint8Array | undefined;
}

export interface Transactional {
  /**
   * Applies every operation atomically if every condition holds; returns whether it applied.
   * Operations apply in order, so a later put to the same key wins.
   */
  transaction(operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]): Promise<boolean>;
}

/** A lock held by this node. */
export interface HeldLock {
  /** Settles when the lock is lost (lease expired, key deleted, storage gone) or released. */
  readonly lost: Promise<void>;
  release(): Promise<void>;
}

export interface HALock {
  /**
   * Waits until this node holds the lock `name`, bound to a lease of `ttlSeconds` kept alive in the
   * background, with `value` as the lock's value; rejects with an AbortError when `signal` aborts.
   */
  acquireLock(name: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<HeldLock>;
  /** The value of the current holder of `name`, if any. */
  lockHolder(name: string): Promise<string | undefined>;
  /**
   * A transaction condition that holds only while `value` holds lock `name`: the active node adds
   * it to every write, so a node that lost the lock cannot write (fencing).
   */
  lockCondition(name: string, value: string): TxnCondition;
}

export interface StorageChange {
  readonly key: string;
  readonly type: 'put' | 'delete';
  /** The storage's revision of the change, when it numbers its changes (etcd). */
  readonly revision?: number;
}

/**
 * Transactions that tell the storage revision they were committed at, in the numbering of the
 * watch's changes: a cache can then keep what it wrote and know the watch event of its own write.
 */
export interface RevisionedWrites {
  /** As Transactional.transaction: the revision of the commit when it applied, undefined when a condition failed. */
  commit(operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]): Promise<number | undefined>;
}

export interface Watchable {
  /**
   * Calls `listener` for every change below `prefix` until the returned function is called;
   * `onInterrupt` when the watch broke or restarted and changes may have been missed, with `ended`
   * true when it will deliver nothing more (cancelled by the storage, e.g. after a compaction).
   */
  watch(prefix: string, listener: (change: StorageChange) => void, onInterrupt?: (ended: boolean) => void): Promise<() => Promise<void>>;
}

export function isTransactional(backend: PhysicalBackend): backend is PhysicalBackend & Transactional {
  return typeof (backend as Partial<Transactional>).transaction === 'function';
}

export function isHALock(backend: PhysicalBackend): backend is PhysicalBackend & HALock {
  return typeof (backend as Partial<HALock>).acquireLock === 'function';
}

export function hasRevisionedWrites(backend: PhysicalBackend): backend is PhysicalBackend & RevisionedWrites {
  return typeof (backend as Partial<RevisionedWrites>).commit === 'function';
}

export function isWatchable(backend: PhysicalBackend): backend is PhysicalBackend & Watchable {
  return typeof (backend as Partial<Watchable>).watch === 'function';
}
