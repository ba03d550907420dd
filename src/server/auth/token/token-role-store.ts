import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { TokenRole } from './token-role.ts';

/** Token roles at roles/<name> of the token store's storage. */
export class TokenRoleStore {
  readonly #storage: SecureStorage;

  /** `storage` is the token store's own view; roles live below roles/ in it. */
  constructor(storage: SecureStorage) {
    this.#storage = storage;
  }

  async get(name: string): Promise<TokenRole | undefined> {
    return getJson<TokenRole>(this.#storage, roleKey(name));
  }

  async put(role: TokenRole): Promise<void> {
    await putJson(this.#storage, roleKey(role.name), role);
  }

  async delete(name: string): Promise<void> {
    await this.#storage.delete(roleKey(name));
  }

  async list(): Promise<string[]> {
    return (await this.#storage.list('roles/')).filter((name) => !name.endsWith('/'));
  }
}

function roleKey(name: string): string {
  return `roles/${name}`;
}
