import { SealboxError } from '../../../../lib/errors.ts';
import type { FieldData } from '../../../logical/field-data.ts';
import type { BackendRequest } from '../../../logical/logical-request.ts';
import type { LogicalResponse } from '../../../logical/logical-response.ts';
import type { PathRoute } from '../../../logical/path-table.ts';
import { mergePatch } from '../merge-patch.ts';
import { checkAndSet } from './check-and-set.ts';
import type { KeyMetadata } from './key-metadata.ts';
import { addVersion, emptyMetadata, isLive, renderVersion, scheduledDeletion, versionOf, withVersion } from './key-metadata.ts';
import type { KvConfig } from './kv-config.ts';
import type { VersionedKvContext } from './versioned-kv-context.ts';
import { pathField, requiredPath } from './versioned-kv-context.ts';
import { VersionedStore } from './versioned-store.ts';

/**
 * `<mount>/data/<path>`: read a version, write a new one, merge-patch the current one, or
 * soft-delete the current one. Exists (create versus update) when the key has metadata, as in Vault.
 */
export function dataRoute(context: VersionedKvContext): PathRoute {
  const nowMs = (): number => context.now().getTime();

  const read = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> => {
    const path = pathField(fields);
    if (path === '') return undefined;
    return readVersion(new VersionedStore(request.storage), path, fields.int('version') ?? 0, nowMs());
  };

  const write = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse> => {
    const path = requiredPath(fields);
    const data = fields.object('data');
    if (data === undefined) throw new SealboxError('invalid_request', 'no data provided');
    const options = fields.object('options');
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const config = await store.config();
      const metadata = (await store.metadata(path)) ?? emptyMetadata(nowMs());
      checkAndSet(options, config, metadata);
      return { data: await writeVersion(store, path, metadata, config, data, nowMs()) };
    });
  };

  const patch = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse> => {
    const path = requiredPath(fields);
    const changes = fields.object('data');
    if (changes === undefined) throw new SealboxError('invalid_request', 'no data provided');
    const options = fields.object('options');
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const metadata = await store.metadata(path);
      if (metadata === undefined) throw noSecret();
      const config = await store.config();
      checkAndSet(options, config, metadata);
      const number = metadata.currentVersion;
      const current = versionOf(metadata, number);
      if (current === undefined) throw noSecret();
      if (!isLive(current, nowMs())) return { status: 404, data: renderVersion(number, current, metadata) };
      const existing = await store.versionData(path, number);
      if (existing === undefined) throw new SealboxError('internal', 'could not find version data');
      const merged = mergePatch(existing, changes) as Record<string, unknown>;
      return { data: await writeVersion(store, path, metadata, config, merged, nowMs()) };
    });
  };

  const remove = async (request: BackendRequest, fields: FieldData): Promise<undefined> => {
    const path = pathField(fields);
    if (path === '') return undefined;
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const metadata = await store.metadata(path);
      const current = metadata === undefined ? undefined : versionOf(metadata, metadata.currentVersion);
      if (metadata === undefined || current === undefined || !isLive(current, nowMs())) return undefined;
      const deleted = withVersion(metadata, metadata.currentVersion, { ...current, deletionMs: nowMs() });
      await store.apply(path, { metadata: deleted });
      return undefined;
    });
  };

  const exists = async (request: BackendRequest, fields: FieldData): Promise<boolean> => {
    const path = pathField(fields);
    return path !== '' && (await new VersionedStore(request.storage).metadata(path)) !== undefined;
  };

  // Vault's pattern: a data path never ends with '/', so `data/` is no secret.
  return { pattern: 'data/(?<path>.*[^/])', operations: { read, update: write, patch, delete: remove }, exists };
}

/**
 * A version's data and metadata; a deleted or destroyed version is a 404 that still carries its
 * metadata, which the CLI and hvac show.
 */
async function readVersion(store: VersionedStore, path: string, requested: number, nowMs: number, retried = false): Promise<LogicalResponse | undefined> {
  const metadata = await store.metadata(path);
  if (metadata === undefined) return undefined;
  const number = requested > 0 ? requested : metadata.currentVersion;
  const version = versionOf(metadata, number);
  if (version === undefined) return undefined;
  const rendered = renderVersion(number, version, metadata);
  if (!isLive(version, nowMs)) return { status: 404, data: { data: null, metadata: rendered } };
  const data = await store.versionData(path, number);
  if (data !== undefined) return { data: { data, metadata: rendered } };
  // Reads take no lock: a destroy or prune between the two gets is seen by reading the metadata again.
  if (!retried) return readVersion(store, path, requested, nowMs, true);
  throw new SealboxError('internal', 'could not find version data');
}

/** Appends `data` as the next version, pruning past max_versions, in one storage transaction. */
async function writeVersion(
  store: VersionedStore,
  path: string,
  metadata: KeyMetadata,
  config: KvConfig,
  data: Readonly<Record<string, unknown>>,
  nowMs: number,
): Promise<Record<string, unknown>> {
  const version = { createdMs: nowMs, deletionMs: scheduledDeletion(nowMs, config, metadata), destroyed: false };
  const added = addVersion(metadata, version, config.maxVersions);
  const number = added.metadata.currentVersion;
  await store.apply(path, { metadata: added.metadata, newVersion: { number, data }, dropVersions: added.pruned });
  return renderVersion(number, version, added.metadata);
}

function noSecret(): SealboxError {
  return new SealboxError('not_found', 'no secret at this path');
}
