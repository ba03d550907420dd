import type { BackendFactory } from '../../logical/logical-backend.ts';
import { PathTable } from '../../logical/path-table.ts';
import { configData, readConfig, writeConfig } from './kube-config.ts';
import { deleteRole, listRoles, readRole, roleData, writeRole } from './kube-role.ts';
import { kubernetesLogin } from './login.ts';
import { TokenReviewer } from './token-review.ts';
import { tableBackend } from '../../logical/table-backend.ts';

export interface KubernetesBackendOptions {
  /** Where a pod's service account token and CA are mounted; the standard path by default. */
  readonly serviceAccountDir?: string;
  /** Bound on one TokenReview call, in milliseconds. */
  readonly reviewTimeoutMs?: number;
}

const DEFAULT_SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const DEFAULT_REVIEW_TIMEOUT_MS = 10_000;
/** Vault's GenericNameRegex: word characters, with dots and dashes inside. */
const NAME = String.raw`\w(?:[\w.-]*\w)?`;

/** The Kubernetes auth method (vault-api.md 7.2): service account JWTs vouched for by TokenReview. */
export function kubernetesBackendFactory(options: KubernetesBackendOptions = {}): BackendFactory {
  return (context) => {
    const reviewer = new TokenReviewer(options.reviewTimeoutMs ?? DEFAULT_REVIEW_TIMEOUT_MS);
    const env = {
      reviewer,
      logger: context.logger,
      now: context.now,
      serviceAccountDir: options.serviceAccountDir ?? DEFAULT_SERVICE_ACCOUNT_DIR,
    };
    const table = new PathTable([
      {
        pattern: 'config',
        operations: {
          update: async (request, fields) => {
            await writeConfig(request.storage, fields);
            return undefined;
          },
          read: async (request) => {
            const config = await readConfig(request.storage);
            return config === undefined ? undefined : { data: configData(config) };
          },
        },
      },
      { pattern: 'role/?', operations: { list: async (request) => ({ data: { keys: await listRoles(request.storage) } }) } },
      {
        pattern: `role/(?<name>${NAME})`,
        operations: {
          update: async (request, fields) => {
            await writeRole(request.storage, fields.string('name') ?? '', fields);
            return undefined;
          },
          read: async (request, fields) => {
            const role = await readRole(request.storage, fields.string('name') ?? '');
            return role === undefined ? undefined : { data: roleData(role) };
          },
          delete: async (request, fields) => {
            await deleteRole(request.storage, fields.string('name') ?? '');
            return undefined;
          },
        },
        exists: async (request, fields) => (await readRole(request.storage, fields.string('name') ?? '')) !== undefined,
      },
      { pattern: 'login', operations: { update: (request, fields) => kubernetesLogin(env, request, fields) } },
    ]);
    return tableBackend(table, { unauthenticatedPaths: ['login', 'login/*'], cleanup: async () => reviewer.close() });
  };
}
