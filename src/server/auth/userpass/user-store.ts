import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { TokenSettings } from '../token-fields.ts';

/** A userpass user; only the bcrypt hash of the password is kept. */
export interface UserEntry {
  readonly passwordHash: string;
  readonly token: TokenSettings;
}

const USER_PREFIX = 'user/';

/** Usernames are case-insensitive: they are stored, listed and reported lower-cased. */
export function normalizeUsername(username: string): string {
  return username.toLowerCase();
}

export function readUser(storage: SecureStorage, username: string): Promise<UserEntry | undefined> {
  return getJson<UserEntry>(storage, USER_PREFIX + normalizeUsername(username));
}

export function writeUser(storage: SecureStorage, username: string, entry: UserEntry): Promise<void> {
  return putJson(storage, USER_PREFIX + normalizeUsername(username), entry);
}

export function deleteUser(storage: SecureStorage, username: string): Promise<void> {
  return storage.delete(USER_PREFIX + normalizeUsername(username));
}

export function listUsers(storage: SecureStorage): Promise<string[]> {
  return storage.list(USER_PREFIX);
}
