import { createHmac, createSecretKey, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { SealboxError } from '../../../lib/errors.ts';
import { randomBase62 } from '../../../lib/random-id.ts';
import { RandomPool } from '../../../lib/random-pool.ts';
import type { Logger } from '../../../lib/logger.ts';
import { ReadWriteLock } from '../../storage/file/read-write-lock.ts';
import type { SecureStorage } from '../../barrier/secure-storage.ts';
import { getJson, putJson } from '../../barrier/secure-storage.ts';
import type { TokenAuthority } from '../../core/request-pipeline.ts';
import type { AuthBlock, LoginGrant } from '../../logical/logical-response.ts';
import type { MountEntry } from '../../router/mount-entry.ts';
import type { TxnOperation } from '../../storage/physical-backend.ts';
import { authBlock } from './auth-block.ts';
import { ExpirationSweeper } from './expiration-sweeper.ts';
import type { TokenEntry } from './token-entry.ts';
import { REVOCATION_PENDING } from './token-entry.ts';
import { NON_ASSIGNABLE_POLICIES, sanitizePolicies } from './token-policies.ts';
import { TokenRoleStore } from './token-role-store.ts';
import type { TokenSpec } from './token-spec.ts';
import type { TtlLimits } from './token-ttl.ts';
import { SYSTEM_TTL_LIMITS, calculateTtl, mountTtlLimits } from './token-ttl.ts';

const SALT_KEY = 'salt';
const TOKEN_RANDOM_LENGTH = 24;
const EMPTY_JSON = Buffer.from('{}');

export interface IssuedToken {
  readonly token: string;
  readonly entry: TokenEntry;
}

/** A token as found in storage: its salted hash (the storage key) and its entry. */
export interface StoredToken {
  readonly hash: string;
  readonly entry: TokenEntry;
}

export interface RenewResult {
  readonly entry: TokenEntry;
  /** The granted TTL in seconds; 0 for a token that never expires. */
  readonly ttl: number;
  readonly warnings: string[];
}

export interface FindOptions {
  /** Also find a token whose last use is in flight (num_uses -1), as lookup-self on that use must. */
  readonly tainted?: boolean;
}

export type RevokeListener = (accessor: string) => Promise<void>;

/** The auth method and mount a token was issued through, as Vault's token metrics label it. */
export interface TokenSource {
  readonly authMethod: string;
  readonly mountPoint: string;
}

/** Told of every token created and every token revoked because it expired (metrics). */
export interface TokenObserver {
  tokenCreated(entry: TokenEntry, source: TokenSource): void;
  tokenExpired(): void;
}

const TOKEN_STORE_SOURCE: TokenSource = { authMethod: 'token', mountPoint: 'auth/token/' };

interface AccessorIndex {
  readonly accessor: string;
  readonly tokenHash: string;
}

/**
 * Service tokens, stored only under salted hashes in the token store's view (sys/token/):
 * id/<hash> holds the entry, accessor/<hash(accessor)> points at the token's hash, and
 * parent/<parent hash>/<child hash> is the revocation tree. Changes to one token's keys go in one
 * transaction; changes that read before they write (uses, renewals, revoking) run one at a time,
 * and creating children runs alongside other creations but never alongside those, so that a child
 * cannot be created under a parent being revoked.
 */
export class TokenStore implements TokenAuthority {
  readonly roles: TokenRoleStore;
  readonly systemTtl: TtlLimits;
  readonly #storage: SecureStorage;
  readonly #now: () => number;
  /** Token IDs and accessors. */
  readonly #random = new RandomPool();
  readonly #lock = new ReadWriteLock();
  readonly #revokeListeners: RevokeListener[] = [];
  /** Expiry of every expiring token this store has seen: the sweeper's work list. */
  readonly #deadlines = new Map<string, number>();
  #deadlinesLoaded: Promise<void> | undefined;
  // A KeyObject, made once: Node imports a Buffer key anew on every createHmac, which costs more than the HMAC.
  #salt: Promise<KeyObject> | undefined;
  #observer: TokenObserver | undefined;

  /**
   * `now` is the clock in unix milliseconds (tests inject one); `systemTtl` the system default and
   * max lease TTL, 768h each unless configured.
   */
  constructor(storage: SecureStorage, now: () => number = Date.now, systemTtl: TtlLimits = SYSTEM_TTL_LIMITS) {
    this.#storage = storage;
    this.#now = now;
    this.systemTtl = systemTtl;
    this.roles = new TokenRoleStore(storage);
  }

  /**
   * Called with the accessor of every token before it is deleted (the core destroys its
   * cubbyhole). Listeners run inside the store's serial section: they must not revoke or renew.
   */
  onRevoke(listener: RevokeListener): void {
    this.#revokeListeners.push(listener);
  }

  observe(observer: TokenObserver): void {
    this.#observer = observer;
  }

  /** How many tokens are stored, expired ones not yet swept included. */
  async count(): Promise<number> {
    return (await this.#storage.list('id/')).length;
  }

  /** The store's clock, in unix milliseconds. */
  nowMs(): number {
    return this.#now();
  }

  /** A sweeper over this store on the same clock; the caller starts and stops it. */
  expirationSweeper(logger?: Logger): ExpirationSweeper {
    return new ExpirationSweeper({ tokens: this, now: this.#now, ...(logger === undefined ? {} : { logger }) });
  }

  ttlLimits(mount: MountEntry): TtlLimits {
    return mountTtlLimits(mount.config, this.systemTtl);
  }

  /** The root token of init and generate-root: policy root, no TTL, no lease, orphan. */
  async createRootToken(): Promise<IssuedToken> {
    const token = this.#newTokenId();
    const entry: TokenEntry = {
      accessor: randomBase62(TOKEN_RANDOM_LENGTH, this.#random.bytes),
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
    await this.#persistNew(await this.#hash(token), entry);
    return { token, entry };
  }

  /** Mints a token; a child of `parentToken` unless that is undefined. */
  async create(spec: TokenSpec, parentToken?: string): Promise<IssuedToken> {
    if (parentToken === undefined && spec.customId === undefined) return this.#insert(spec, undefined);
    // Children of one parent may be created side by side (their keys differ); a custom ID is checked
    // for duplicates, and revocations, uses and renewals change what creation reads: those run alone.
    const lock = spec.customId === undefined ? this.#lock.read.bind(this.#lock) : this.#lock.write.bind(this.#lock);
    return lock(async () => {
      if (parentToken === undefined) return this.#insert(spec, undefined);
      const parentHash = await this.#hash(parentToken);
      const parent = await this.#read(parentHash);
      if (parent === undefined || !this.#live(parent, false)) throw new SealboxError('invalid_request', 'parent token not found');
      return this.#insert(spec, parentHash);
    });
  }

  async issueLoginToken(grant: LoginGrant, mount: MountEntry): Promise<AuthBlock> {
    const policies = sanitizePolicies(grant.policies, !grant.noDefaultPolicy);
    for (const policy of policies) {
      if (policy === 'root') throw new SealboxError('invalid_request', 'auth methods cannot create root tokens');
      if (NON_ASSIGNABLE_POLICIES.includes(policy)) throw new SealboxError('invalid_request', `cannot assign policy "${policy}"`);
    }
    const limits = this.ttlLimits(mount);
    const now = this.#now();
    const { ttl } = calculateTtl({
      limits,
      increment: 0,
      backendTtl: grant.ttl,
      period: grant.period,
      backendMaxTtl: grant.maxTtl,
      explicitMaxTtl: grant.explicitMaxTtl,
      startMs: now,
      nowMs: now,
    });
    const source = mount.path.replace(/^auth\//, '').replaceAll('/', '-');
    const { token, entry } = await this.#insert(
      {
        policies,
        path: `${mount.path}login`,
        displayName: `${source}${grant.displayName}`.replace(/-$/, ''),
        meta: grant.metadata,
        ttl,
        explicitMaxTtl: grant.explicitMaxTtl,
        period: grant.period,
        numUses: grant.numUses,
        renewable: grant.renewable,
        maxTtl: grant.maxTtl > 0 && grant.maxTtl < limits.maxTtl ? grant.maxTtl : limits.maxTtl,
        boundCidrs: grant.boundCidrs,
      },
      undefined,
      { authMethod: mount.type, mountPoint: mount.path },
    );
    return authBlock(token, entry, ttl);
  }

  /** The live entry of `token`, or undefined when unknown, revoked, used up or expired. */
  async lookup(token: string): Promise<TokenEntry | undefined> {
    return (await this.find(token))?.entry;
  }

  async find(token: string, options: FindOptions = {}): Promise<StoredToken | undefined> {
    if (token === '') return undefined;
    const hash = await this.#hash(token);
    const entry = await this.#read(hash);
    if (entry === undefined || !this.#live(entry, options.tainted === true)) return undefined;
    return { hash, entry };
  }

  async findByAccessor(accessor: string, options: FindOptions = {}): Promise<StoredToken | undefined> {
    if (accessor === '') return undefined;
    const index = await getJson<AccessorIndex>(this.#storage, `accessor/${await this.#hash(accessor)}`);
    if (index === undefined) return undefined;
    const entry = await this.#read(index.tokenHash);
    if (entry === undefined || !this.#live(entry, options.tainted === true)) return undefined;
    return { hash: index.tokenHash, entry };
  }

  async lookupByAccessor(accessor: string): Promise<TokenEntry | undefined> {
    return (await this.findByAccessor(accessor))?.entry;
  }

  async use(token: string, entry: TokenEntry): Promise<{ entry: TokenEntry; lastUse: boolean }> {
    if (entry.numUses === 0) return { entry, lastUse: false };
    return this.#lock.write(async () => {
      const hash = await this.#hash(token);
      const current = await this.#read(hash);
      if (current === undefined || !this.#live(current, false)) throw new SealboxError('permission_denied', 'permission denied');
      if (current.numUses === 0) return { entry: current, lastUse: false };
      // The last use marks the token first, so no other request can start with it meanwhile.
      const numUses = current.numUses === 1 ? REVOCATION_PENDING : current.numUses - 1;
      const updated: TokenEntry = { ...current, numUses };
      await this.#write(hash, updated);
      return { entry: updated, lastUse: numUses === REVOCATION_PENDING };
    });
  }

  /** Revokes `token` and every token below it; unknown tokens are ignored. */
  async revoke(token: string): Promise<void> {
    const hash = await this.#hash(token);
    await this.#lock.write(() => this.#revokeTree(hash));
  }

  async revokeTree(stored: StoredToken): Promise<void> {
    await this.#lock.write(() => this.#revokeTree(stored.hash));
  }

  /** Revokes the token alone; its children become orphans. */
  async revokeOrphan(stored: StoredToken): Promise<void> {
    await this.#lock.write(async () => {
      // Children are orphaned first: a crash half way leaves the parent, never a dangling tree.
      for (const child of await this.#children(stored.hash)) await this.#orphan(stored.hash, child);
      await this.#revokeOne(stored.hash, undefined);
    });
  }

  /** Extends the token's lease by Vault's rules; see calculateTtl. */
  async renew(stored: StoredToken, increment: number): Promise<RenewResult> {
    return this.#lock.write(async () => {
      const entry = await this.#read(stored.hash);
      if (entry === undefined || !this.#live(entry, false)) throw new SealboxError('invalid_request', 'token not found');
      // A non-expiring token renews to itself (vault-api.md 4.4); real Vault answers "lease is not renewable".
      if (entry.expireTime === undefined) return { entry, ttl: 0, warnings: [] };
      if (!entry.renewable) throw new SealboxError('invalid_request', 'lease is not renewable');
      const { period, explicitMaxTtl } = await this.#renewalLimits(entry);
      const now = this.#now();
      const { ttl, warnings } = calculateTtl({
        limits: { defaultTtl: this.systemTtl.defaultTtl, maxTtl: entry.maxTtl ?? this.systemTtl.maxTtl },
        increment,
        backendTtl: entry.leaseTtl ?? entry.ttl,
        period,
        backendMaxTtl: 0,
        explicitMaxTtl,
        startMs: entry.issueTime ?? entry.creationTime,
        nowMs: now,
      });
      const updated: TokenEntry = { ...entry, expireTime: now + ttl * 1000, lastRenewalTime: now, leaseTtl: ttl };
      await this.#write(stored.hash, updated);
      return { entry: updated, ttl, warnings };
    });
  }

  /** Every accessor with an index entry. */
  async listAccessors(): Promise<string[]> {
    const accessors: string[] = [];
    for (const name of await this.#storage.list('accessor/')) {
      const index = await getJson<AccessorIndex>(this.#storage, `accessor/${name}`);
      if (index !== undefined) accessors.push(index.accessor);
    }
    return accessors;
  }

  /** Revokes (with their children) the tokens expired at `nowMs`; returns how many trees were revoked. */
  async revokeExpired(nowMs: number): Promise<number> {
    await this.#loadDeadlines();
    let revoked = 0;
    for (const [hash, deadline] of [...this.#deadlines]) {
      if (deadline > nowMs) continue;
      // One task per token, so that requests interleave with a long sweep.
      const done = await this.#lock.write(async () => {
        const entry = await this.#read(hash);
        if (entry?.expireTime !== undefined && entry.expireTime > nowMs) {
          this.#deadlines.set(hash, entry.expireTime);
          return false;
        }
        await this.#revokeTree(hash);
        return entry !== undefined;
      });
      if (!done) continue;
      revoked += 1;
      this.#observer?.tokenExpired();
    }
    return revoked;
  }

  /**
   * Repairs the indexes: parent links to tokens that are gone (their children become orphans),
   * accessors of tokens that are gone, and tokens past their expiry.
   */
  async tidy(): Promise<void> {
    for (const folder of await this.#storage.list('parent/')) {
      const parentHash = folder.slice(0, -1);
      await this.#lock.write(async () => {
        const parentExists = (await this.#read(parentHash)) !== undefined;
        for (const child of await this.#children(parentHash)) {
          const childEntry = await this.#read(child);
          if (childEntry === undefined) await this.#storage.delete(`parent/${parentHash}/${child}`);
          else if (!parentExists) await this.#orphan(parentHash, child);
        }
      });
    }
    for (const name of await this.#storage.list('accessor/')) {
      await this.#lock.write(async () => {
        const index = await getJson<AccessorIndex>(this.#storage, `accessor/${name}`);
        if (index !== undefined && (await this.#read(index.tokenHash)) === undefined) await this.#storage.delete(`accessor/${name}`);
      });
    }
    await this.revokeExpired(this.#now());
  }

  async #insert(spec: TokenSpec, parentHash: string | undefined, source = TOKEN_STORE_SOURCE): Promise<IssuedToken> {
    const token = spec.customId ?? this.#newTokenId();
    const hash = await this.#hash(token);
    if (spec.customId !== undefined && (await this.#storage.get(`id/${hash}`)) !== undefined) {
      throw new SealboxError('invalid_request', 'cannot create a token with a duplicate ID');
    }
    const now = this.#now();
    const entry: TokenEntry = {
      accessor: randomBase62(TOKEN_RANDOM_LENGTH, this.#random.bytes),
      policies: spec.policies,
      path: spec.path,
      displayName: spec.displayName,
      meta: spec.meta,
      creationTime: now,
      ttl: spec.ttl,
      explicitMaxTtl: spec.explicitMaxTtl,
      period: spec.period,
      numUses: spec.numUses,
      orphan: parentHash === undefined,
      renewable: spec.renewable,
      type: 'service',
      issueTime: now,
      maxTtl: spec.maxTtl,
      ...(spec.ttl > 0 ? { expireTime: now + spec.ttl * 1000, leaseTtl: spec.ttl } : {}),
      ...(parentHash === undefined ? {} : { parentHash }),
      ...(spec.role === undefined ? {} : { role: spec.role }),
      ...(spec.boundCidrs === undefined || spec.boundCidrs.length === 0 ? {} : { boundCidrs: spec.boundCidrs }),
    };
    await this.#persistNew(hash, entry);
    this.#observer?.tokenCreated(entry, source);
    return { token, entry };
  }

  /** The entry, its accessor index and its parent link, all or nothing. */
  async #persistNew(hash: string, entry: TokenEntry): Promise<void> {
    const index: AccessorIndex = { accessor: entry.accessor, tokenHash: hash };
    const operations: TxnOperation[] = [
      { type: 'put', key: `id/${hash}`, value: toJson(entry) },
      { type: 'put', key: `accessor/${await this.#hash(entry.accessor)}`, value: toJson(index) },
    ];
    if (entry.parentHash !== undefined) operations.push({ type: 'put', key: `parent/${entry.parentHash}/${hash}`, value: EMPTY_JSON });
    await this.#storage.transaction(operations);
    this.#track(hash, entry);
  }

  async #write(hash: string, entry: TokenEntry): Promise<void> {
    await putJson(this.#storage, `id/${hash}`, entry);
    this.#track(hash, entry);
  }

  async #read(hash: string): Promise<TokenEntry | undefined> {
    return getJson<TokenEntry>(this.#storage, `id/${hash}`);
  }

  /** Depth first, children before parents, so an interrupted revocation never strands a subtree. */
  async #revokeTree(rootHash: string): Promise<void> {
    const stack: { hash: string; indexParent: string | undefined }[] = [{ hash: rootHash, indexParent: undefined }];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      seen.add(top.hash);
      const children = await this.#children(top.hash);
      const fresh = children.filter((child) => !seen.has(child));
      // A cycle cannot be made through the API; if storage holds one, drop the back link.
      for (const child of children.filter((candidate) => seen.has(candidate))) await this.#storage.delete(`parent/${top.hash}/${child}`);
      if (fresh.length === 0) {
        await this.#revokeOne(top.hash, top.indexParent);
        stack.pop();
      } else {
        stack.push(...fresh.map((hash) => ({ hash, indexParent: top.hash })));
      }
    }
  }

  /** Deletes one token with its accessor and parent link in one transaction. */
  async #revokeOne(hash: string, indexParent: string | undefined): Promise<void> {
    const entry = await this.#read(hash);
    const operations: TxnOperation[] = [{ type: 'delete', key: `id/${hash}` }];
    if (entry !== undefined) {
      // Listeners go first, as in Vault: a cubbyhole must not outlive its token.
      for (const listener of this.#revokeListeners) await listener(entry.accessor);
      operations.push({ type: 'delete', key: `accessor/${await this.#hash(entry.accessor)}` });
      if (entry.parentHash !== undefined) operations.push({ type: 'delete', key: `parent/${entry.parentHash}/${hash}` });
    }
    if (indexParent !== undefined && indexParent !== entry?.parentHash) operations.push({ type: 'delete', key: `parent/${indexParent}/${hash}` });
    await this.#storage.transaction(operations);
    this.#deadlines.delete(hash);
  }

  /** Makes `child` an orphan and drops its link under `parentHash`, in one transaction. */
  async #orphan(parentHash: string, child: string): Promise<void> {
    const entry = await this.#read(child);
    const operations: TxnOperation[] = [{ type: 'delete', key: `parent/${parentHash}/${child}` }];
    if (entry !== undefined) {
      const { parentHash: _dropped, ...rest } = entry;
      operations.push({ type: 'put', key: `id/${child}`, value: toJson({ ...rest, orphan: true }) });
    }
    await this.#storage.transaction(operations);
  }

  async #children(hash: string): Promise<string[]> {
    return (await this.#storage.list(`parent/${hash}/`)).filter((name) => !name.endsWith('/'));
  }

  /** A role token renews with its role's current period and explicit max, as in Vault. */
  async #renewalLimits(entry: TokenEntry): Promise<{ period: number; explicitMaxTtl: number }> {
    if (entry.role === undefined) return { period: entry.period, explicitMaxTtl: entry.explicitMaxTtl };
    const role = await this.roles.get(entry.role);
    if (role === undefined) throw new SealboxError('invalid_request', `original token role "${entry.role}" could not be found, not renewing`);
    return { period: role.tokenPeriod, explicitMaxTtl: role.tokenExplicitMaxTtl };
  }

  #live(entry: TokenEntry, tainted: boolean): boolean {
    if (entry.numUses < 0 && !tainted) return false;
    return entry.expireTime === undefined || this.#now() < entry.expireTime;
  }

  #track(hash: string, entry: TokenEntry): void {
    if (entry.expireTime === undefined) this.#deadlines.delete(hash);
    else this.#deadlines.set(hash, entry.expireTime);
  }

  /** One scan of id/ the first time the sweeper runs; afterwards every write keeps the list current. */
  async #loadDeadlines(): Promise<void> {
    this.#deadlinesLoaded ??= this.#scanDeadlines().catch((error: unknown) => {
      this.#deadlinesLoaded = undefined;
      throw error;
    });
    await this.#deadlinesLoaded;
  }

  async #scanDeadlines(): Promise<void> {
    for (const hash of await this.#storage.list('id/')) {
      const entry = await this.#read(hash);
      if (entry?.expireTime !== undefined && !this.#deadlines.has(hash)) this.#deadlines.set(hash, entry.expireTime);
    }
  }

  async #hash(value: string): Promise<string> {
    return createHmac('sha256', await this.#loadSalt()).update(value).digest('hex');
  }

  async #loadSalt(): Promise<KeyObject> {
    // One promise for all callers: two first uses must not each create a salt.
    this.#salt ??= this.#readOrCreateSalt().then((salt) => createSecretKey(salt)).catch((error: unknown) => {
      this.#salt = undefined;
      throw error;
    });
    return this.#salt;
  }

  #newTokenId(): string {
    return `hvs.${randomBase62(TOKEN_RANDOM_LENGTH, this.#random.bytes)}`;
  }

  async #readOrCreateSalt(): Promise<Buffer> {
    const stored = await getJson<{ salt: string }>(this.#storage, SALT_KEY);
    if (stored !== undefined) return Buffer.from(stored.salt, 'base64');
    const salt = randomBytes(32);
    await putJson(this.#storage, SALT_KEY, { salt: salt.toString('base64') });
    return salt;
  }
}

function toJson(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
