import type { Lease, Namespace, Watcher } from 'etcd3';
import { describeError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import type { HeldLock } from '../physical-backend.ts';
import { callDeadline } from './call-deadline.ts';
import { etcdError } from './etcd-errors.ts';
import { LeaseDeadline } from './lease-deadline.ts';
import { cancelWatcher, connectWatcher } from './watch-connect.ts';

export interface LockContext {
  /** The client, namespaced to the storage prefix. */
  readonly kv: Namespace;
  readonly timeoutMs: number;
  readonly logger: Logger | undefined;
}

interface Attempt {
  /** Set when this attempt took the lock. */
  readonly held?: { readonly lease: Lease; readonly deadline: LeaseDeadline };
  /** The etcd revision the attempt saw: ours when held, otherwise the one to watch after. */
  readonly revision: string;
}

/**
 * Takes the lock key, waiting while someone else holds it: the key is created only if absent
 * (create revision 0), bound to a fresh lease, so it disappears when the holder stops renewing.
 */
export async function acquireLeaseLock(
  context: LockContext,
  key: string,
  value: string,
  ttlSeconds: number,
  signal: AbortSignal,
  onEnd: (lock: LeaseLock) => void,
): Promise<LeaseLock> {
  for (;;) {
    throwIfAborted(signal);
    const { held, revision } = await tryAcquire(context, key, value, ttlSeconds);
    if (held !== undefined) {
      const lock = await LeaseLock.start(context, key, held.lease, held.deadline, revision, onEnd);
      if (!signal.aborted) return lock;
      await lock.release().catch(() => undefined);
      throw abortError();
    }
    await waitForChange(context, key, revision, signal);
  }
}

/** The lock `lost` settles for: lease gone, key changed by anyone else, or renewal overdue. */
export class LeaseLock implements HeldLock {
  readonly lost: Promise<void>;
  readonly #context: LockContext;
  readonly #key: string;
  readonly #lease: Lease;
  readonly #deadline: LeaseDeadline;
  readonly #watcher: Watcher;
  readonly #onEnd: (lock: LeaseLock) => void;
  readonly #settleLost: () => void;
  #ended = false;

  private constructor(
    context: LockContext,
    key: string,
    lease: Lease,
    deadline: LeaseDeadline,
    watcher: Watcher,
    onEnd: (lock: LeaseLock) => void,
  ) {
    const { promise, resolve } = Promise.withResolvers<void>();
    this.lost = promise;
    this.#settleLost = resolve;
    this.#context = context;
    this.#key = key;
    this.#lease = lease;
    this.#deadline = deadline;
    this.#watcher = watcher;
    this.#onEnd = onEnd;
    lease.on('lost', (error) => this.#lose(`lease lost: ${describeError(error)}`));
    deadline.watch(() => this.#lose('lease renewal overdue'));
    // The watch starts after our own put: any event is someone else deleting or replacing the key.
    watcher.on('delete', () => this.#lose('lock key deleted'));
    watcher.on('put', () => this.#lose('lock key replaced'));
  }

  static async start(
    context: LockContext,
    key: string,
    lease: Lease,
    deadline: LeaseDeadline,
    revision: string,
    onEnd: (lock: LeaseLock) => void,
  ): Promise<LeaseLock> {
    try {
      const watcher = await connectWatcher(
        context.kv.watch().key(key).startRevision(nextRevision(revision)),
        context.timeoutMs,
        (error) => context.logger?.warn('HA lock watch ended', { lock: key, error: describeError(error) }),
      );
      return new LeaseLock(context, key, lease, deadline, watcher, onEnd);
    } catch (error) {
      await revokeQuietly(lease, deadline, context.timeoutMs);
      throw etcdError('watching the HA lock', error);
    }
  }

  /** Deletes the lock key by revoking its lease; `lost` settles even when etcd cannot be reached. */
  async release(): Promise<void> {
    if (this.#ended) return;
    this.#end();
    try {
      await this.#lease.revoke(callDeadline(this.#context.timeoutMs));
    } catch (error) {
      throw etcdError('releasing the HA lock', error);
    }
  }

  #lose(reason: string): void {
    if (this.#ended) return;
    this.#context.logger?.warn('HA lock lost', { lock: this.#key, reason });
    this.#end();
    // The key may outlive a lost renewal; revoking frees it for the next holder sooner.
    void this.#lease.revoke(callDeadline(this.#context.timeoutMs)).catch(() => undefined);
  }

  #end(): void {
    this.#ended = true;
    this.#deadline.stop();
    void cancelWatcher(this.#watcher, this.#context.timeoutMs);
    this.#settleLost();
    this.#onEnd(this);
  }
}

async function tryAcquire(context: LockContext, key: string, value: string, ttlSeconds: number): Promise<Attempt> {
  const startedAt = Date.now();
  const lease = context.kv.lease(ttlSeconds, callDeadline(context.timeoutMs));
  const deadline = new LeaseDeadline(lease, ttlSeconds, startedAt);
  try {
    await lease.grant();
    const result = await context.kv
      .if(key, 'Create', '==', 0)
      .then(lease.put(key).value(value))
      .options(callDeadline(context.timeoutMs))
      .commit();
    if (result.succeeded) return { held: { lease, deadline }, revision: result.header.revision };
    await revokeQuietly(lease, deadline, context.timeoutMs);
    return { revision: result.header.revision };
  } catch (error) {
    // A timed-out Txn may still have applied: revoking the lease deletes the key if it did.
    await revokeQuietly(lease, deadline, context.timeoutMs);
    throw etcdError('acquiring the HA lock', error);
  }
}

async function waitForChange(context: LockContext, key: string, revision: string, signal: AbortSignal): Promise<void> {
  const watcher = await connectWatcher(
    context.kv.watch().key(key).startRevision(nextRevision(revision)),
    context.timeoutMs,
    () => undefined,
  ).catch((error: unknown) => {
    throw etcdError('watching the HA lock', error);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => reject(abortError());
      signal.addEventListener('abort', onAbort, { once: true });
      const retry = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      // A delete frees the lock; an error (watch cancelled by etcd) is answered by trying again.
      watcher.once('delete', retry);
      watcher.once('error', retry);
      if (signal.aborted) onAbort();
    });
  } finally {
    await cancelWatcher(watcher, context.timeoutMs);
  }
}

async function revokeQuietly(lease: Lease, deadline: LeaseDeadline, timeoutMs: number): Promise<void> {
  deadline.stop();
  await lease.revoke(callDeadline(timeoutMs)).catch(() => undefined);
}

function nextRevision(revision: string): string {
  return (BigInt(revision) + 1n).toString();
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw abortError();
}

function abortError(): DOMException {
  return new DOMException('acquiring the lock was aborted', 'AbortError');
}
