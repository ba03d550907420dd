import { performance } from 'node:perf_hooks';
import { SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { SerialQueue } from '../../lib/serial-queue.ts';
import { generateKey } from '../barrier/aes-gcm.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { combineShares, splitKey } from '../barrier/shamir.ts';
import { TokenStore } from '../auth/token/token-store.ts';
import type { BackendFactory } from '../logical/logical-backend.ts';
import type { LogicalRequest } from '../logical/logical-request.ts';
import type { LogicalResponse } from '../logical/logical-response.ts';
import type { Operation } from '../logical/operation.ts';
import { matchesPathList } from '../logical/path-patterns.ts';
import type { CoreTelemetry } from '../metrics/telemetry.ts';
import type { Router } from '../router/router.ts';
import type { ClusterInfo } from './cluster-info.ts';
import { ensureClusterInfo } from './cluster-info.ts';
import { GenerateRootOperation } from './generate-root-operation.ts';
import type { BuildInfo, HealthStatus, InitResult, LeaderStatus, SealStatus } from './node-status.ts';
import { RekeyOperation } from './rekey-operation.ts';
import type { InitRequest } from './seal-config.ts';
import { sealConfigFor } from './seal-config.ts';
import type { ShamirSeal } from './shamir-seal.ts';
import { decodeUnsealKey } from './unseal-key.ts';
import { UnsealProgress } from './unseal-progress.ts';
import type { PipelineResult } from './request-pipeline.ts';
import type { UnsealedServices } from './unsealed-services.ts';
import { startServices } from './unsealed-services.ts';
import type { DeviceEnvironment } from '../audit/line-writer.ts';
import type { HaSettings } from './ha/ha-node.ts';
import { HaNode } from './ha/ha-node.ts';
import type { ActiveNodeAddress, NodeRole } from './node-role.ts';
import { SingleNode } from './node-role.ts';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export interface CoreOptions {
  readonly barrier: Barrier;
  readonly seal: ShamirSeal;
  readonly storageType: string;
  readonly build: BuildInfo;
  readonly logger: Logger;
  /** Secrets engines and auth methods by mount type. */
  readonly factories: ReadonlyMap<string, BackendFactory>;
  readonly clusterName?: string;
  /** Present when the storage offers an HA lock and the config enables HA. */
  readonly ha?: HaSettings;
  readonly telemetry?: CoreTelemetry;
  /** What audit devices may use of the process: standard output for `file_path=stdout`. */
  readonly auditEnvironment?: DeviceEnvironment;
  readonly now?: () => Date;
}

export type NodeState = 'sealed' | 'standby' | 'active';

/** What exists only while unsealed. */
interface UnsealedState {
  readonly cluster: ClusterInfo;
  readonly node: NodeRole;
}

export interface HandledRequest {
  readonly response: LogicalResponse | undefined;
  /** The type of the mount that served the request, for the envelope's mount_type. */
  readonly mountType: string;
}

/**
 * The seal state machine: init, unseal, seal and the status every node reports. Steps that change
 * the state run one at a time, so concurrent unseal requests cannot interleave.
 */
export class Core {
  readonly #options: CoreOptions;
  readonly #now: () => Date;
  readonly #queue = new SerialQueue();
  readonly #progress = new UnsealProgress();
  readonly #rekey: RekeyOperation;
  readonly #generateRoot: GenerateRootOperation;
  #unsealed: UnsealedState | undefined;

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
    const { seal, barrier, logger } = options;
    this.#rekey = new RekeyOperation({ seal, barrier, logger });
    this.#generateRoot = new GenerateRootOperation({ seal, barrier, logger, tokens: () => this.#activeServices().tokens });
  }

  get sealed(): boolean {
    return this.#unsealed === undefined;
  }

  get state(): NodeState {
    if (this.#unsealed === undefined) return 'sealed';
    return this.#unsealed.node.services === undefined ? 'standby' : 'active';
  }

  /** Where requests that a standby cannot serve must go. */
  async activeNode(): Promise<ActiveNodeAddress | undefined> {
    return this.#unsealed?.node.activeNode();
  }

  async isInitialized(): Promise<boolean> {
    // Only an initialized node unseals; sys/health asks on every probe, so skip storage then.
    if (this.#unsealed !== undefined) return true;
    return (await this.#options.seal.readConfig()) !== undefined && (await this.#options.barrier.isInitialized());
  }

  async sealStatus(): Promise<SealStatus> {
    const config = await this.#options.seal.readConfig();
    const initialized = config !== undefined && (await this.#options.barrier.isInitialized());
    const cluster = this.#unsealed?.cluster;
    return {
      type: 'shamir',
      initialized,
      sealed: this.sealed,
      t: initialized ? config.secret_threshold : 0,
      n: initialized ? config.secret_shares : 0,
      progress: this.#progress.count,
      nonce: this.#progress.nonce,
      version: this.#options.build.version,
      build_date: this.#options.build.buildDate,
      migration: false,
      ...(cluster === undefined ? {} : { cluster_name: cluster.name, cluster_id: cluster.id }),
      recovery_seal: false,
      storage_type: this.#options.storageType,
    };
  }

  initialize(request: InitRequest): Promise<InitResult> {
    return this.#queue.run(() => this.#initialize(request));
  }

  /** One step of an unseal attempt; `undefined` key with reset discards the collected shares. */
  submitUnsealKey(key: string | undefined, reset: boolean): Promise<SealStatus> {
    return this.#queue.run(() => this.#submitUnsealKey(key, reset));
  }

  /** A logical request: everything past the sealed-safe endpoints. */
  async handleRequest(request: LogicalRequest): Promise<HandledRequest> {
    const state = this.#unsealed;
    if (state === undefined) throw new SealboxError('sealed', 'Vault is sealed');
    const services = state.node.services;
    if (services === undefined) throw new SealboxError('standby', 'node is not active');
    const { response, mount } = await this.#timedPipeline(services, request);
    return { response, mountType: mount.type };
  }

  /** Throws unless `token` has `operation` on `path`: for sys/metrics, which is answered outside the pipeline. */
  async authorize(token: string, path: string, operation: Operation): Promise<void> {
    const acl = await this.#activeServices().pipeline.aclOf(token);
    if (!acl.allows(path, operation, false)) throw new SealboxError('permission_denied', 'permission denied');
  }

  /** The pipeline, timed into vault_core_handle_request, or handle_login_request for a login path. */
  async #timedPipeline(services: UnsealedServices, request: LogicalRequest): Promise<PipelineResult> {
    const telemetry = this.#options.telemetry;
    if (telemetry === undefined) return services.pipeline.handle(request);
    const started = performance.now();
    try {
      return await services.pipeline.handle(request);
    } finally {
      telemetry.requestHandled(isLoginPath(services.router, request.path), performance.now() - started);
    }
  }

  /** Seals if the caller has update and sudo on sys/seal (audited); sealing a sealed node is a no-op, as in Vault. */
  seal(request: LogicalRequest): Promise<void> {
    return this.#queue.run(async () => {
      const state = this.#unsealed;
      if (state === undefined) return;
      const services = state.node.services;
      if (services === undefined) {
        throw new SealboxError('standby', 'vault cannot seal when in standby mode; please restart instead');
      }
      await services.pipeline.admitNodeOperation(request);
      await this.#sealNow();
      this.#options.logger.info('sealed');
    });
  }

  async health(): Promise<HealthStatus> {
    const cluster = this.#unsealed?.cluster;
    return {
      initialized: await this.isInitialized(),
      sealed: this.sealed,
      standby: this.state === 'standby',
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(this.#now().getTime() / 1000),
      version: this.#options.build.version,
      enterprise: false,
      ...(cluster === undefined ? {} : { cluster_name: cluster.name, cluster_id: cluster.id }),
    };
  }

  /** Without HA, always `ha_enabled: false`; with HA a sealed node answers 503, as the CLI expects. */
  async leader(): Promise<LeaderStatus> {
    const base = { ha_enabled: false, is_self: false, active_time: ZERO_TIME, leader_address: '', leader_cluster_address: '', performance_standby: false, performance_standby_last_remote_wal: 0 };
    if (this.#options.ha === undefined) return base;
    const node = this.#unsealed?.node;
    if (node === undefined) throw new SealboxError('sealed', 'Vault is sealed');
    const active = await node.activeNode();
    return {
      ...base,
      ha_enabled: true,
      is_self: active?.isSelf ?? false,
      active_time: node.activeTime?.toISOString() ?? ZERO_TIME,
      leader_address: active?.apiAddress ?? '',
      leader_cluster_address: active?.clusterAddress ?? '',
    };
  }

  /** Gives up the active role for a while if the caller has sudo on sys/step-down (audited); a no-op without HA, as in Vault. */
  stepDown(request: LogicalRequest): Promise<void> {
    return this.#queue.run(async () => {
      const services = this.#unsealed?.node.services;
      if (services === undefined || !this.#unsealed!.node.haEnabled) return;
      await services.pipeline.admitNodeOperation(request);
      this.#unsealed!.node.stepDown();
    });
  }

  // --- Rekey and root token generation: quorum operations of the active node --------------------

  /** One step of the rekey workflow (sys/rekey/*), never interleaved with unseal or seal. */
  rekey<T>(step: (operation: RekeyOperation) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      await this.#requireActiveForQuorum();
      return step(this.#rekey);
    });
  }

  /** One step of root token generation (sys/generate-root/*), never interleaved with unseal or seal. */
  generateRoot<T>(step: (operation: GenerateRootOperation) => Promise<T>): Promise<T> {
    return this.#queue.run(async () => {
      await this.#requireActiveForQuorum();
      return step(this.#generateRoot);
    });
  }

  async #requireActiveForQuorum(): Promise<void> {
    if (!(await this.isInitialized())) throw new SealboxError('invalid_request', 'server is not yet initialized');
    this.#activeServices();
  }

  #activeServices(): NonNullable<NodeRole['services']> {
    const state = this.#unsealed;
    if (state === undefined) throw new SealboxError('sealed', 'Vault is sealed');
    if (state.node.services === undefined) throw new SealboxError('invalid_request', 'Vault is in standby mode');
    return state.node.services;
  }

  /** Quorum progress is memory only and dies with the unsealed state. */
  #clearQuorumOperations(): void {
    this.#rekey.clear();
    this.#generateRoot.clear();
  }

  // --- end of rekey and root token generation ---------------------------------------------------

  /** SIGHUP: audit devices reopen their files, for log rotation; nothing to do unless active. */
  async reopenAuditDevices(): Promise<void> {
    await this.#unsealed?.node.services?.reopenAudit();
  }

  /** Stops background work and drops key material on shutdown. */
  shutdown(): Promise<void> {
    return this.#queue.run(() => this.#sealNow());
  }

  async #initialize(request: InitRequest): Promise<InitResult> {
    if (await this.isInitialized()) throw new SealboxError('invalid_request', 'Vault is already initialized');
    const config = sealConfigFor(request);
    const { barrier, seal } = this.#options;
    const rootKey = generateKey();
    const unsealKey = generateKey();
    const shares = await splitKey(unsealKey, config.secret_shares, config.secret_threshold);
    await barrier.initialize(rootKey);
    await seal.storeRootKey(unsealKey, rootKey);
    await barrier.unseal(rootKey);
    let rootToken: string;
    try {
      await ensureClusterInfo(barrier, this.#options.clusterName);
      rootToken = (await new TokenStore(barrier.view('sys/token/')).createRootToken()).token;
    } finally {
      barrier.seal();
      rootKey.fill(0);
      unsealKey.fill(0);
    }
    // Written last: until it exists the node is not initialized, so an interrupted init can be redone.
    await seal.writeConfig(config);
    this.#options.logger.info('initialized', { shares: config.secret_shares, threshold: config.secret_threshold });
    const result: InitResult = {
      keys: shares.map((share) => Buffer.from(share).toString('hex')),
      keys_base64: shares.map((share) => Buffer.from(share).toString('base64')),
      root_token: rootToken,
    };
    for (const share of shares) share.fill(0);
    return result;
  }

  async #submitUnsealKey(key: string | undefined, reset: boolean): Promise<SealStatus> {
    const config = await this.#options.seal.readConfig();
    if (config === undefined || !(await this.#options.barrier.isInitialized())) {
      throw new SealboxError('not_initialized', 'Vault is not initialized');
    }
    if (reset) {
      if (!this.sealed) throw new SealboxError('invalid_request', 'vault is unsealed');
      this.#progress.reset();
      return this.sealStatus();
    }
    if (key === undefined || key === '') {
      throw new SealboxError('invalid_request', "'key' must be specified in request body as JSON, or 'reset' set to true");
    }
    const share = decodeUnsealKey(key);
    if (!this.sealed) return this.sealStatus();
    this.#progress.add(share);
    share.fill(0);
    if (this.#progress.count >= config.secret_threshold) await this.#unsealWith(this.#progress.take());
    return this.sealStatus();
  }

  async #unsealWith(shares: Buffer[]): Promise<void> {
    const { barrier, seal } = this.#options;
    const unsealKey = await combineShares(shares).finally(() => shares.forEach((share) => share.fill(0)));
    const rootKey = await seal.recoverRootKey(unsealKey).finally(() => unsealKey.fill(0));
    try {
      await barrier.unseal(rootKey);
    } finally {
      rootKey.fill(0);
    }
    try {
      const cluster = await ensureClusterInfo(barrier, this.#options.clusterName);
      this.#unsealed = { cluster, node: await this.#startNode() };
    } catch (error) {
      barrier.seal();
      throw error;
    }
    this.#options.logger.info('unsealed', { cluster_name: this.#unsealed.cluster.name });
  }

  /** Active at once without HA; with HA, standby until this node wins the election. */
  async #startNode(): Promise<NodeRole> {
    const { barrier, ha, logger } = this.#options;
    const { telemetry } = this.#options;
    const start = () =>
      startServices({
        barrier,
        seal: this.#options.seal,
        factories: this.#options.factories,
        logger,
        now: this.#now,
        ...(telemetry === undefined ? {} : { telemetry }),
        ...(this.#options.auditEnvironment === undefined ? {} : { auditEnvironment: this.#options.auditEnvironment }),
      });
    if (ha === undefined) return new SingleNode(await start(), this.#now());
    return HaNode.start({ ...ha, barrier, startServices: start, logger, now: this.#now });
  }

  async #sealNow(): Promise<void> {
    const node = this.#unsealed?.node;
    this.#unsealed = undefined;
    this.#progress.reset();
    this.#clearQuorumOperations();
    try {
      await node?.stop();
    } finally {
      this.#options.barrier.seal();
    }
  }
}

/** Vault's login paths: those a mount serves without a token. */
function isLoginPath(router: Router, path: string): boolean {
  const route = router.match(path);
  return route !== undefined && matchesPathList(route.relativePath, route.backend.unauthenticatedPaths);
}
