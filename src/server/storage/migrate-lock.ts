import { SealboxError } from '../../lib/errors.ts';
import { rfc3339Seconds } from '../../lib/rfc3339.ts';
import type { PhysicalBackend } from './physical-backend.ts';
import { isTransactional } from './physical-backend.ts';

/**
 * The entry that marks storage as being migrated, as in Vault: `{"start":"<RFC3339>"}` written into
 * the source before the copy starts. Servers refuse to start on storage that holds it, so nothing
 * writes to the source while its bytes are copied.
 */
export const MIGRATION_LOCK_KEY = 'core/migration';

export interface MigrationLock {
  /** RFC3339 time the migration started, as written; 'an unknown time' when unreadable. */
  readonly start: string;
}

export async function readMigrationLock(storage: PhysicalBackend): Promise<MigrationLock | undefined> {
  const value = await storage.get(MIGRATION_LOCK_KEY);
  if (value === undefined) return undefined;
  return { start: startOf(value) };
}

/**
 * Writes the lock, refusing when one is already there. On transactional storage the write is
 * conditional, so two migrations started at once cannot both proceed.
 */
export async function takeMigrationLock(storage: PhysicalBackend, now: Date): Promise<void> {
  const existing = await readMigrationLock(storage);
  if (existing !== undefined) throw migrationInProgress(existing);
  const value = Buffer.from(JSON.stringify({ start: rfc3339Seconds(now) }), 'utf8');
  if (!isTransactional(storage)) {
    await storage.put(MIGRATION_LOCK_KEY, value);
    return;
  }
  const written = await storage.transaction(
    [{ type: 'put', key: MIGRATION_LOCK_KEY, value }],
    [{ key: MIGRATION_LOCK_KEY, value: undefined }],
  );
  if (written) return;
  throw migrationInProgress((await readMigrationLock(storage)) ?? { start: 'an unknown time' });
}

export async function clearMigrationLock(storage: PhysicalBackend): Promise<void> {
  await storage.delete(MIGRATION_LOCK_KEY);
}

/** For server start: a server must not write to storage that is being copied. */
export async function refuseWhileMigrating(storage: PhysicalBackend): Promise<void> {
  const lock = await readMigrationLock(storage);
  if (lock === undefined) return;
  throw new SealboxError(
    'storage_unavailable',
    `storage migration in progress (started: ${lock.start}); the server cannot start until it ends. ` +
      "If no migration is running, clear the lock with 'sealbox operator migrate -reset -config FILE'",
  );
}

export function migrationInProgress(lock: MigrationLock): SealboxError {
  return new SealboxError('invalid_request', `storage migration in progress (started: ${lock.start})`);
}

function startOf(value: Uint8Array): string {
  try {
    const parsed = JSON.parse(Buffer.from(value).toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'string' && !Number.isNaN(Date.parse(parsed.start))) return parsed.start;
  } catch {
    // An unreadable lock still locks; only its time is unknown.
  }
  return 'an unknown time';
}
