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
import type { ClusterInfo } from './cluster-info.ts';
import { ensureClusterInfo } from './cluster-info.ts';
import type { BuildInfo, HealthStatus, InitResult, LeaderStatus, SealStatus } from './node-status.ts';
import type { InitRequest } from './seal-config.ts';
import { sealConfigFor } from './seal-config.ts';
import type { ShamirSeal } from './shamir-seal.ts';
import { decodeUnsealKey } from './unseal-key.ts';
import { UnsealProgress } from './unseal-progress.ts';
import type { UnsealedServices } from './unsealed-services.ts';
import { startServices } from './unsealed-services.ts';

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
  readonly now?: () => Date;
}

/** What exists only while unsealed. */
interface UnsealedState {
  readonly cluster: ClusterInfo;
  readonly services: UnsealedServices;
  readonly activeTime: Date;
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
  #unsealed: UnsealedState | undefined;

  constructor(options: CoreOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => new Date());
  }

  get sealed(): boolean {
    return this.#unsealed === undefined;
  }

  async isInitialized(): Promise<boolean> {
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
    const { response, mount } = await state.services.pipeline.handle(request);
    return { response, mountType: mount.type };
  }

  /** Seals if the token has update and sudo on sys/seal; sealing a sealed node is a no-op, as in Vault. */
  seal(token: string): Promise<void> {
    return this.#queue.run(async () => {
      const state = this.#unsealed;
      if (state === undefined) return;
      const acl = await state.services.pipeline.aclOf(token);
      if (!acl.allows('sys/seal', 'update', true)) throw new SealboxError('permission_denied', 'permission denied');
      await this.#sealNow();
      this.#options.logger.info('sealed');
    });
  }

  async health(): Promise<HealthStatus> {
    const cluster = this.#unsealed?.cluster;
    return {
      initialized: await this.isInitialized(),
      sealed: this.sealed,
      standby: false,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(this.#now().getTime() / 1000),
      version: this.#options.build.version,
      enterprise: false,
      ...(cluster === undefined ? {} : { cluster_name: cluster.name, cluster_id: cluster.id }),
    };
  }

  leader(): LeaderStatus {
    return {
      ha_enabled: false,
      is_self: false,
      active_time: ZERO_TIME,
      leader_address: '',
      leader_cluster_address: '',
      performance_standby: false,
      performance_standby_last_remote_wal: 0,
    };
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
      const services = await startServices({
        barrier,
        factories: this.#options.factories,
        logger: this.#options.logger,
        now: this.#now,
      });
      this.#unsealed = { cluster, services, activeTime: this.#now() };
    } catch (error) {
      barrier.seal();
      throw error;
    }
    this.#options.logger.info('unsealed', { cluster_name: this.#unsealed.cluster.name });
  }

  async #sealNow(): Promise<void> {
    const services = this.#unsealed?.services;
    this.#unsealed = undefined;
    this.#progress.reset();
    try {
      await services?.stop();
    } finally {
      this.#options.barrier.seal();
    }
  }
}
