import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** How long to keep trying before failing. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** Says what was awaited, for the error. */
  readonly what: string;
  /** Checked before each attempt: an error returned here ends the wait at once (e.g. the server exited). */
  readonly fatal?: () => Error | undefined;
}

/**
 * Polls `probe` until it returns something other than undefined, a bounded number of times.
 * Errors thrown by the probe count as "not yet"; the last one is reported on timeout.
 */
export async function waitUntil<T>(probe: () => Promise<T | undefined> | T | undefined, options: WaitOptions): Promise<T> {
  const interval = options.intervalMs ?? 200;
  const attempts = Math.max(1, Math.ceil(options.timeoutMs / interval));
  let lastError: unknown;
  for (let attempt = 0; attempt < attempts; attempt += 1) {
    const fatal = options.fatal?.();
    if (fatal !== undefined) throw fatal;
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(interval);
  }
  const cause = lastError instanceof Error ? `: ${lastError.message}` : '';
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}${cause}`);
}
