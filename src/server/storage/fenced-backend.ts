import { SealboxError } from '../../lib/errors.ts';
import type { PhysicalBackend, Transactional, TxnCondition, TxnOperation } from './physical-backend.ts';

/**
 * Every write of the active node carries a condition that it still holds the HA lock, so a node
 * that lost the lock (paused, partitioned) cannot overwrite what the new active node writes.
 * Without a fence (no HA, or before the first activation) writes pass straight through.
 */
export class FencedBackend implements PhysicalBackend, Transactional {
  readonly #inner: PhysicalBackend & Transactional;
  #fence: TxnCondition | undefined;

  constructor(inner: PhysicalBackend & Transactional) {
    this.#inner = inner;
  }

  get type(): string {
    return this.#inner.type;
  }

  /** Arms the fence; it stays armed after the lock is lost, which is the point. */
  fence(condition: TxnCondition): void {
    this.#fence = condition;
  }

  get(key: string): Promise<Uint8Array | undefined> {
    return this.#inner.get(key);
  }

  list(prefix: string): Promise<string[]> {
    return this.#inner.list(prefix);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    if (this.#fence === undefined) return this.#inner.put(key, value);
    await this.#fenced([{ type: 'put', key, value }], []);
  }

  async delete(key: string): Promise<void> {
    if (this.#fence === undefined) return this.#inner.delete(key);
    await this.#fenced([{ type: 'delete', key }], []);
  }

  async transaction(operations: readonly TxnOperation[], conditions: readonly TxnCondition[] = []): Promise<boolean> {
    if (this.#fence === undefined) return this.#inner.transaction(operations, conditions);
    if (await this.#inner.transaction(operations, [...conditions, this.#fence])) return true;
    // Tell a lost lock apart from a caller's own condition failing.
    if (conditions.length > 0 && (await this.#holdsLock())) return false;
    throw lostLock();
  }

  close(): Promise<void> {
    return this.#inner.close();
  }

  async #fenced(operations: readonly TxnOperation[], conditions: readonly TxnCondition[]): Promise<void> {
    if (!(await this.#inner.transaction(operations, [...conditions, this.#fence!]))) throw lostLock();
  }

  async #holdsLock(): Promise<boolean> {
    const fence = this.#fence!;
    const current = await this.#inner.get(fence.key);
    return current !== undefined && fence.value !== undefined && Buffer.compare(Buffer.from(current), Buffer.from(fence.value)) === 0;
  }
}

function lostLock(): SealboxError {
  return new SealboxError('standby', 'this node is no longer the active node: the HA lock was lost');
}
