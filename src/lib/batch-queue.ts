export interface BatchQueueOptions<Item, Result> {
  /** Runs a batch; resolves with one result per item, in the order of the items. */
  readonly send: (items: readonly Item[]) => Promise<readonly Result[]>;
  /**
   * Starts deciding which items go out together: the returned function is offered the waiting
   * items in order, the first of a batch included, and says whether each joins (and remembers it).
   */
  readonly newBatch: () => (item: Item) => boolean;
  /** Batches sent and not yet answered, at most; later items wait and gather meanwhile. */
  readonly maxInFlight: number;
}

interface Waiting<Item, Result> {
  readonly item: Item;
  readonly resolve: (result: Result) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers the items submitted during one turn of the event loop into one call, so that many
 * concurrent requests share one round trip. A lone item goes out at the end of its turn, so an
 * idle server adds no wait; under load the items that arrive while the batches in flight are
 * answered go out together. Items leave in the order they came.
 */
export class BatchQueue<Item, Result> {
  readonly #options: BatchQueueOptions<Item, Result>;
  readonly #waiting: Array<Waiting<Item, Result>> = [];
  #inFlight = 0;
  #scheduled = false;
  readonly #idleWaiters: Array<() => void> = [];

  constructor(options: BatchQueueOptions<Item, Result>) {
    this.#options = options;
  }

  run(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#waiting.push({ item, resolve, reject });
      this.#schedule();
    });
  }

  /** Settles once no item waits and no batch is in flight: a closing owner lets earlier calls finish. */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle(): boolean {
    return this.#waiting.length === 0 && this.#inFlight === 0;
  }

  // setImmediate, not a microtask: the continuations of the batch just answered submit their next
  // items in microtasks, and those should join the next batch rather than go out one by one.
  #schedule(): void {
    if (this.#scheduled || this.#inFlight >= this.#options.maxInFlight || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#inFlight < this.#options.maxInFlight && this.#waiting.length > 0) {
      const batch = this.#take();
      this.#inFlight += 1;
      void this.#send(batch).finally(() => {
        this.#inFlight -= 1;
        this.#schedule();
        if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
      });
    }
  }

  #take(): Array<Waiting<Item, Result>> {
    const admit = this.#options.newBatch();
    // An item past a limit on its own still goes, alone: its own call reports that.
    if (!admit(this.#waiting[0]!.item)) return this.#waiting.splice(0, 1);
    let count = 1;
    while (count < this.#waiting.length && admit(this.#waiting[count]!.item)) count += 1;
    return this.#waiting.splice(0, count);
  }

  async #send(batch: ReadonlyArray<Waiting<Item, Result>>): Promise<void> {
    try {
      const results = await this.#options.send(batch.map((waiting) => waiting.item));
      batch.forEach((waiting, index) => waiting.resolve(results[index] as Result));
    } catch (error) {
      for (const waiting of batch) waiting.reject(error);
    }
  }
}

/** A `newBatch` for batches of at most `count` items. */
export function atMost(count: number): () => () => boolean {
  return () => {
    let taken = 0;
    return () => ++taken <= count;
  };
}
