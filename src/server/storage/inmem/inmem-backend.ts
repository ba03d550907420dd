import type { PhysicalBackend, Transactional, TxnCondition, TxnOperation } from '../physical-backend.ts';
import { assertValidKey, assertValidPrefix } from '../storage-key.ts';
import { directChildren } from '../direct-children.ts';
import { assertValidTransaction, bytesEqual } from '../transaction-check.ts';

/**
 * Process memory, for dev mode and tests. Bytes are copied in and out (`new Uint8Array(bytes)`
 * copies, where Buffer#slice would share memory) so that callers mutating their buffers cannot
 * change what is stored, as with every real backend.
 */
export class InmemBackend implements PhysicalBackend, Transactional {
  readonly type = 'inmem';
  readonly #entries = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    assertValidKey(key);
    const value = this.#entries.get(key);
    return value === undefined ? undefined : new Uint8Array(value);
  }

  async put(key: string, value: Uint8Array): Promise<void> {
    assertValidKey(key);
    this.#entries.set(key, new Uint8Array(value));
  }

  async delete(key: string): Promise<void> {
    assertValidKey(key);
    this.#entries.delete(key);
  }

  async list(prefix: string): Promise<string[]> {
    assertValidPrefix(prefix);
    return directChildren(prefix, this.#entries.keys());
  }

  // Runs without an await between checks and writes, which makes it atomic on the event loop.
  async transaction(operations: readonly TxnOperation[], conditions: readonly TxnCondition[] = []): Promise<boolean> {
    assertValidTransaction(operations, conditions);
    const holds = conditions.every((condition) => bytesEqual(this.#entries.get(condition.key), condition.value));
    if (!holds) return false;
    for (const operation of operations) {
      if (operation.type === 'put') this.#entries.set(operation.key, new Uint8Array(operation.value));
      else this.#entries.delete(operation.key);
    }
    return true;
  }

  async close(): Promise<void> {
    this.#entries.clear();
  }
}
