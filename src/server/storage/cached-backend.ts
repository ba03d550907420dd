import { setTimeout as sleep } from 'node:timers/promises';
import { LRUCache } from 'lru-cache';
import { describeError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Storage } from './create-storage.ts';
import { finalOperations } from './final-operations.ts';
import type { PhysicalBackend, RevisionedWrites, StorageChange, Transactional, TxnCondition, TxnOperation, Watchable } from './physical-backend.ts';
import { hasRevisionedWrites, isWatchable } from './physical-backend.ts';

export interface CachedBackendOptions {
  /** Entries kept, least recently used first out; Vault's physical cache defaults to 131,072. */
  readonly maxEntries?: number;
  readonly logger?: Logger;
  /** Pause before watching again after the watch could not start or was cancelled. */
  readonly rewatchMs?: number;
}

const DEFAULT_MAX_ENTRIES = 131_072;
const REWATCH_MS = 1_000;
/** Written by other nodes, and read to tell a lost lock apart from a failed condition. */
const UNCACHED_PREFIX = 'core/lock/';

/** A cached read; `value` undefined caches that the key is absent. */
interface Entry {
  readonly value: Uint8Array | undefined;
  /** Set when this node wrote the value, at this revision: a watch event up to it is that write's own. */
  readonly revision?: number;
}

/** This node's writes to one key under way, and the highest revision of the key seen meanwhile. */
interface Flight {
  writers: number;
  seen: number;
}

/** A read from the inner backend that may fill its key if nothing changed the key meanwhile. */
interface Load {
  readonly promise: Promise<Uint8Array | undefined>;
}

/**
 * Vault's physical cache: entries (ciphertext, as stored) kept in memory after a read, so warm
 * token, policy and secret reads do not reach etcd. The node's own writes drop their keys, or on
 * etcd keep the value written at its revision; a storage watch drops keys that anyone else
 * changes; a watch interruption or a change of HA role drops everything. A standby never serves
 * from it, so a cache from an earlier term is never read.
 */
export class CachedBackend implements PhysicalBackend, Transactional {
  readonly #inner: Storage;
  readonly #entries: LRUCache<string, Entry>;
  // Removing a key's load stops a read that raced a change from putting back what it read before.
  readonly #loads = new Map<string, Load>();
  readonly #flights = new Map<string, Flight>();
  readonly #logger: Logger | undefined;
  readonly #rewatchMs: number;
  readonly #closed = new AbortController();
  #serving = false;
  /** Whether every change reaches the cache: always without a watchable backend, else while the watch runs. */
  #watching: boolean;
  #stopWatch: (() => Promise<void>) | undefined;

  private constructor(inner: Storage, options: CachedBackendOptions) {
    this.#inner = inner;
    this.#entries = new LRUCache({ max: options.maxEntries ?? DEFAULT_MAX_ENTRIES });
    this.#logger = options.logger;
    this.#rewatchMs = options.rewatchMs ?? REWATCH_MS;
    this.#watching = !isWatchable(inner);
  }

  /**
   * Watches every change when the backend can watch, in the background: a storage that is down
   * must not stop the server from starting, and until the watch runs every read goes to storage.
   * The cache serves once `serve(true)` is called.
   */
  static create(inner: Storage, options: CachedBackendOptions = {}): CachedBackend {
    const cache = new CachedBackend(inner, options);
    if (isWatchable(inner)) void cache.#watch(inner);
    return cache;
  }

  get type(): string {
    return this.#inner.type;
  }

  /** Number of cached entries, for tests and metrics. */
  get size(): number {
    return this.#entries.size;
  }

  /** Serving starts empty and stopping empties it: a node that becomes active again must not trust what it cached before. */
  serve(serving: boolean): void {
    this.#serving = serving;
    this.#dropAll();
  }

  get(key: string): Promise<Uint8Array | undefined> {
    if (!this.#serving || !this.#watching || key.startsWith(UNCACHED_PREFIX)) return this.#inner.get(key);
    const entry = this.#entries.get(key);
    if (entry !== undefined) return Promise.resolve(entry.value);
    return (this.#loads.get(key) ?? this.#load(key)).promise;
  }

  list(prefix: string): Promise<string[]> {
    return this.#inner.list(prefix);
  }

  put(key: string, value: Uint8Array): Promise<void> {
    return this.#writing([key], () => this.#inner.put(key, value));
  }

  delete(key: string): Promise<void> {
    return this.#writing([key], () => this.#inner.delete(key));
  }

  transaction(operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]): Promise<boolean> {
    const inner = this.#inner;
    if (hasRevisionedWrites(inner)) return this.#committing(inner, operations, conditions);
    return this.#writing(
      operations.map((operation) => operation.key),
      () => inner.transaction(operations, conditions),
    );
  }

  async close(): Promise<void> {
    this.#closed.abort();
    this.serve(false);
    await this.#stopWatch?.().catch(() => undefined);
    await this.#inner.close();
  }

  async #watch(inner: Watchable): Promise<void> {
    const { signal } = this.#closed;
    while (!signal.aborted) {
      try {
        this.#stopWatch = await inner.watch('', (change) => this.#changed(change), (ended) => this.#interrupted(inner, ended));
        this.#dropAll();
        this.#watching = true;
        return;
      } catch (error) {
        this.#logger?.warn('the storage cache cannot watch storage yet; reads go to storage', { error: describeError(error) });
        await sleep(this.#rewatchMs, undefined, { signal }).catch(() => undefined);
      }
    }
  }

