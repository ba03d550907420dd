import type { WorkQueue } from './work-queue.ts';

/** What a reconcile asks of the queue when it finished without error. */
export interface ReconcileResult {
  /** Come back after this long even without events (waiting on pods, sealed pods, resync). */
  readonly requeueAfterMs?: number;
}

export type KeyHandler = (key: string) => Promise<ReconcileResult>;

/**
 * Runs `concurrency` workers over the queue until it shuts down: success forgets the key's
 * back-off (and schedules its requeue-after), an error puts it back after its back-off.
 * Resolves when every worker has finished its current key.
 */
export async function runWorkers(queue: WorkQueue, concurrency: number, handle: KeyHandler, onError: (key: string, error: unknown) => void): Promise<void> {
  const worker = async () => {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      try {
        const result = await handle(key);
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (error) {
        onError(key, error);
        queue.addRateLimited(key);
      } finally {
        queue.done(key);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}
