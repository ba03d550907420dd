import { SealboxError } from '../../../../lib/errors.ts';
import type { FieldData } from '../../../logical/field-data.ts';
import type { BackendRequest } from '../../../logical/logical-request.ts';
import type { PathRoute } from '../../../logical/path-table.ts';
import type { KeyMetadata, VersionMetadata } from './key-metadata.ts';
import { isDeleted, scheduledDeletion, versionOf, withVersion } from './key-metadata.ts';
import type { KvConfig } from './kv-config.ts';
import type { KeyChange } from './versioned-store.ts';
import { VersionedStore } from './versioned-store.ts';
import type { VersionedKvContext } from './versioned-kv-context.ts';
import { pathField } from './versioned-kv-context.ts';

interface VersionAction {
  readonly name: 'delete' | 'undelete' | 'destroy';
  /** Vault's own wording, which differs in case between the paths. */
  readonly missingVersions: string;
  readonly apply: (metadata: KeyMetadata, numbers: readonly number[], config: KvConfig, nowMs: number) => KeyChange;
}

const ACTIONS: readonly VersionAction[] = [
  { name: 'delete', missingVersions: 'No version number provided', apply: softDelete },
  { name: 'undelete', missingVersions: 'No version number provided', apply: undelete },
  { name: 'destroy', missingVersions: 'no version number provided', apply: destroy },
];

/** `<mount>/delete|undelete|destroy/<path>` with `versions`: unknown versions are skipped. */
export function versionRoutes(context: VersionedKvContext): PathRoute[] {
  return ACTIONS.map((action) => ({
    pattern: `${action.name}/(?<path>.*)`,
    operations: {
      update: async (request: BackendRequest, fields: FieldData): Promise<undefined> => {
        const numbers = fields.ints('versions') ?? [];
        if (numbers.length === 0) throw new SealboxError('invalid_request', action.missingVersions);
        const path = pathField(fields);
        if (path === '') return undefined;
        return context.locks.run(path, async () => {
          const store = new VersionedStore(request.storage);
          const metadata = await store.metadata(path);
          if (metadata === undefined) return undefined;
          const config = await store.config();
          await store.apply(path, action.apply(metadata, numbers, config, context.now().getTime()));
          return undefined;
        });
      },
    },
  }));
}

/** The versions among `numbers` that exist and are not destroyed, once each. */
function targets(metadata: KeyMetadata, numbers: readonly number[]): Array<[number, VersionMetadata]> {
  const found = new Map<number, VersionMetadata>();
  for (const number of numbers) {
    const version = versionOf(metadata, number);
    if (version !== undefined && !version.destroyed) found.set(number, version);
  }
  return [...found];
}

function softDelete(metadata: KeyMetadata, numbers: readonly number[], _config: KvConfig, nowMs: number): KeyChange {
  let next = metadata;
  for (const [number, version] of targets(metadata, numbers)) {
    if (!isDeleted(version, nowMs)) next = withVersion(next, number, { ...version, deletionMs: nowMs });
  }
  return { metadata: next };
}

/** Clears the deletion; with delete_version_after set, a new deletion is scheduled from now. */
function undelete(metadata: KeyMetadata, numbers: readonly number[], config: KvConfig, nowMs: number): KeyChange {
  let next = metadata;
  for (const [number, version] of targets(metadata, numbers)) {
    next = withVersion(next, number, { ...version, deletionMs: scheduledDeletion(nowMs, config, metadata) });
  }
  return { metadata: next };
}

/** Marks the versions destroyed and removes their data, in the same transaction. */
function destroy(metadata: KeyMetadata, numbers: readonly number[]): KeyChange {
  let next = metadata;
  const dropped: number[] = [];
  for (const [number, version] of targets(metadata, numbers)) {
    next = withVersion(next, number, { ...version, destroyed: true });
    dropped.push(number);
  }
  return { metadata: next, dropVersions: dropped };
}
