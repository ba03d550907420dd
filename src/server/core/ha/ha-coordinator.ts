import { setTimeout as sleep } from 'node:timers/promises';
import { describeError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';
import { uuid } from '../../../lib/random-id.ts';
import type { HALock, HeldLock } from '../../storage/physical-backend.ts';
import { ACTIVE_NODE_LOCK } from '../../storage/ha-lock-name.ts';

export interface HaTransitions {
  /** Called with the lock held; a failure releases the lock and the election goes on. */
  activate(lockValue: string): Promise<void>;
  /** Called when the lock is lost, released by step-down, or the coordinator stops. */
  demote(): Promise<void>;
}

export interface HaCoordinatorOptions {
  readonly lock: HALock;
  readonly lockTtlSeconds: number;
  readonly transitions: HaTransitions;
  readonly logger: Logger;
  /** Vault waits 10 s after a step-down before competing again, so that another node wins. */
  readonly stepDownPauseMs?: number;
  /** Pause between attempts after a storage error. */
  readonly retryMs?: number;
}

const STEP_DOWN_PAUSE_MS = 10_000;
const RETRY_MS = 1_000;

/**
 * The election: unsealed nodes compete for one lease-bound lock; the holder is active, the others
 * standby. Losing the lock (lease expiry, step-down) demotes the node, which then competes again.
 */
export class HaCoordinator {
  readonly #options: HaCoordinatorOptions;
  readonly #stop = new AbortController();
  #held: { readonly lock: HeldLock; readonly value: string; readonly stepDown: PromiseWithResolvers<void> } | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: HaCoordinatorOptions) {
    this.#options = options;
  }

  get active(): boolean {
    return this.#held !== undefined;
  }

  start(): void {
    this.#loop ??= this.#campaign();
  }

  /** Gives up the lock (if held), demotes, and stops competing. */
  async stop(): Promise<void> {
    this.#stop.abort();
    this.#held?.stepDown.resolve();
    await this.#loop;
  }

  /** Releases the lock and waits before competing again; a no-op on a standby. */
  stepDown(): void {
    this.#held?.stepDown.resolve();
  }

  /** The lock value of the active node, whoever it is. */
  leaderValue(): Promise<string | undefined> {
    return this.#options.lock.lockHolder(ACTIVE_NODE_LOCK);
  }

  async #campaign(): Promise<void> {
    const { signal } = this.#stop;
    while (!signal.aborted) {
      const stepped = await this.#term(signal).catch((error: unknown) => {
        if (!signal.aborted) this.#options.logger.warn('HA election attempt failed', { error: describeError(error) });
        return 'failed' as const;
      });
      if (signal.aborted) return;
      const pause = stepped === 'stepped-down' ? (this.#options.stepDownPauseMs ?? STEP_DOWN_PAUSE_MS) : stepped === 'failed' ? (this.#options.retryMs ?? RETRY_MS) : 0;
      if (pause > 0) await sleep(pause, undefined, { signal }).catch(() => undefined);
    }
  }

  /** One term: wait for the lock, serve while it lasts, demote. */
  async #term(signal: AbortSignal): Promise<'lost' | 'stepped-down'> {
    const value = uuid();
    const lock = await this.#options.lock.acquireLock(ACTIVE_NODE_LOCK, value, this.#options.lockTtlSeconds, signal);
    try {
      await this.#options.transitions.activate(value);
    } catch (error) {
      await this.#options.transitions.demote().catch(() => undefined);
      await lock.release().catch(() => undefined);
      throw error;
    }
    const stepDown = Promise.withResolvers<void>();
    this.#held = { lock, value, stepDown };
    this.#options.logger.info('acquired the HA lock: this node is active');
    const reason = await Promise.race([lock.lost.then(() => 'lost' as const), stepDown.promise.then(() => 'stepped-down' as const)]);
    this.#held = undefined;
    this.#options.logger.info(reason === 'lost' ? 'lost the HA lock: this node is standby' : 'stepped down: this node is standby');
    await this.#options.transitions.demote().catch((error: unknown) => {
      this.#options.logger.error('demotion failed', { error: describeError(error) });
    });
    await lock.release().catch(() => undefined);
    return reason;
  }
}
