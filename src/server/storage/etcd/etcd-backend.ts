import type { DeleteBuilder, Etcd3, Namespace, PutBuilder, Watcher } from 'etcd3';
import { describeError, SealboxError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { EtcdStorageConfig } from '../../config/server-config.ts';
import type {
  HALock,
  HeldLock,
  PhysicalBackend,
  RevisionedWrites,
  StorageChange,
  Transactional,
  TxnCondition,
  TxnOperation,
  Watchable,
} from '../physical-backend.ts';
import { finalOperations } from '../final-operations.ts';
import { assertValidKey, assertValidPrefix } from '../storage-key.ts';
import { assertValidTransaction } from '../transaction-check.ts';
import { callDeadline } from './call-deadline.ts';
import type { CallDeadline } from './call-deadline.ts';
import { createEtcdClient } from './etcd-client.ts';
import { etcdError } from './etcd-errors.ts';
import { listOneLevel } from './etcd-list.ts';
import { assertRequestFits } from './request-size.ts';
import { acquireLeaseLock } from './lease-lock.ts';
import type { LeaseLock } from './lease-lock.ts';
import { cancelWatcher, connectWatcher } from './watch-connect.ts';

export interface EtcdBackendOptions {
  readonly logger?: Logger;
}

const LOCK_FOLDER = 'core/lock/';

/**
 * Entries as etcd keys under the configured prefix (etcd3's namespace adds and strips it), with
 * multi-key transactions as etcd Txns, the HA lock as a lease-bound key, and watches for caches.
 */
export class EtcdBackend implements PhysicalBackend, Transactional, RevisionedWrites, HALock, Watchable {
  readonly type = 'etcd';
  readonly #client: Etcd3;
  readonly #kv: Namespace;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #locks = new Set<LeaseLock>();
  readonly #watchers = new Set<Watcher>();
  // Aborts lock acquisitions still waiting when the backend closes.
  readonly #closing = new AbortController();

  private constructor(client: Etcd3, config: EtcdStorageConfig, logger: Logger | undefined) {
    this.#client = client;
    this.#kv = client.namespace(config.prefix);
    this.#prefix = config.prefix;
    this.#timeoutMs = config.requestTimeoutMs;
    this.#logger = logger;
  }

  /** Connects lazily: a cluster that is down makes operations fail, not the server start. */
  static async create(config: EtcdStorageConfig, options: EtcdBackendOptions = {}): Promise<EtcdBackend> {
    return new EtcdBackend(await createEtcdClient(config), config, options.logger);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const value = await this.#kv.get(key).options(this.#deadline()).buffer().catch(this.#failed('reading an entry'));
    return value === null ? undefined : new Uint8Array(value);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertValidKey(key);
    assertRequestFits(this.#prefix, [{ type: 'put', key, value }]);
    await this.#kv.put(key).value(Buffer.from(value)).options(this.#deadline()).catch(this.#failed('writing an entry'));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    await this.#kv.delete().key(key).options(this.#deadline()).catch(this.#failed('deleting an entry'));
  }

  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    return listOneLevel(this.#kv, prefix, () => this.#deadline()).catch(this.#failed('listing entries'));
  }

  async transaction(operations: readonly TxnOperation[], conditions: readonly TxnCondition[] = []): Promise<boolean> {
    return (await this.commit(operations, conditions)) !== undefined;
  }

  async commit(operations: readonly TxnOperation[], conditions: readonly TxnCondition[] = []): Promise<number | undefined> {
    assertValidTransaction(operations, conditions);
    const writes = finalOperations(operations);
    assertRequestFits(this.#prefix, [...writes, ...conditions.map(asComparedPut)]);
    const [first, ...rest] = conditions.length > 0 ? conditions.map(toCompare) : alwaysTrue(writes);
    // Nothing to check and nothing to write: applied, and no key changed at any revision.
    if (first === undefined) return 0;
    const result = await rest
      .reduce((txn, compare) => txn.and(...compare), this.#kv.if(...first))
      .then(...writes.map((operation) => this.#toRequest(operation)))
      .options(this.#deadline())
      .commit()
      .catch(this.#failed('applying a transaction'));
    return result.succeeded ? Number(result.header.revision) : undefined;
  }

  async acquireLock(name: string, value: string, ttlSeconds: number, signal: AbortSignal): Promise<HeldLock> {
    const key = lockKey(name);
    assertLockTtl(ttlSeconds);
    const context = { kv: this.#kv, timeoutMs: this.#timeoutMs, logger: this.#logger };
    const stop = AbortSignal.any([signal, this.#closing.signal]);
    const lock = await acquireLeaseLock(context, key, value, ttlSeconds, stop, (ended) => this.#locks.delete(ended));
    this.#locks.add(lock);
    return lock;
  }

  lockCondition(name: string, value: string): TxnCondition {
    return { key: lockKey(name), value: Buffer.from(value, 'utf8') };
  }

  async lockHolder(name: string): Promise<string | undefined> {
    const value = await this.#kv
      .get(lockKey(name))
      .options(this.#deadline())
      .string()
      .catch(this.#failed('reading the HA lock'));
    return value ?? undefined;
  }

  async watch(prefix: string, listener: (change: StorageChange) => void, onInterrupt?: (ended: boolean) => void): Promise<() => Promise<void>> {
    assertValidPrefix(prefix);
    const onError = (error: Error): void => {
      this.#logger?.error('storage watch cancelled by etcd; changes may be missed', {
        prefix,
        error: describeError(error),
      });
      onInterrupt?.(true);
    };
    const watcher = await connectWatcher(this.#kv.watch().prefix(prefix), this.#timeoutMs, onError).catch(
      this.#failed('watching entries'),
    );
    const emit = (type: StorageChange['type']) => (kv: { key: Buffer; mod_revision: string }) =>
      this.#notify(listener, { key: kv.key.toString(), type, revision: Number(kv.mod_revision) });
    watcher.on('put', emit('put'));
    watcher.on('delete', emit('delete'));
    // Registered once connected, so that 'connected' here means a reconnection.
    if (onInterrupt !== undefined) {
      watcher.on('disconnected', () => onInterrupt(false));
      watcher.on('connected', () => onInterrupt(false));
      watcher.on('end', () => onInterrupt(true));
    }
    this.#watchers.add(watcher);
    return async () => {
      this.#watchers.delete(watcher);
      await cancelWatcher(watcher, this.#timeoutMs);
    };
  }

  /** Releases held locks (so a standby takes over at once), stops watches, closes the client. */
  async close(): Promise<void> {
    this.#closing.abort();
    await Promise.all([...this.#locks].map((lock) => lock.release().catch(() => undefined)));
    await Promise.all([...this.#watchers].map((watcher) => cancelWatcher(watcher, this.#timeoutMs)));
    this.#watchers.clear();
    this.#client.close();
  }

  #toRequest(operation: TxnOperation): PutBuilder | DeleteBuilder {
    if (operation.type === 'delete') return this.#kv.delete().key(operation.key);
    return this.#kv.put(operation.key).value(Buffer.from(operation.value));
  }

  #deadline(): CallDeadline {
    return callDeadline(this.#timeoutMs);
  }

  #failed(action: string): (error: unknown) => never {
    return (error) => {
      throw etcdError(action, error);
    };
  }

  #notify(listener: (change: StorageChange) => void, change: StorageChange): void {
    try {
      listener(change);
    } catch (error) {
      this.#logger?.error('storage watch listener failed', { key: change.key, error: describeError(error) });
    }
  }
}

type Compare = Parameters<Namespace['if']>;

// A compared value travels in the request like a written one.
function asComparedPut(condition: TxnCondition): TxnOperation {
  return { type: 'put', key: condition.key, value: condition.value ?? new Uint8Array(0) };
}

// An absent key has create revision 0; a Value compare on an absent key never holds.
function toCompare(condition: TxnCondition): Compare {
  if (condition.value === undefined) return [condition.key, 'Create', '==', 0];
  return [condition.key, 'Value', '==', Buffer.from(condition.value)];
}

// etcd3 builds a Txn from its first compare; without conditions, one that always holds (every
// version, even an absent key's 0, is above -1). None when there is nothing to do at all.
function alwaysTrue(writes: readonly TxnOperation[]): Compare[] {
  const key = writes[0]?.key;
  return key === undefined ? [] : [[key, 'Version', '>', -1]];
}

/** The key of lock `name`, which must be a single key segment. */
function lockKey(name: string): string {
  if (name.includes('/')) throw new SealboxError('invalid_request', "a lock name cannot contain '/'");
  assertValidKey(LOCK_FOLDER + name);
  return LOCK_FOLDER + name;
}

// etcd leases count whole seconds.
function assertLockTtl(ttlSeconds: number): void {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new SealboxError('invalid_request', 'a lock TTL must be a whole number of seconds, at least 1');
  }
}
