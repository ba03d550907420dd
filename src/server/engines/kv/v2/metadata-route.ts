import { SealboxError } from '../../../../lib/errors.ts';
import type { FieldData } from '../../../logical/field-data.ts';
import type { BackendRequest } from '../../../logical/logical-request.ts';
import type { LogicalResponse } from '../../../logical/logical-response.ts';
import type { PathRoute } from '../../../logical/path-table.ts';
import { mergePatch } from '../merge-patch.ts';
import { listPrefix } from '../secret-path.ts';
import { customMetadataFrom, validateCustomMetadata } from './custom-metadata.ts';
import type { KeyMetadata } from './key-metadata.ts';
import { emptyMetadata, renderMetadata } from './key-metadata.ts';
import type { VersionedKvContext } from './versioned-kv-context.ts';
import { nonNegativeInt, pathField, requiredPath } from './versioned-kv-context.ts';
import { VersionedStore } from './versioned-store.ts';

const CAS_IGNORED_WARNING = '"cas_required" set to false, but is mandated by backend config. This value will be ignored.';

/** The key settings a metadata write or patch may change; absent fields stay as they are. */
interface SettingsChange {
  readonly maxVersions?: number;
  readonly casRequired?: boolean;
  readonly deleteVersionAfter?: number;
  readonly customMetadata?: Readonly<Record<string, string>> | null;
}

/**
 * `<mount>/metadata/<path>`: read, write and patch a key's settings, delete the key with all its
 * versions, and list keys. Exists (create versus update) when the key has metadata.
 */
export function metadataRoute(context: VersionedKvContext): PathRoute {
  const read = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> => {
    const path = pathField(fields);
    if (path === '') return undefined;
    const metadata = await new VersionedStore(request.storage).metadata(path);
    return metadata === undefined ? undefined : { data: renderMetadata(metadata) };
  };

  // Vault writes nothing, not even empty metadata, when no setting is given.
  const write = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> => {
    const path = requiredPath(fields);
    const rawCustom = fields.raw['custom_metadata'];
    const change: SettingsChange = {
      ...scalarSettings(fields, false),
      ...(rawCustom === undefined || rawCustom === null ? {} : { customMetadata: checkedCustomMetadata(rawCustom) }),
    };
    if (Object.keys(change).length === 0) return undefined;
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const metadata = (await store.metadata(path)) ?? emptyMetadata(context.now().getTime());
      await store.apply(path, { metadata: applySettings(metadata, change) });
      return casWarning(store, change);
    });
  };

  const patch = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse | undefined> => {
    const path = requiredPath(fields);
    const scalars = scalarSettings(fields, true);
    const rawCustom = fields.raw['custom_metadata'];
    const customPatch = rawCustom === undefined || rawCustom === null ? rawCustom : customMetadataFrom(rawCustom, true);
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const metadata = await store.metadata(path);
      if (metadata === undefined) throw new SealboxError('not_found', 'no secret at this path');
      const change: SettingsChange = {
        ...scalars,
        ...(customPatch === undefined ? {} : { customMetadata: patchedCustomMetadata(metadata.customMetadata, customPatch) }),
      };
      await store.apply(path, { metadata: applySettings(metadata, change) });
      return casWarning(store, change);
    });
  };

  const remove = async (request: BackendRequest, fields: FieldData): Promise<undefined> => {
    const path = pathField(fields);
    if (path === '') return undefined;
    return context.locks.run(path, async () => {
      const store = new VersionedStore(request.storage);
      const metadata = await store.metadata(path);
      if (metadata === undefined) return undefined;
      await store.apply(path, { metadata: null, dropVersions: Object.keys(metadata.versions).map(Number) });
      return undefined;
    });
  };

  const list = async (request: BackendRequest, fields: FieldData): Promise<LogicalResponse> => {
    const prefix = listPrefix(fields.string('path') ?? '');
    return { data: { keys: await new VersionedStore(request.storage).list(prefix) } };
  };

  const exists = async (request: BackendRequest, fields: FieldData): Promise<boolean> => {
    const path = pathField(fields);
    return path !== '' && (await new VersionedStore(request.storage).metadata(path)) !== undefined;
  };

  return { pattern: 'metadata/(?<path>.*)', operations: { read, update: write, patch, delete: remove, list }, exists };
}

/**
 * The scalar settings a request gives. In a patch an explicit null resets a setting (merge-patch
 * semantics); in a write null counts as absent.
 */
function scalarSettings(fields: FieldData, nullResets: boolean): SettingsChange {
  const given = (name: string): boolean => fields.raw[name] !== undefined && (nullResets || fields.raw[name] !== null);
  const reset = (name: string): boolean => fields.raw[name] === null;
  const change: { -readonly [K in keyof SettingsChange]: SettingsChange[K] } = {};
  if (given('max_versions')) change.maxVersions = reset('max_versions') ? 0 : (nonNegativeInt(fields, 'max_versions') ?? 0);
  if (given('cas_required')) change.casRequired = reset('cas_required') ? false : (fields.bool('cas_required') ?? false);
  if (given('delete_version_after')) {
    change.deleteVersionAfter = reset('delete_version_after') ? 0 : (fields.durationSeconds('delete_version_after') ?? 0);
  }
  return change;
}

function applySettings(metadata: KeyMetadata, change: SettingsChange): KeyMetadata {
  return {
    ...metadata,
    maxVersions: change.maxVersions ?? metadata.maxVersions,
    casRequired: change.casRequired ?? metadata.casRequired,
    deleteVersionAfter: change.deleteVersionAfter ?? metadata.deleteVersionAfter,
    customMetadata: change.customMetadata === undefined ? metadata.customMetadata : change.customMetadata,
  };
}

function checkedCustomMetadata(raw: unknown): Readonly<Record<string, string>> | null {
  const parsed = customMetadataFrom(raw, false) as Record<string, string>;
  validateCustomMetadata(parsed);
  return Object.keys(parsed).length === 0 ? null : parsed;
}

/** Merges a patch into the current map: null values remove keys, a null map removes them all. */
function patchedCustomMetadata(
  current: Readonly<Record<string, string>> | null,
  patch: Readonly<Record<string, string | null>> | null,
): Readonly<Record<string, string>> | null {
  if (patch === null) return null;
  const merged = mergePatch(current ?? {}, patch) as Record<string, string>;
  validateCustomMetadata(merged);
  return Object.keys(merged).length === 0 ? null : merged;
}

async function casWarning(store: VersionedStore, change: SettingsChange): Promise<LogicalResponse | undefined> {
  if (change.casRequired !== false || !(await store.config()).casRequired) return undefined;
  return { warnings: [CAS_IGNORED_WARNING] };
}
