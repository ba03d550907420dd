import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';

const PREFIX = 'core/leader/';

/** What the active node tells standbys about itself, stored through the barrier. */
export interface LeaderAdvertisement {
  readonly redirect_addr: string;
  readonly cluster_addr: string;
}

/** Writes this activation's advertisement and removes those of earlier activations. */
export async function advertise(storage: SecureStorage, lockValue: string, advertisement: LeaderAdvertisement): Promise<void> {
  await putJson(storage, PREFIX + lockValue, advertisement);
  for (const name of await storage.list(PREFIX)) {
    if (name !== lockValue && !name.endsWith('/')) await storage.delete(PREFIX + name);
  }
}

export function readAdvertisement(storage: SecureStorage, lockValue: string): Promise<LeaderAdvertisement | undefined> {
  return getJson<LeaderAdvertisement>(storage, PREFIX + lockValue);
}
