/**
 * Runs tasks one at a time per key, in arrival order, for read-modify-write sequences that must
 * not interleave across an await (a KV v2 version number, a secret ID's use count).
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const { promise: done, resolve: release } = Promise.withResolvers<void>();
    const tail = previous.then(() => done);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      // The last holder removes the entry, so the map does not grow with every key ever locked.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
