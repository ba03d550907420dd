import { describeError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import { SerialQueue } from '../../../lib/serial-queue.ts';
import type { Barrier } from '../../barrier/barrier.ts';
import type { FencedBackend } from '../../storage/fenced-backend.ts';
import { ACTIVE_NODE_LOCK } from '../../storage/ha-lock-name.ts';
import type { HALock, Watchable } from '../../storage/physical-backend.ts';
import type { ActiveNodeAddress, NodeRole } from '../node-role.ts';
import type { UnsealedServices } from '../unsealed-services.ts';
import { HaCoordinator } from './ha-coordinator.ts';
import type { LeaderAdvertisement } from './leader-advertisement.ts';
import { advertise, readAdvertisement } from './leader-advertisement.ts';

export interface HaSettings {
  readonly lock: HALock;
  readonly watcher: Watchable;
  readonly fence: FencedBackend;
  readonly lockTtlSeconds: number;
  /** Read at activation: with an ephemeral listen port the address is known only once listening. */
  readonly addresses: () => { readonly api: string; readonly cluster: string };
  readonly stepDownPauseMs?: number;
  /** Told first on activation and demotion, e.g. so that a storage cache serves only while active. */
  readonly onRoleChange?: (active: boolean) => void;
}

export interface HaNodeOptions extends HaSettings {
  readonly barrier: Barrier;
  readonly startServices: () => Promise<UnsealedServices>;
  readonly logger: Logger;
  readonly now: () => Date;
}

/**
 * An unsealed node in an HA cluster: standby until it wins the lock, then active, with every
 * write fenced by the lock. While standby it follows keyring changes through a storage watch.
 */
export class HaNode implements NodeRole {
  readonly haEnabled = true;
  readonly #options: HaNodeOptions;
  readonly #coordinator: HaCoordinator;
  /** Activation and demotion never interleave. */
  readonly #transitions = new SerialQueue();
  #services: UnsealedServices | undefined;
  #activeTime: Date | undefined;
  #stopWatch: (() => Promise<void>) | undefined;
  #knownLeader: { readonly lockValue: string; readonly advertisement: LeaderAdvertisement } | undefined;

  private constructor(options: HaNodeOptions) {
    this.#options = options;
    this.#coordinator = new HaCoordinator({
      lock: options.lock,
      lockTtlSeconds: options.lockTtlSeconds,
      logger: options.logger,
      transitions: {
        activate: (value) => this.#transitions.run(() => this.#activate(value)),
        demote: () => this.#transitions.run(() => this.#demote()),
      },
      ...(options.stepDownPauseMs === undefined ? {} : { stepDownPauseMs: options.stepDownPauseMs }),
    });
  }

  static async start(options: HaNodeOptions): Promise<HaNode> {
    const node = new HaNode(options);
    node.#stopWatch = await options.watcher.watch('core/', (change) => {
      if (change.key === 'core/keyring' && node.#services === undefined) node.#reloadKeyring();
    });
    node.#coordinator.start();
    return node;
  }

  get services(): UnsealedServices | undefined {
    return this.#services;
  }

  get activeTime(): Date | undefined {
    return this.#activeTime;
  }

  async activeNode(): Promise<ActiveNodeAddress | undefined> {
    if (this.#services !== undefined) {
      const { api, cluster } = this.#options.addresses();
      return { apiAddress: api, clusterAddress: cluster, isSelf: true };
    }
    const lockValue = await this.#coordinator.leaderValue();
    if (lockValue === undefined || lockValue === '') return undefined;
    if (this.#knownLeader?.lockValue !== lockValue) {
      const advertisement = await readAdvertisement(this.#options.barrier, lockValue);
      if (advertisement === undefined) return undefined;
      this.#knownLeader = { lockValue, advertisement };
    }
    const { advertisement } = this.#knownLeader;
    return { apiAddress: advertisement.redirect_addr, clusterAddress: advertisement.cluster_addr, isSelf: false };
  }

  stepDown(): void {
    this.#coordinator.stepDown();
  }

  async stop(): Promise<void> {
    await this.#stopWatch?.();
    await this.#coordinator.stop();
  }

  async #activate(lockValue: string): Promise<void> {
    const { barrier, fence, lock } = this.#options;
    this.#options.onRoleChange?.(true);
    // Another node may have rotated or rekeyed while this one was standby.
    await barrier.reload();
    fence.fence(lock.lockCondition(ACTIVE_NODE_LOCK, lockValue));
    const { api, cluster } = this.#options.addresses();
    await advertise(barrier, lockValue, { redirect_addr: api, cluster_addr: cluster });
    this.#services = await this.#options.startServices();
    this.#activeTime = this.#options.now();
  }

  async #demote(): Promise<void> {
    const services = this.#services;
    this.#services = undefined;
    this.#activeTime = undefined;
    this.#options.onRoleChange?.(false);
    await services?.stop();
  }

  #reloadKeyring(): void {
    this.#options.barrier.reload().catch((error: unknown) => {
      this.#options.logger.warn('could not reload the keyring changed by the active node', { error: describeError(error) });
    });
  }
}
