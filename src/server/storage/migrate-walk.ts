import type { PhysicalBackend } from './physical-backend.ts';
import { sortKeys } from './direct-children.ts';
import { MIGRATION_LOCK_KEY } from './migrate-lock.ts';

/**
 * Entries that belong to the running storage, not to its data: the migration lock itself, and the
 * HA locks (the etcd backend keeps them under core/lock/, bound to a lease of the node holding
 * them). Copying a lock would make the destination look held by a node that never ran there.
 */
const SKIPPED_KEYS: ReadonlySet<string> = new Set([MIGRATION_LOCK_KEY, 'core/lock']);
const SKIPPED_FOLDERS: ReadonlySet<string> = new Set(['core/lock/']);

/**
 * Every key of `storage` at or after `startKey`, sorted, found by listing folders depth-first.
 * Folders that can hold only keys below `startKey` are not listed at all, so resuming late in a
 * large store does not list it all again.
 */
export async function keysToCopy(storage: PhysicalBackend, startKey = ''): Promise<string[]> {
  const keys: string[] = [];
  const pending: string[] = [''];
  // Folders still to list; smallest on top, so the walk goes through the store in order.
  while (pending.length > 0) {
    const folder = pending.pop()!;
    const children = sortKeys(await storage.list(folder)).map((child) => folder + child);
    const subfolders: string[] = [];
    for (const path of children) {
      if (path.endsWith('/')) {
        if (!SKIPPED_FOLDERS.has(path) && mayHoldKeysFrom(path, startKey)) subfolders.push(path);
        continue;
      }
      if (!SKIPPED_KEYS.has(path) && path >= startKey) keys.push(path);
    }
    pending.push(...subfolders.reverse());
  }
  return sortKeys(keys);
}

/** Whether folder `prefix` (ending with '/') can hold a key >= startKey. */
function mayHoldKeysFrom(prefix: string, startKey: string): boolean {
  return prefix >= startKey || startKey.startsWith(prefix);
}
