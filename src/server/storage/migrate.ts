import { describeError, isSealboxError, SealboxError } from '../../lib/errors.ts';
import { ACTIVE_NODE_LOCK } from './ha-lock-name.ts';
import { clearMigrationLock, takeMigrationLock } from './migrate-lock.ts';
import { keysToCopy } from './migrate-walk.ts';
import type { PhysicalBackend } from './physical-backend.ts';
import { isHALock } from './physical-backend.ts';

/** Vault's default for -max-parallel. */
export const DEFAULT_MAX_PARALLEL = 10;
/** How many top-level entries a "not empty" error names. */
const SHOWN_ENTRIES = 5;

export interface MigrationProgress {
  readonly copied: number;
  readonly total: number;
  readonly key: string;
}

export interface MigrateOptions {
  readonly source: PhysicalBackend;
  readonly destination: PhysicalBackend;
  /**
   * Resumes an interrupted migration: only keys >= startKey are copied, and the destination may
   * already hold entries (the ones copied before the interruption).
   */
  readonly startKey?: string;
  readonly maxParallel?: number;
  /** Stops the copy between keys; the result then says where to resume. */
  readonly signal?: AbortSignal;
  /** Called once the keys to copy are known, before the first is copied. */
  readonly onStart?: (total: number) => void;
  readonly onCopied?: (progress: MigrationProgress) => void;
  readonly now?: () => Date;
}

export interface MigrationResult {
  readonly copied: number;
  readonly total: number;
  /** Set when the copy was stopped by the signal: the -start key that finishes the job. */
  readonly resumeFrom?: string;
}

/**
 * Vault's offline `operator migrate`: copies every entry of `source` into `destination` as raw
 * bytes (ciphertext stays ciphertext, nothing is unsealed), so the destination unseals with the
 * same shares. Refuses while a server holds the HA lock of either side, while another migration
 * holds the source's migration lock, and (unless resuming) when the destination is not empty.
 * The source is changed only by the migration lock, which is removed at the end, as in Vault
 * also when the copy fails: the error then names the -start key to resume from.
 */
export async function migrateStorage(options: MigrateOptions): Promise<MigrationResult> {
  const { source, destination, startKey } = options;
  await assertNoActiveServer(source, 'source');
  await assertNoActiveServer(destination, 'destination');
  if (startKey === undefined) await assertEmpty(destination);
  await takeMigrationLock(source, (options.now ?? (() => new Date()))());
  let result: MigrationResult;
  try {
    const keys = await keysToCopy(source, startKey);
    options.onStart?.(keys.length);
    result = await copyKeys(keys, options);
  } catch (error) {
    // The copy's error is the one to report; a lock that cannot be removed is cleared by -reset.
    await clearMigrationLock(source).catch(() => undefined);
    throw error;
  }
  await clearMigrationLock(source);
  return result;
}

/** `-reset`: removes a migration lock left behind by a migration that was killed. */
export async function resetMigration(source: PhysicalBackend): Promise<void> {
  await clearMigrationLock(source);
}

async function assertNoActiveServer(storage: PhysicalBackend, role: string): Promise<void> {
  if (!isHALock(storage)) return;
  if ((await storage.lockHolder(ACTIVE_NODE_LOCK)) === undefined) return;
  throw new SealboxError(
    'invalid_request',
    `a server holds the HA lock of the ${role} storage; stop every server that uses it before migrating`,
  );
}

async function assertEmpty(destination: PhysicalBackend): Promise<void> {
  const entries = await destination.list('');
  if (entries.length === 0) return;
  const shown = entries.slice(0, SHOWN_ENTRIES).join(', ') + (entries.length > SHOWN_ENTRIES ? ', ...' : '');
  throw new SealboxError(
    'invalid_request',
    `the destination storage is not empty (it holds ${shown}); migrate into empty storage, ` +
      'or pass -start KEY to resume an interrupted migration',
  );
}

/**
 * Up to maxParallel copies at a time, taken in key order. Keys finish out of order, so the point
 * to resume from is the smallest key not yet copied; the ones after it that were copied are
 * simply copied again.
 */
async function copyKeys(keys: readonly string[], options: MigrateOptions): Promise<MigrationResult> {
  const { source, destination, signal } = options;
  const done = new Uint8Array(keys.length);
  let next = 0;
  let copied = 0;
  let failure: unknown;
  const worker = async (): Promise<void> => {
    while (next < keys.length && failure === undefined && signal?.aborted !== true) {
      const index = next++;
      const key = keys[index]!;
      try {
        const value = await source.get(key);
        // Gone since the listing: nothing to copy, and nothing missing at the destination.
        if (value !== undefined) await destination.put(key, value);
      } catch (error) {
        failure ??= error;
        return;
      }
      done[index] = 1;
      copied++;
      options.onCopied?.({ copied, total: keys.length, key });
    }
  };
  const parallel = Math.max(1, Math.min(options.maxParallel ?? DEFAULT_MAX_PARALLEL, keys.length));
  await Promise.all(Array.from({ length: parallel }, worker));
  const firstMissing = done.indexOf(0);
  const resumeFrom = firstMissing === -1 ? undefined : keys[firstMissing];
  if (failure !== undefined) throw copyFailed(failure, copied, keys.length, resumeFrom);
  return { copied, total: keys.length, ...(resumeFrom === undefined ? {} : { resumeFrom }) };
}

function copyFailed(error: unknown, copied: number, total: number, resumeFrom: string | undefined): SealboxError {
  const reason = isSealboxError(error) ? error.message : describeError(error);
  const resume = resumeFrom === undefined ? '' : `; resume with -start ${JSON.stringify(resumeFrom)}`;
  return new SealboxError(
    isSealboxError(error) ? error.code : 'storage_unavailable',
    `migration stopped after ${copied} of ${total} keys: ${reason}${resume}`,
    { cause: error, expose: true },
  );
}
