import type { Logger } from '../../lib/logger.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { tokenBackendFactory } from '../auth/token/token-backend.ts';
import { TokenStore } from '../auth/token/token-store.ts';
import { destroyCubbyhole } from '../engines/cubbyhole/cubbyhole-backend.ts';
import type { BackendFactory } from '../logical/logical-backend.ts';
import { PolicyStore } from '../policy/policy-store.ts';
import { storagePrefix } from '../router/mount-entry.ts';
import type { EnableRequest } from '../router/mount-manager.ts';
import { MountManager } from '../router/mount-manager.ts';
import { Router } from '../router/router.ts';
import { capabilitiesPaths } from '../system/capabilities-paths.ts';
import { internalUiMountsPaths } from '../system/internal-ui-mounts-paths.ts';
import { mountPaths } from '../system/mount-paths.ts';
import { policyPaths } from '../system/policy-paths.ts';
import { systemBackend } from '../system/system-backend.ts';
import { RequestPipeline } from './request-pipeline.ts';

/** The mounts every node has, made on the first unseal after init. */
const DEFAULT_MOUNTS: readonly EnableRequest[] = [
  { table: 'mounts', path: 'sys', type: 'system', description: 'system endpoints used for control, policy and debugging' },
  { table: 'mounts', path: 'cubbyhole', type: 'cubbyhole', description: 'per-token private secret storage', local: true },
  { table: 'auth', path: 'token', type: 'token', description: 'token based credentials' },
];

const EXPIRATION_SWEEP_MS = 60_000;

export interface UnsealedServices {
  readonly pipeline: RequestPipeline;
  readonly tokens: TokenStore;
  stop(): Promise<void>;
}

export interface ServicesOptions {
  readonly barrier: Barrier;
  /** Secrets engines and auth methods by type; sys/ and the token store are added here. */
  readonly factories: ReadonlyMap<string, BackendFactory>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/** Everything that lives inside the barrier, wired together after an unseal. */
export async function startServices(options: ServicesOptions): Promise<UnsealedServices> {
  const { barrier, logger, now } = options;
  const router = new Router();
  const tokens = new TokenStore(barrier.view('sys/token/'), () => now().getTime());
  const policies = new PolicyStore(barrier.view('sys/policy/'));
  await policies.ensureDefaultPolicy();
  const aclOfToken = async (token: string) => {
    const entry = await tokens.lookup(token);
    return entry === undefined ? undefined : policies.aclFor(entry.policies);
  };
  const aclOfAccessor = async (accessor: string) => {
    const entry = await tokens.lookupByAccessor(accessor);
    return entry === undefined ? undefined : policies.aclFor(entry.policies);
  };
  const factories = new Map(options.factories);
  const mounts = new MountManager({ storage: barrier.view(''), router, factories, logger, now });
  factories.set('system', () =>
    systemBackend([
      ...mountPaths(mounts),
      ...policyPaths(policies),
      ...capabilitiesPaths({ aclOfToken, aclOfAccessor }),
      ...internalUiMountsPaths({ mounts, router, aclOfToken }),
    ]),
  );
  factories.set('token', tokenBackendFactory(tokens, (name) => policies.exists(name)));
  await mounts.load(DEFAULT_MOUNTS);

  tokens.onRevoke(async (accessor) => {
    const cubbyhole = mounts.find('cubbyhole/');
    if (cubbyhole !== undefined) await destroyCubbyhole(barrier.view(storagePrefix(cubbyhole)), accessor);
  });
  const sweeper = tokens.expirationSweeper(logger);
  sweeper.start(EXPIRATION_SWEEP_MS);

  const pipeline = new RequestPipeline({ router, storage: barrier, tokens, policies });
  return {
    pipeline,
    tokens,
    async stop() {
      await sweeper.stop();
      await Promise.allSettled(router.backends().map((backend) => backend.cleanup?.()));
    },
  };
}
