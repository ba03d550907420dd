import type { Logger } from '../../lib/logger.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { AuditBroker } from '../audit/audit-broker.ts';
import { auditDeviceTypes } from '../audit/audit-device-types.ts';
import { AuditManager } from '../audit/audit-manager.ts';
import type { DeviceEnvironment } from '../audit/line-writer.ts';
import { tokenBackendFactory } from '../auth/token/token-backend.ts';
import { TokenStore } from '../auth/token/token-store.ts';
import { destroyCubbyhole } from '../engines/cubbyhole/cubbyhole-backend.ts';
import type { BackendFactory } from '../logical/logical-backend.ts';
import type { CoreTelemetry } from '../metrics/telemetry.ts';
import { timedFactory } from '../metrics/timed-backend.ts';
import { PolicyStore } from '../policy/policy-store.ts';
import { storagePrefix } from '../router/mount-entry.ts';
import type { EnableRequest } from '../router/mount-manager.ts';
import { MountManager } from '../router/mount-manager.ts';
import { Router } from '../router/router.ts';
import { auditPaths } from '../system/audit-paths.ts';
import { capabilitiesPaths } from '../system/capabilities-paths.ts';
import { internalUiMountsPaths } from '../system/internal-ui-mounts-paths.ts';
import type { RekeyBackupStore } from '../system/key-paths.ts';
import { keyPaths } from '../system/key-paths.ts';
import { mountPaths } from '../system/mount-paths.ts';
import { policyPaths } from '../system/policy-paths.ts';
import { quotaPaths } from '../system/quota-paths.ts';
import { QuotaManager } from '../quota/quota-manager.ts';
import { systemBackend } from '../system/system-backend.ts';
import { AutoRotation } from './auto-rotation.ts';
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
  /** SIGHUP: audit devices reopen their files (log rotation). */
  reopenAudit(): Promise<void>;
  readonly router: Router;
  stop(): Promise<void>;
}

export interface ServicesOptions {
  readonly barrier: Barrier;
  /** The seal, for a rekey's PGP backup, which lives outside the barrier. */
  readonly seal: RekeyBackupStore;
  /** Secrets engines and auth methods by type; sys/ and the token store are added here. */
  readonly factories: ReadonlyMap<string, BackendFactory>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** What audit devices may use of the process (standard output). */
  readonly auditEnvironment?: DeviceEnvironment;
  readonly telemetry?: CoreTelemetry;
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
  const broker = new AuditBroker(logger.child({ component: 'audit' }), options.telemetry);
  const audit = new AuditManager({
    storage: barrier.view(''),
    broker,
    types: auditDeviceTypes(),
    environment: options.auditEnvironment ?? {},
    logger,
    now,
  });
  const mounts = new MountManager({ storage: barrier.view(''), router, factories, logger, now });
  const quotas = new QuotaManager(barrier.view('sys/quotas/'), () => now().getTime());
  factories.set('system', () =>
    systemBackend([
      ...mountPaths(mounts),
      ...policyPaths(policies),
      ...auditPaths(audit),
      ...capabilitiesPaths({ aclOfToken, aclOfAccessor }),
      ...internalUiMountsPaths({ mounts, router, aclOfToken }),
      ...keyPaths({ barrier, backups: options.seal }),
      ...quotaPaths({ quotas, mountOf: (path) => router.match(path)?.mount.path }),
    ]),
  );
  factories.set('token', tokenBackendFactory(tokens, (name) => policies.exists(name)));
  const { telemetry } = options;
  if (telemetry !== undefined) {
    for (const [type, factory] of factories) factories.set(type, timedFactory(factory, telemetry));
    tokens.observe(telemetry);
  }
  await mounts.load(DEFAULT_MOUNTS);
  await audit.load();
  await quotas.load();

  tokens.onRevoke(async (accessor) => {
    const cubbyhole = mounts.find('cubbyhole/');
    if (cubbyhole !== undefined) await destroyCubbyhole(barrier.view(storagePrefix(cubbyhole)), accessor);
  });
  const sweeper = tokens.expirationSweeper(logger);
  sweeper.start(EXPIRATION_SWEEP_MS);
  const rotation = new AutoRotation({ barrier, logger, now });
  rotation.start();

  const stopCountingTokens = telemetry?.countTokensWith(() => tokens.count());
  const pipeline = new RequestPipeline({ router, storage: barrier, tokens, policies, audit: broker, quotas });
  return {
    pipeline,
    tokens,
    router,
    reopenAudit: () => audit.reopen(),
    async stop() {
      stopCountingTokens?.();
      await sweeper.stop();
      await rotation.stop();
      await Promise.allSettled(router.backends().map((backend) => backend.cleanup?.()));
      await audit.close();
    },
  };
}
