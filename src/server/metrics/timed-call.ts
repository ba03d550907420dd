import { performance } from 'node:perf_hooks';
import { SealboxError } from '../../lib/errors.ts';
import type { StorageOperation, StorageTelemetry } from './telemetry.ts';

/** Runs `call`, timing it whether it succeeds or not, and counting failures to reach storage. */
export async function timedCall<T>(telemetry: StorageTelemetry, operation: StorageOperation, call: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await call();
  } catch (error) {
    if (error instanceof SealboxError && error.code === 'storage_unavailable') telemetry.unavailable(operation);
    throw error;
  } finally {
    telemetry.observe(operation, performance.now() - started);
  }
}
