export interface WorkQueueOptions {
  /** First retry delay after an error; doubles with each further error of the same key. */
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  /** Told the number of keys waiting whenever it changes. */
  readonly onDepth?: (depth: number) => void;
}

/**
 * A keyed work queue, as client-go's: a key waits at most once however often it is added, is never
 * handed to two workers at once (added while in progress, it is handed out again after `done`),
 * and can come back after a delay (requeue-after) or after a per-key exponential back-off.
 */
export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #delayed = new Map<string, { readonly at: number; readonly timer: NodeJS.Timeout }>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #onDepth: (depth: number) => void;
  #shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.#baseDelayMs = options.baseDelayMs ?? 5;
    this.#maxDelayMs = options.maxDelayMs ?? 300_000;
    this.#onDepth = options.onDepth ?? (() => undefined);
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) {
      this.#take(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#onDepth(this.#queue.length);
  }

  /** Adds the key after `delayMs`; an earlier pending delay for the key wins. */
  addAfter(key: string, delayMs: number): void {
    if (this.#shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const at = Date.now() + delayMs;
    const pending = this.#delayed.get(key);
    if (pending !== undefined && pending.at <= at) return;
    if (pending !== undefined) clearTimeout(pending.timer);
    const timer = setTimeout(() => {
      this.#delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.#delayed.set(key, { at, timer });
  }

  /** Adds the key after its back-off, which grows with each call until `forget`. */
  addRateLimited(key: string): void {
    this.addAfter(key, this.backoffMs(key));
    this.#failures.set(key, (this.#failures.get(key) ?? 0) + 1);
  }

  /** The delay the next addRateLimited of this key would use. */
  backoffMs(key: string): number {
    const failures = this.#failures.get(key) ?? 0;
    return Math.min(this.#maxDelayMs, this.#baseDelayMs * 2 ** failures);
  }

  /** Clears the key's back-off after a success. */
  forget(key: string): void {
    this.#failures.delete(key);
  }

  /** The next key to work on; waits for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.#shuttingDown) return Promise.resolve(undefined);
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#onDepth(this.#queue.length);
      this.#take(key);
      return Promise.resolve(key);
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Marks the key's work finished; a key added meanwhile becomes available again. */
  done(key: string): void {
    this.#processing.delete(key);
    if (!this.#dirty.has(key) || this.#shuttingDown) return;
    this.#dirty.delete(key);
    this.add(key);
  }

  get depth(): number {
    return this.#queue.length;
  }

  isProcessing(key: string): boolean {
    return this.#processing.has(key);
  }

  /** Stops handing out keys (waiting getters get undefined) and drops pending delays. */
  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#delayed.values()) clearTimeout(timer);
    this.#delayed.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #take(key: string): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
  }
}
