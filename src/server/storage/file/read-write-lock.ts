interface Waiter {
  readonly exclusive: boolean;
  readonly grant: () => void;
}

/**
 * Many readers or one writer, granted in arrival order so that a steady stream of reads cannot
 * starve a write. In-process only: the file backend owns its directory alone.
 */
export class ReadWriteLock {
  #readers = 0;
  #writing = false;
  readonly #waiting: Waiter[] = [];

  read<T>(work: () => Promise<T>): Promise<T> {
    return this.#run(false, work);
  }

  write<T>(work: () => Promise<T>): Promise<T> {
    return this.#run(true, work);
  }

  async #run<T>(exclusive: boolean, work: () => Promise<T>): Promise<T> {
    await this.#acquire(exclusive);
    try {
      return await work();
    } finally {
      this.#release(exclusive);
    }
  }

  #acquire(exclusive: boolean): Promise<void> {
    if (this.#waiting.length === 0 && this.#canEnter(exclusive)) {
      this.#enter(exclusive);
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push({ exclusive, grant: resolve }));
  }

  #release(exclusive: boolean): void {
    if (exclusive) this.#writing = false;
    else this.#readers -= 1;
    this.#grantWaiting();
  }

  #grantWaiting(): void {
    for (let next = this.#waiting[0]; next !== undefined; next = this.#waiting[0]) {
      if (!this.#canEnter(next.exclusive)) return;
      this.#waiting.shift();
      this.#enter(next.exclusive);
      next.grant();
    }
  }

  #canEnter(exclusive: boolean): boolean {
    return exclusive ? !this.#writing && this.#readers === 0 : !this.#writing;
  }

  #enter(exclusive: boolean): void {
    if (exclusive) this.#writing = true;
    else this.#readers += 1;
  }
}
