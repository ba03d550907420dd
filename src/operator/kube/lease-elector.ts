import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api, V1MicroTime } from '@kubernetes/client-node';
import type { KubeConfig, V1Lease } from '@kubernetes/client-node';
import { describeError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { isConflict, isNotFound } from './api-errors.ts';

export interface LeaseElectorOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly name: string;
  /** Unique per replica (pod name plus a random suffix). */
  readonly identity: string;
  readonly leaseDurationSeconds?: number;
  /** Leadership is given up when no renewal succeeded for this long. */
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly logger: Logger;
}

/**
 * Leader election on a coordination.k8s.io Lease, as client-go's: take the Lease when it is free
 * or expired (judged by when this replica last saw it change, so clocks need not agree), renew it
 * every retry period, and give up leadership when renewals fail for the renew deadline, which is
 * shorter than the lease, so that two replicas never both believe they lead. Every write carries
 * the resourceVersion read, so two candidates cannot both win.
 */
export class LeaseElector {
  readonly #options: LeaseElectorOptions;
  readonly #api: CoordinationV1Api;
  #observed: { readonly record: string; readonly at: number } | undefined;

  constructor(options: LeaseElectorOptions) {
    this.#options = options;
    this.#api = options.kubeConfig.makeApiClient(CoordinationV1Api);
  }

  get identity(): string {
    return this.#options.identity;
  }

  /** Resolves once this replica holds the lease; rejects if `signal` aborts first. */
  async acquire(signal: AbortSignal): Promise<void> {
    for (;;) {
      signal.throwIfAborted();
      if (await this.#tryAcquireOrRenew()) {
        this.#options.logger.info('became the leader', { lease: this.#options.name, identity: this.#options.identity });
        return;
      }
      await sleep(this.#retryMs(), undefined, { signal });
    }
  }

  /** Renews until a renewal deadline is missed (resolves: leadership lost) or `signal` aborts (resolves). */
  async holdUntilLost(signal: AbortSignal): Promise<'lost' | 'stopped'> {
    let lastRenew = Date.now();
    for (;;) {
      try {
        await sleep(this.#retryMs(), undefined, { signal });
      } catch {
        return 'stopped';
      }
      if (await this.#tryAcquireOrRenew()) {
        lastRenew = Date.now();
        continue;
      }
      if (Date.now() - lastRenew >= (this.#options.renewDeadlineMs ?? 10_000)) {
        this.#options.logger.warn('lost the leader lease', { lease: this.#options.name, identity: this.#options.identity });
        return 'lost';
      }
    }
  }

  /** Gives the lease up at shutdown so that another replica takes over at once. */
  async release(): Promise<void> {
    const lease = await this.#read().catch(() => undefined);
    if (lease?.spec?.holderIdentity !== this.#options.identity) return;
    try {
      await this.#api.replaceNamespacedLease({
        namespace: this.#options.namespace,
        name: this.#options.name,
        body: { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1, renewTime: new V1MicroTime() } },
      });
    } catch (error) {
      this.#options.logger.warn('could not release the leader lease', { error: describeError(error) });
    }
  }

  async #tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity } = this.#options;
    const duration = this.#options.leaseDurationSeconds ?? 15;
    const now = new V1MicroTime();
    try {
      const lease = await this.#read();
      if (lease === undefined) {
        await this.#api.createNamespacedLease({
          namespace,
          body: { metadata: { name, namespace }, spec: { holderIdentity: identity, leaseDurationSeconds: duration, acquireTime: now, renewTime: now, leaseTransitions: 0 } },
        });
        return true;
      }
      const spec = lease.spec ?? {};
      const record = JSON.stringify([spec.holderIdentity, spec.renewTime, spec.leaseDurationSeconds]);
      if (this.#observed?.record !== record) this.#observed = { record, at: Date.now() };
      const holder = spec.holderIdentity ?? '';
      const ours = holder === identity;
      const expired = holder === '' || this.#observed.at + (spec.leaseDurationSeconds ?? duration) * 1000 < Date.now();
      if (!ours && !expired) return false;
      await this.#api.replaceNamespacedLease({
        namespace,
        name,
        body: {
          ...lease,
          spec: {
            holderIdentity: identity,
            leaseDurationSeconds: duration,
            acquireTime: ours && spec.acquireTime !== undefined ? spec.acquireTime : now,
            renewTime: now,
            leaseTransitions: (spec.leaseTransitions ?? 0) + (ours ? 0 : 1),
          },
        },
      });
      return true;
    } catch (error) {
      if (!isConflict(error)) this.#options.logger.warn('leader lease update failed', { error: describeError(error) });
      return false;
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#api.readNamespacedLease({ namespace: this.#options.namespace, name: this.#options.name });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }

  #retryMs(): number {
    return this.#options.retryPeriodMs ?? 2000;
  }
}
