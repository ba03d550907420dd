import { uuid } from '../../lib/random-id.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';

const SALT_KEY = 'salt';

/**
 * The device's salt, as Vault keeps it: a random UUID string stored raw at `salt` in the
 * device's barrier view, made on first use and shared by every node.
 */
export async function deviceSalt(view: SecureStorage): Promise<string> {
  const stored = await view.get(SALT_KEY);
  if (stored !== undefined) return Buffer.from(stored).toString('utf8');
  const salt = uuid();
  await view.put(SALT_KEY, Buffer.from(salt, 'utf8'));
  return salt;
}
