import type { BackendFactory } from '../../logical/logical-backend.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import { PathTable } from '../../logical/path-table.ts';
import type { AppRoleDeps } from './approle-deps.ts';
import { KeyedMutex } from '../../../lib/keyed-mutex.ts';
import { approleLogin } from './login.ts';
import { MountSalt } from './mount-salt.ts';
import { rolePaths } from './role-paths.ts';
import { SecretIdStore } from './secret-id-store.ts';
import { secretIdPaths } from './secret-id-paths.ts';
import { tableBackend } from '../../logical/table-backend.ts';

/** Vault answers tidy with 202 Accepted and this warning. */
const TIDY_STARTED = "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs.";
const TIDY_RUNNING = 'Tidy operation already in progress.';

/** The AppRole auth method (vault-api.md 7.3): roles, role IDs and secret IDs. */
export const approleBackendFactory: BackendFactory = (context) => {
  const salt = new MountSalt(context.storage);
  const locks = new KeyedMutex();
  const deps: AppRoleDeps = {
    salt,
    locks,
    secretIds: new SecretIdStore({ salt, locks, now: context.now }),
    maxSecretIdTtl: context.mount.config.max_lease_ttl,
  };
  let tidying = false;
  const table = new PathTable([
    ...rolePaths(deps),
    ...secretIdPaths(deps),
    { pattern: 'login', operations: { update: (request, fields) => approleLogin(deps, request, fields) } },
    {
      pattern: 'tidy/secret-id',
      operations: {
        update: async (request): Promise<LogicalResponse> => {
          if (tidying) return { warnings: [TIDY_RUNNING] };
          tidying = true;
          try {
            const removed = await deps.secretIds.tidy(request.storage);
            context.logger.info('approle tidy finished', { mount: context.mount.path, removed });
          } finally {
            tidying = false;
          }
          return { warnings: [TIDY_STARTED], status: 202 };
        },
      },
    },
  ]);
  return tableBackend(table, { unauthenticatedPaths: ['login', 'login/*'] });
};
