/**
 * Runs tasks one at a time per key, in arrival order: a secret ID's use count must be read and
 * written back without another login of the same secret ID in between.
 */
export class KeyedLock {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release = (): void => undefined;
    const done = new Promise<void>((resolve) => {
      release = resolve;
    });
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
