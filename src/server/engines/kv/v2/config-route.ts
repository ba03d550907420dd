import { SealboxError } from '../../../../lib/errors.ts';
import type { PathRoute } from '../../../logical/path-table.ts';
import { parseSignedDurationSeconds } from '../go-duration.ts';
import type { KvConfig } from './kv-config.ts';
import { DELETE_VERSION_AFTER_DISABLED, renderConfig } from './kv-config.ts';
import type { VersionedKvContext } from './versioned-kv-context.ts';
import { nonNegativeInt } from './versioned-kv-context.ts';
import { VersionedStore } from './versioned-store.ts';

const CONFIG_LOCK = '\u0000config';

/** `<mount>/config`: mount-wide max_versions, cas_required and delete_version_after. */
export function configRoute(context: VersionedKvContext): PathRoute {
  return {
    pattern: 'config',
    exists: async () => true,
    operations: {
      read: async (request) => ({ data: renderConfig(await new VersionedStore(request.storage).config()) }),
      update: async (request, fields) => {
        const maxVersions = nonNegativeInt(fields, 'max_versions');
        const casRequired = fields.bool('cas_required');
        const deleteVersionAfter = signedDuration(fields.raw['delete_version_after']);
        if (maxVersions === undefined && casRequired === undefined && deleteVersionAfter === undefined) return undefined;
        // The lock key cannot collide with a secret path: paths never hold control characters.
        return context.locks.run(CONFIG_LOCK, async () => {
          const store = new VersionedStore(request.storage);
          const current = await store.config();
          const next: KvConfig = {
            maxVersions: maxVersions ?? current.maxVersions,
            casRequired: casRequired ?? current.casRequired,
            deleteVersionAfter: deleteVersionAfter ?? current.deleteVersionAfter,
          };
          await store.putConfig(next);
          return undefined;
        });
      },
    },
  };
}

/** A negative duration switches delete_version_after off for every key; 0 clears it. */
function signedDuration(raw: unknown): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const seconds = parseSignedDurationSeconds(raw);
  if (seconds === undefined) throw new SealboxError('invalid_request', 'invalid value for field "delete_version_after": expected a duration');
  return seconds < 0 ? DELETE_VERSION_AFTER_DISABLED : seconds;
}
