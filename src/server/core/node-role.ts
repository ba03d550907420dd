import type { UnsealedServices } from './unsealed-services.ts';

export interface ActiveNodeAddress {
  readonly apiAddress: string;
  readonly clusterAddress: string;
  readonly isSelf: boolean;
}

/**
 * Whether an unsealed node serves requests: always without HA, only while it holds the lock with
 * HA. The services exist exactly while the node is active.
 */
export interface NodeRole {
  readonly haEnabled: boolean;
  /** Defined while this node is active. */
  readonly services: UnsealedServices | undefined;
  readonly activeTime: Date | undefined;
  /** The active node, this one or another; undefined when none is known. */
  activeNode(): Promise<ActiveNodeAddress | undefined>;
  /** Gives up being active for a while, so that another node takes over. */
  stepDown(): void;
  /** Stops serving and competing; called on seal and shutdown. */
  stop(): Promise<void>;
}

/** A node without HA: active from unseal to seal. */
export class SingleNode implements NodeRole {
  readonly haEnabled = false;
  readonly services: UnsealedServices;
  readonly activeTime: Date;

  constructor(services: UnsealedServices, activeTime: Date) {
    this.services = services;
    this.activeTime = activeTime;
  }

  async activeNode(): Promise<ActiveNodeAddress | undefined> {
    return undefined;
  }

  stepDown(): void {}

  stop(): Promise<void> {
    return this.services.stop();
  }
}
