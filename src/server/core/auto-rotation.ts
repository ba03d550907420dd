import { describeError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import type { Barrier } from '../barrier/barrier.ts';

/** Often enough for an age limit of at least a day; each check also stores the encryption count. */
const DEFAULT_CHECK_INTERVAL_MS = 5 * 60_000;

export interface AutoRotationOptions {
  readonly barrier: Barrier;
  readonly logger: Logger;
  readonly now: () => Date;
  readonly checkIntervalMs?: number;
}

/**
 * Vault's automatic keyring rotation: a new term once the active key has encrypted max_operations
 * times (checked as writes happen) or is older than the configured interval (checked on a timer),
 * unless rotation is disabled. Runs on the active node from unseal to seal.
 */
export class AutoRotation {
  readonly #barrier: Barrier;
  readonly #logger: Logger;
  readonly #now: () => Date;
  readonly #checkIntervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** After a failed rotation, writes stop triggering checks until the timer's next one. */
  #backingOff = false;

  constructor(options: AutoRotationOptions) {
    this.#barrier = options.barrier;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#checkIntervalMs = options.checkIntervalMs ?? DEFAULT_CHECK_INTERVAL_MS;
  }

  start(): void {
    this.#barrier.onRotationDue(() => {
      if (!this.#backingOff) void this.#trigger();
    });
    this.#timer = setInterval(() => void this.#trigger(), this.#checkIntervalMs);
    this.#timer.unref();
    void this.#trigger();
  }

  /** Stops checking and stores the encryption count one last time. */
  async stop(): Promise<void> {
    this.#barrier.onRotationDue(undefined);
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.idle();
    await this.#barrier.persistEncryptions().catch((error: unknown) => this.#warn('could not store the encryption count', error));
  }

  /** Settles when no check is running. */
  async idle(): Promise<void> {
    await this.#running;
  }

  /** Rotates if a limit is reached, else stores the encryption count; returns whether it rotated. */
  async check(): Promise<boolean> {
    if (this.#barrier.sealed) return false;
    const reason = this.#dueReason();
    if (reason === undefined) {
      await this.#barrier.persistEncryptions();
      return false;
    }
    const status = await this.#barrier.rotate();
    this.#logger.info('rotated the barrier key automatically', { term: status.term, reason });
    return true;
  }

  #trigger(): Promise<void> {
    this.#running ??= this.check()
      .then(() => {
        this.#backingOff = false;
      })
      .catch((error: unknown) => {
        this.#backingOff = true;
        this.#warn('automatic key rotation check failed', error);
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  #dueReason(): string | undefined {
    const config = this.#barrier.rotationConfig();
    if (config.disabled) return undefined;
    const status = this.#barrier.keyStatus();
    if (status.encryptions >= config.maxOperations) return 'max_operations reached';
    const age = this.#now().getTime() - status.installTime.getTime();
    if (config.intervalMs > 0 && age >= config.intervalMs) return 'interval elapsed';
    return undefined;
  }

  #warn(message: string, error: unknown): void {
    this.#logger.warn(message, { error: describeError(error) });
  }
}
