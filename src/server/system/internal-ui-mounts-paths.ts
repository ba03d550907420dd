import { SealboxError } from '../../lib/errors.ts';
import type { PathRoute } from '../logical/path-table.ts';
import type { Acl } from '../policy/acl.ts';
import type { MountEntry } from '../router/mount-entry.ts';
import { tablePath } from '../router/mount-entry.ts';
import type { MountManager } from '../router/mount-manager.ts';
import type { Router } from '../router/router.ts';
import { mountInfo } from './mount-info.ts';

export interface InternalUiDeps {
  readonly mounts: MountManager;
  readonly router: Router;
  /** The ACL of a token, or undefined when the token is unknown. */
  readonly aclOfToken: (token: string) => Promise<Acl | undefined>;
}

/**
 * sys/internal/ui/mounts: the CLI's KV version handshake. Both paths are unauthenticated in the
 * router; they look at the caller's token themselves, as Vault's do.
 */
export function internalUiMountsPaths(deps: InternalUiDeps): PathRoute[] {
  return [
    {
      pattern: 'internal/ui/mounts/(?<path>.+)',
      operations: {
        read: async (request, fields) => {
          const path = fields.string('path') ?? '';
          const route = deps.router.match(path.endsWith('/') ? path : `${path}/`) ?? deps.router.match(path);
          const acl = request.clientToken === '' ? undefined : await deps.aclOfToken(request.clientToken);
          if (route === undefined || acl === undefined || !acl.grantsAnythingUnder(route.mount.path)) {
            const shown = route?.mount.path ?? (path.endsWith('/') ? path : `${path}/`);
            throw new SealboxError(
              'permission_denied',
              `preflight capability check returned 403, please ensure client's policies grant access to path "${shown}"`,
            );
          }
          return { data: { ...mountInfo(route.mount), path: route.mount.path } };
        },
      },
    },
    {
      pattern: 'internal/ui/mounts/?',
      operations: {
        read: async (request) => {
          const acl = request.clientToken === '' ? undefined : await deps.aclOfToken(request.clientToken);
          return {
            data: {
              secret: visibleMounts(deps.mounts.entries('mounts'), acl),
              auth: visibleMounts(deps.mounts.entries('auth'), acl),
            },
          };
        },
      },
    },
  ];
}

/** Without a token only `unauth` listings, with the short form; with one, every mount it can reach. */
function visibleMounts(entries: readonly MountEntry[], acl: Acl | undefined): Record<string, unknown> {
  const visible: Record<string, unknown> = {};
  for (const entry of entries) {
    if (acl !== undefined && acl.grantsAnythingUnder(entry.path)) {
      visible[tablePath(entry)] = mountInfo(entry);
    } else if (entry.config.listing_visibility === 'unauth') {
      visible[tablePath(entry)] = { type: entry.type, description: entry.description, options: entry.options };
    }
  }
  return visible;
}
