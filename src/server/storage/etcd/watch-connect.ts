import type { WatchBuilder, Watcher } from 'etcd3';
import { GRPCDeadlineExceededError } from 'etcd3';

/**
 * Creates the watcher and waits until etcd confirms it, at most `timeoutMs` (etcd3's own create()
 * would wait forever while the cluster is down). `onError` stays attached for the watcher's life:
 * an 'error' event with no listener would crash the process.
 */
export async function connectWatcher(
  builder: WatchBuilder,
  timeoutMs: number,
  onError: (error: Error) => void,
): Promise<Watcher> {
  const watcher = builder.watcher();
  watcher.on('error', onError);
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new GRPCDeadlineExceededError('watch not established in time')), timeoutMs);
      watcher.once('connected', () => {
        clearTimeout(timer);
        resolve();
      });
      watcher.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    return watcher;
  } catch (error) {
    await cancelWatcher(watcher, timeoutMs);
    throw error;
  }
}

/** Cancels best-effort: etcd3 waits for the server to confirm, which never comes from a dead one. */
export async function cancelWatcher(watcher: Watcher, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, timeoutMs);
  });
  await Promise.race([watcher.cancel().catch(() => undefined), timeout]);
  clearTimeout(timer);
}
