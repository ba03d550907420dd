/**
 * Runs async tasks one at a time in arrival order: the seal state machine must never see two
 * unseal or init steps interleave across an await.
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#tail.then(task, task);
    this.#tail = result.catch(() => undefined);
    return result;
  }
}
