import { createHash } from 'node:crypto';
import type { SecureStorage } from '../../../barrier/secure-storage.ts';
import { getJson } from '../../../barrier/secure-storage.ts';
import type { TxnOperation } from '../../../storage/physical-backend.ts';
import type { KeyMetadata } from './key-metadata.ts';
import type { KvConfig } from './kv-config.ts';
import { DEFAULT_KV_CONFIG } from './kv-config.ts';

/**
 * Operations per storage transaction. etcd refuses more than 128 by default (--max-txn-ops);
 * anything past this is a clean-up of data no metadata points to any more, done afterwards.
 */
const MAX_TXN_OPS = 64;

const CONFIG_KEY = 'config';
const METADATA_PREFIX = 'metadata/';
const VERSIONS_PREFIX = 'versions/';

/** One change to a key: its new metadata (null deletes it), at most one new version, versions to drop. */
export interface KeyChange {
  readonly metadata: KeyMetadata | null;
  readonly newVersion?: { readonly number: number; readonly data: Readonly<Record<string, unknown>> };
  readonly dropVersions?: readonly number[];
}

/**
 * The storage layout of a KV v2 mount, inside the mount's encrypted view:
 *
 *   config                        mount settings
 *   metadata/<path>               key metadata, one entry per secret; lists one level like the API
 *   versions/<sha256(path)>/<n>   the data of version n
 *
 * Version data sits under a hash of the path so that a secret `a` and a secret `a/1` never share
 * a key or a folder. A change to a key is one transaction: its new version, its metadata and the
 * versions it prunes apply together or not at all.
 */
export class VersionedStore {
  readonly #storage: SecureStorage;

  constructor(storage: SecureStorage) {
    this.#storage = storage;
  }

  async config(): Promise<KvConfig> {
    return (await getJson<KvConfig>(this.#storage, CONFIG_KEY)) ?? DEFAULT_KV_CONFIG;
  }

  async putConfig(config: KvConfig): Promise<void> {
    await this.#storage.put(CONFIG_KEY, encode(config));
  }

  async metadata(path: string): Promise<KeyMetadata | undefined> {
    return getJson<KeyMetadata>(this.#storage, METADATA_PREFIX + path);
  }

  async versionData(path: string, number: number): Promise<Record<string, unknown> | undefined> {
    const stored = await getJson<{ data: Record<string, unknown> }>(this.#storage, versionKey(path, number));
    return stored?.data;
  }

  /** The names below `prefix` ('' or ending in '/') of the metadata tree. */
  async list(prefix: string): Promise<string[]> {
    return this.#storage.list(METADATA_PREFIX + prefix);
  }

  async apply(path: string, change: KeyChange): Promise<void> {
    const required: TxnOperation[] = [];
    if (change.newVersion !== undefined) {
      required.push({ type: 'put', key: versionKey(path, change.newVersion.number), value: encode({ data: change.newVersion.data }) });
    }
    required.push(
      change.metadata === null
        ? { type: 'delete', key: METADATA_PREFIX + path }
        : { type: 'put', key: METADATA_PREFIX + path, value: encode(change.metadata) },
    );
    const drops = (change.dropVersions ?? []).map((number): TxnOperation => ({ type: 'delete', key: versionKey(path, number) }));
    const inFirst = Math.max(0, MAX_TXN_OPS - required.length);
    await this.#storage.transaction([...required, ...drops.slice(0, inFirst)]);
    for (let start = inFirst; start < drops.length; start += MAX_TXN_OPS) {
      await this.#storage.transaction(drops.slice(start, start + MAX_TXN_OPS));
    }
  }
}

function versionKey(path: string, number: number): string {
  return `${VERSIONS_PREFIX}${createHash('sha256').update(path).digest('hex')}/${number}`;
}

function encode(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value), 'utf8');
}
