import { SealboxError } from '../../../../lib/errors.ts';
import type { PathRoute } from '../../../logical/path-table.ts';
import { isLive, renderVersion, versionOf } from './key-metadata.ts';
import type { VersionedKvContext } from './versioned-kv-context.ts';
import { nonNegativeInt, pathField } from './versioned-kv-context.ts';
import { VersionedStore } from './versioned-store.ts';

/** Vault's own bound on the walk, so a deeply nested secret cannot exhaust the stack. */
const MAX_SUBKEYS_DEPTH = 100;

/** `<mount>/subkeys/<path>?version=&depth=`: the secret's structure with every leaf value null. */
export function subkeysRoute(context: VersionedKvContext): PathRoute {
  return {
    pattern: 'subkeys/(?<path>.*)',
    operations: {
      read: async (request, fields) => {
        const path = pathField(fields);
        const depth = nonNegativeInt(fields, 'depth') ?? 0;
        const requested = fields.int('version') ?? 0;
        if (path === '') return undefined;
        const store = new VersionedStore(request.storage);
        const metadata = await store.metadata(path);
        if (metadata === undefined) return undefined;
        const number = requested > 0 ? requested : metadata.currentVersion;
        const version = versionOf(metadata, number);
        if (version === undefined) return undefined;
        const rendered = renderVersion(number, version, metadata);
        if (!isLive(version, context.now().getTime())) return { status: 404, data: { subkeys: null, metadata: rendered } };
        const data = await store.versionData(path, number);
        if (data === undefined) throw new SealboxError('internal', 'could not find version data');
        const limit = depth > 0 ? Math.min(depth, MAX_SUBKEYS_DEPTH) : MAX_SUBKEYS_DEPTH;
        return { data: { subkeys: subkeysOf(data, limit, 1), metadata: rendered } };
      },
    },
  };
}

/** Keys at `level` are leaves (null) unless they hold a non-empty object and the limit allows going deeper. */
function subkeysOf(data: Readonly<Record<string, unknown>>, limit: number, level: number): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(data).map(([key, value]) => [key, isNonEmptyObject(value) && level < limit ? subkeysOf(value, limit, level + 1) : null]),
  );
}

function isNonEmptyObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length > 0;
}
