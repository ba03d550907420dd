import { randomBytes } from 'node:crypto';
import { SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { uuid } from '../../lib/random-id.ts';
import { deleteTree, getJson, putJson } from '../barrier/secure-storage.ts';
import type { StorageView } from '../barrier/storage-view.ts';
import type { BackendFactory } from '../logical/logical-backend.ts';
import type { MountConfig, MountEntry, MountTableName } from './mount-entry.ts';
import { storagePrefix } from './mount-entry.ts';
import type { Router } from './router.ts';

const TABLE_KEYS: Readonly<Record<MountTableName, string>> = { mounts: 'core/mounts', auth: 'core/auth' };
/** Secret mounts that only the system may own. */
const RESERVED_SECRET_PATHS = ['sys/', 'auth/', 'cubbyhole/', 'identity/'];

export interface EnableRequest {
  readonly table: MountTableName;
  /** As the user gave it: `secret`, `/secret/`, `userpass` (auth mounts without `auth/`). */
  readonly path: string;
  readonly type: string;
  readonly description?: string;
  readonly config?: Partial<MountConfig>;
  readonly options?: Readonly<Record<string, string>> | null;
  readonly local?: boolean;
  readonly sealWrap?: boolean;
}

export interface MountManagerOptions {
  /** The whole of secure storage; each mount gets a view of it. */
  readonly storage: StorageView;
  readonly router: Router;
  /** Factories by mount type, for both tables. */
  readonly factories: ReadonlyMap<string, BackendFactory>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** The two persisted mount tables and the backends they put into the router. */
export class MountManager {
  readonly #options: MountManagerOptions;

  constructor(options: MountManagerOptions) {
    this.#options = options;
  }

  /** Mounts what the tables hold, creating the default mounts on the first unseal after init. */
  async load(defaults: readonly EnableRequest[]): Promise<void> {
    for (const table of ['mounts', 'auth'] as const) {
      const entries = await getJson<MountEntry[]>(this.#options.storage, TABLE_KEYS[table]);
      if (entries === undefined) continue;
      for (const entry of entries) await this.#mountBackend(entry);
    }
    for (const request of defaults) {
      if (this.find(normalizePath(request)) === undefined) await this.#enable(request, true);
    }
  }

  /** A user's mount request; the reserved paths are the system's own. */
  enable(request: EnableRequest): Promise<MountEntry> {
    return this.#enable(request, false);
  }

  async #enable(request: EnableRequest, system: boolean): Promise<MountEntry> {
    const path = normalizePath(request);
    validatePath(request.table, path, system);
    const conflict = this.#options.router.conflict(path);
    if (conflict !== undefined) throw new SealboxError('invalid_request', `path is already in use at ${conflict.path}`);
    const entry = newEntry(request, path);
    if (!this.#options.factories.has(entry.type)) {
      throw new SealboxError('invalid_request', `plugin not found in the catalog: ${entry.type}`);
    }
    await this.#mountBackend(entry);
    await this.#persist(entry.table);
    this.#options.logger.info('mounted', { path: entry.path, type: entry.type });
    return entry;
  }

  /** Removes the mount and everything it stored; a path with nothing mounted is fine. */
  async disable(table: MountTableName, userPath: string): Promise<void> {
    const path = normalizePath({ table, path: userPath });
    const entry = this.find(path);
    if (entry === undefined || entry.table !== table) return;
    if (entry.type === 'system' || entry.type === 'token' || entry.type === 'cubbyhole') {
      throw new SealboxError('invalid_request', `cannot unmount "${path}"`);
    }
    const backend = this.#options.router.unmount(path);
    await backend?.cleanup?.();
    await this.#persist(table);
    await deleteTree(this.#options.storage.view(storagePrefix(entry)));
    this.#options.logger.info('unmounted', { path });
  }

  async tune(table: MountTableName, userPath: string, change: { config?: Partial<MountConfig>; options?: Record<string, string>; description?: string }): Promise<MountEntry> {
    const path = normalizePath({ table, path: userPath });
    const entry = this.find(path);
    if (entry === undefined || entry.table !== table) throw new SealboxError('invalid_request', `no mount at "${path}"`);
    const tuned: MountEntry = {
      ...entry,
      ...(change.description === undefined ? {} : { description: change.description }),
      config: { ...entry.config, ...change.config },
      options: change.options === undefined ? entry.options : { ...entry.options, ...change.options },
    };
    validateTtls(tuned.config);
    const backend = this.#options.router.unmount(path);
    await backend?.cleanup?.();
    await this.#mountBackend(tuned);
    await this.#persist(table);
    return tuned;
  }

  find(path: string): MountEntry | undefined {
    return this.#options.router.mounts().find((entry) => entry.path === path);
  }

  entries(table: MountTableName): MountEntry[] {
    return this.#options.router
      .mounts()
      .filter((entry) => entry.table === table)
      .sort((a, b) => a.path.localeCompare(b.path));
  }

  async #mountBackend(entry: MountEntry): Promise<void> {
    const factory = this.#options.factories.get(entry.type);
    if (factory === undefined) throw new SealboxError('internal', `no backend for mount type ${entry.type}`);
    const backend = await factory({
      mount: entry,
      storage: this.#options.storage.view(storagePrefix(entry)),
      logger: this.#options.logger.child({ mount: entry.path }),
      now: this.#options.now,
    });
    this.#options.router.mount(entry, backend);
  }

  async #persist(table: MountTableName): Promise<void> {
    await putJson(this.#options.storage, TABLE_KEYS[table], this.entries(table));
  }
}

function normalizePath(request: Pick<EnableRequest, 'table' | 'path'>): string {
  let path = request.path.trim().replace(/^\/+/, '');
  if (!path.endsWith('/')) path += '/';
  return request.table === 'auth' ? `auth/${path}` : path;
}

function validatePath(table: MountTableName, path: string, system: boolean): void {
  const inner = table === 'auth' ? path.slice('auth/'.length) : path;
  if (inner === '/' || inner.split('/').some((segment, i, all) => segment === '' && i < all.length - 1)) {
    throw new SealboxError('invalid_request', `invalid mount path "${inner}"`);
  }
  if (inner.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw new SealboxError('invalid_request', 'path cannot contain parent references');
  }
  if (!system && table === 'mounts' && RESERVED_SECRET_PATHS.some((reserved) => path.startsWith(reserved))) {
    throw new SealboxError('invalid_request', `cannot mount "${path}"`);
  }
}

function newEntry(request: EnableRequest, path: string): MountEntry {
  const { type, options } = resolveType(request.type, request.options ?? null);
  const config: MountConfig = { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, ...request.config };
  validateTtls(config);
  const suffix = randomBytes(4).toString('hex');
  return {
    table: request.table,
    path,
    type,
    description: request.description ?? '',
    uuid: uuid(),
    accessor: request.table === 'auth' ? `auth_${type}_${suffix}` : `${type}_${suffix}`,
    config,
    options,
    local: request.local ?? false,
    sealWrap: request.sealWrap ?? false,
  };
}

/** `kv-v1` and `kv-v2` are aliases of `kv` with a version; only KV takes a version. */
function resolveType(type: string, options: Readonly<Record<string, string>> | null): { type: string; options: Readonly<Record<string, string>> | null } {
  if (type === '') throw new SealboxError('invalid_request', 'backend type must be specified as a string');
  if (type === 'kv-v2') return { type: 'kv', options: { ...options, version: '2' } };
  if (type === 'kv-v1') return { type: 'kv', options: { ...options, version: '1' } };
  if (type !== 'kv' && options?.['version'] !== undefined) {
    throw new SealboxError('invalid_request', `secrets engine "${type}" does not allow setting a version`);
  }
  return { type, options };
}

function validateTtls(config: MountConfig): void {
  if (config.max_lease_ttl > 0 && config.default_lease_ttl > config.max_lease_ttl) {
    throw new SealboxError('invalid_request', 'given default lease TTL greater than given max lease TTL');
  }
}
