import { createHmac, randomBytes } from 'node:crypto';
import { randomBase62 } from '../../../lib/random-id.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { TokenEntry } from './token-entry.ts';

const SALT_KEY = 'salt';
const TOKEN_RANDOM_LENGTH = 24;

export interface IssuedToken {
  readonly token: string;
  readonly entry: TokenEntry;
}

/**
 * Tokens live at id/<hmac(salt, token)> and accessor/<hmac(salt, accessor)> in the token store's
 * view (sys/token/), so a dump of storage cannot be replayed as a token.
 */
export class TokenStore {
  readonly #storage: SecureStorage;
  readonly #now: () => number;
  #salt: Buffer | undefined;

  constructor(storage: SecureStorage, now: () => number = Date.now) {
    this.#storage = storage;
    this.#now = now;
  }

  /** The root token of init and generate-root: policy root, no TTL, orphan. */
  async createRootToken(): Promise<IssuedToken> {
    const entry: TokenEntry = {
      accessor: randomBase62(TOKEN_RANDOM_LENGTH),
      policies: ['root'],
      path: 'auth/token/root',
      displayName: 'root',
      meta: null,
      creationTime: this.#now(),
      ttl: 0,
      explicitMaxTtl: 0,
      period: 0,
      numUses: 0,
      orphan: true,
      renewable: false,
      type: 'service',
    };
    return this.#store(entry);
  }

  async lookup(token: string): Promise<TokenEntry | undefined> {
    if (token === '') return undefined;
    const entry = await getJson<TokenEntry>(this.#storage, `id/${await this.#hash(token)}`);
    if (entry === undefined || this.#expired(entry)) return undefined;
    return entry;
  }

  async #store(entry: TokenEntry): Promise<IssuedToken> {
    const token = `hvs.${randomBase62(TOKEN_RANDOM_LENGTH)}`;
    const hash = await this.#hash(token);
    const accessorHash = await this.#hash(entry.accessor);
    await this.#storage.transaction([
      { type: 'put', key: `id/${hash}`, value: Buffer.from(JSON.stringify(entry)) },
      { type: 'put', key: `accessor/${accessorHash}`, value: Buffer.from(JSON.stringify({ tokenHash: hash })) },
    ]);
    return { token, entry };
  }

  #expired(entry: TokenEntry): boolean {
    return entry.ttl > 0 && entry.creationTime + entry.ttl * 1000 <= this.#now();
  }

  async #hash(value: string): Promise<string> {
    const salt = await this.#loadSalt();
    return createHmac('sha256', salt).update(value).digest('hex');
  }

  async #loadSalt(): Promise<Buffer> {
    if (this.#salt !== undefined) return this.#salt;
    const stored = await getJson<{ salt: string }>(this.#storage, SALT_KEY);
    if (stored !== undefined) {
      this.#salt = Buffer.from(stored.salt, 'base64');
      return this.#salt;
    }
    const salt = randomBytes(32);
    await putJson(this.#storage, SALT_KEY, { salt: salt.toString('base64') });
    this.#salt = salt;
    return salt;
  }
}
