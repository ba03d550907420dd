import type { Etcd3, Namespace, Watcher } from 'etcd3';
import { atMost, BatchQueue } from '../../../lib/batch-queue.ts';
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
import { commitBatch } from './commit-batch.ts';
import type { CallDeadline } from './call-deadline.ts';
import { createEtcdClient } from './etcd-client.ts';
import { etcdError } from './etcd-errors.ts';
import { listOneLevel } from './etcd-list.ts';
import { assertRequestFits, MAX_TXN_OPS } from './request-size.ts';
import { TxnRequests } from './txn-request.ts';
import type { EtcdCommit } from './txn-request.ts';
import { acquireLeaseLock } from './lease-lock.ts';
import type { LeaseLock } from './lease-lock.ts';
import { cancelWatcher, connectWatcher } from './watch-connect.ts';

export interface EtcdBackendOptions {
  readonly logger?: Logger;
}

const LOCK_FOLDER = 'core/lock/';
// One batch per event-loop turn, none held back for earlier ones to finish: writes to one hot key
// never share a Txn and would queue behind each other, and every call keeps its own deadline.
const MAX_IN_FLIGHT = Infinity;

/**
 * Entries as etcd keys under the configured prefix, with multi-key transactions as etcd Txns, the
 * HA lock as a lease-bound key, and watches for caches. The gets of one event-loop turn go to etcd
 * together as one read-only Txn, and its commits that cannot interfere as one Txn: each gRPC call
 * costs the client and etcd far more than the entries in it (commit-batch.ts says when commits share).
 */
export class EtcdBackend implements PhysicalBackend, Transactional, RevisionedWrites, HALock, Watchable {
  readonly type = 'etcd';
  readonly #client: Etcd3;
  readonly #kv: Namespace;
  readonly #prefix: string;
  readonly #timeoutMs: number;
  readonly #logger: Logger | undefined;
  readonly #requests: TxnRequests;
  readonly #reads: BatchQueue<string, Uint8Array | undefined>;
  readonly #commits: BatchQueue<EtcdCommit, number | undefined>;
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
    this.#requests = new TxnRequests(config.prefix);
    // Ranges of one read-only Txn, within etcd's operation limit.
    this.#reads = new BatchQueue({ send: (keys) => this.#read(keys), newBatch: atMost(MAX_TXN_OPS), maxInFlight: MAX_IN_FLIGHT });
    this.#commits = new BatchQueue({
      send: (commits) => this.#commitTogether(commits),
      newBatch: commitBatch,
      maxInFlight: MAX_IN_FLIGHT,
    });
  }

  /** Connects lazily: a cluster that is down makes operations fail, not the server start. */
  static async create(config: EtcdStorageConfig, options: EtcdBackendOptions = {}): Promise<EtcdBackend> {
    return new EtcdBackend(await createEtcdClient(config), config, options.logger);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    return this.#reads.run(key);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    await this.commit([{ type: 'put', key, value }]);
  }

  async delete(key: string): Promise<void> {
    await this.commit([{ type: 'delete', key }]);
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
    const bytes = assertRequestFits(this.#prefix, writes, conditions);
    // Nothing to check and nothing to write: applied, and no key changed at any revision.
    if (writes.length === 0 && conditions.length === 0) return 0;
    return this.#commits.run({ writes, conditions, bytes });
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

  async #read(keys: readonly string[]): Promise<Array<Uint8Array | undefined>> {
    const response = await this.#kv.kv.txn(this.#requests.reads(keys), this.#deadline()).catch(this.#failed('reading an entry'));
    // Copies: the values are views of the whole response's buffer, which a cached entry would keep alive.
    return response.responses.map(({ response_range }) => {
      const value = response_range.kvs[0]?.value;
      return value === undefined ? undefined : new Uint8Array(value);
    });
  }

  async #commitTogether(commits: readonly EtcdCommit[]): Promise<Array<number | undefined>> {
    const revision = await this.#send(commits);
    if (revision !== undefined || commits.length === 1) return commits.map(() => revision);
    // Some commit's condition failed; on their own, each finds out whether it was its own.
    return Promise.all(commits.map((commit) => this.#send([commit])));
  }

  async #send(commits: readonly EtcdCommit[]): Promise<number | undefined> {
    const response = await this.#kv.kv.txn(this.#requests.commits(commits), this.#deadline()).catch(this.#failed('applying a transaction'));
    return response.succeeded ? Number(response.header.revision) : undefined;
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