  #interrupted(inner: Watchable, ended: boolean): void {
    this.#dropAll(this.#closed.signal.aborted ? undefined : 'the storage watch was interrupted');
    if (!ended || !this.#watching || this.#closed.signal.aborted) return;
    this.#watching = false;
    const stop = this.#stopWatch;
    this.#stopWatch = undefined;
    void stop?.().catch(() => undefined);
    void this.#watch(inner);
  }

  #load(key: string): Load {
    const load: Load = {
      promise: this.#inner.get(key).then(
        (value) => {
          if (this.#loads.get(key) !== load) return value;
          this.#loads.delete(key);
          const kept = value === undefined ? undefined : ownBytes(value);
          this.#entries.set(key, { value: kept });
          return kept;
        },
        (error: unknown) => {
          if (this.#loads.get(key) === load) this.#loads.delete(key);
          throw error;
        },
      ),
    };
    this.#loads.set(key, load);
    return load;
  }

  /**
   * Drops the keys before and after the write: a read that started before cannot fill, one that
   * started during it may fill with either value until the write is acknowledged, and none after.
   * The watch event of the write drops them once more, harmlessly.
   */
  async #writing<T>(keys: readonly string[], write: () => Promise<T>): Promise<T> {
    for (const key of keys) this.#forget(key);
    try {
      return await write();
    } finally {
      for (const key of keys) this.#forget(key);
    }
  }

  /**
   * A transaction whose written values stay cached, so that the next read of a key this node just
   * wrote (a KV v2 write reads the metadata it wrote last time) does not go to etcd. A value is
   * kept at the commit's revision unless the key was seen changing at a later revision meanwhile
   * (another node's write, whose watch event may come before this write's answer), and the watch
   * event of the write itself, at that same revision, then leaves it in place.
   */
  async #committing(inner: RevisionedWrites, operations: readonly TxnOperation[], conditions: readonly TxnCondition[] | undefined): Promise<boolean> {
    const writes = finalOperations(operations);
    for (const { key } of writes) this.#board(key);
    let revision: number | undefined;
    try {
      revision = await inner.commit(operations, conditions);
    } finally {
      for (const operation of writes) this.#land(operation, revision);
    }
    return revision !== undefined;
  }

  #board(key: string): void {
    this.#forget(key);
    const flight = this.#flights.get(key);
    if (flight === undefined) this.#flights.set(key, { writers: 1, seen: 0 });
    else flight.writers += 1;
  }

  /** Ends one write of `operation.key`: keeps its value when it committed at `revision` and nothing newer was seen. */
  #land(operation: TxnOperation, revision: number | undefined): void {
    const { key } = operation;
    const flight = this.#flights.get(key)!;
    // A read that started during the write may have read either value: it must not fill.
    this.#loads.delete(key);
    const entry = this.#entries.peek(key);
    if (revision === undefined) {
      // Not applied, or failed with an unknown outcome: whatever is cached for the key is in doubt.
      this.#entries.delete(key);
    } else if (entry?.revision === undefined || entry.revision < revision) {
      // Kept unless the key was seen changing after this write; a later write of this node keeps its own entry.
      if (flight.seen > revision || !this.#keeping(key)) this.#entries.delete(key);
      else this.#entries.set(key, { value: operation.type === 'put' ? ownBytes(operation.value) : undefined, revision });
    }
    // Writes of the same key still under way must not keep a value older than this one.
    flight.seen = Math.max(flight.seen, revision ?? Number.POSITIVE_INFINITY);
    flight.writers -= 1;
    if (flight.writers === 0) this.#flights.delete(key);
  }

  #keeping(key: string): boolean {
    return this.#serving && this.#watching && !key.startsWith(UNCACHED_PREFIX);
  }

  /** A change seen by the watch; one at or below the revision this node wrote a key at is that write's own. */
  #changed(change: StorageChange): void {
    const revision = change.revision ?? Number.POSITIVE_INFINITY;
    const flight = this.#flights.get(change.key);
    if (flight !== undefined) flight.seen = Math.max(flight.seen, revision);
    const entry = this.#entries.peek(change.key);
    if (entry?.revision !== undefined && entry.revision >= revision) return;
    this.#forget(change.key);
  }

  #forget(key: string): void {
    this.#entries.delete(key);
    this.#loads.delete(key);
  }

  #dropAll(reason?: string): void {
    if (reason !== undefined && this.#serving) this.#logger?.warn(`dropping the storage cache: ${reason}`);
    this.#entries.clear();
    this.#loads.clear();
    // Changes may have been missed while these writes were under way: none of them may keep its value.
    for (const flight of this.#flights.values()) flight.seen = Number.POSITIVE_INFINITY;
  }
}

/**
 * The bytes with a backing store of their own. Node makes small Buffers (Buffer.concat, from,
 * allocUnsafe under 4 KiB: a ciphertext the barrier just wrote) as views of a shared 8 KiB slab,
 * and one view kept in a long-lived cache keeps its whole slab alive: a full cache of own writes
 * held about a GiB for some 50 MB of entries.
 */
function ownBytes(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : new Uint8Array(bytes);
}
