import { describeError } from '../../../lib/errors.ts';
import type { Logger } from '../../../lib/logger.ts';

/** What the sweeper needs of the token store. */
export interface ExpiringTokens {
  revokeExpired(nowMs: number): Promise<number>;
}

export interface ExpirationSweeperOptions {
  readonly tokens: ExpiringTokens;
  readonly logger?: Logger;
  /** Unix milliseconds. */
  readonly now?: () => number;
}

/**
 * Deletes expired tokens (and their children) from storage on a timer, on the active node only:
 * lookups already refuse them, this reclaims the space and fires the revocation listeners.
 */
export class ExpirationSweeper {
  readonly #tokens: ExpiringTokens;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<number> | undefined;

  constructor(options: ExpirationSweeperOptions) {
    this.#tokens = options.tokens;
    this.#logger = options.logger;
    this.#now = options.now ?? Date.now;
  }

  start(intervalMs: number): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => void this.#tick(), intervalMs);
    this.#timer.unref();
  }

  /** Stops the timer and waits for a sweep in progress. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running?.catch(() => undefined);
  }

  /** One pass now; returns how many expired tokens were revoked. A pass already running is joined. */
  async sweep(): Promise<number> {
    this.#running ??= this.#tokens.revokeExpired(this.#now()).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #tick(): Promise<void> {
    try {
      const revoked = await this.sweep();
      if (revoked > 0) this.#logger?.info('revoked expired tokens', { count: revoked });
    } catch (error) {
      this.#logger?.error('token expiration sweep failed', { error: describeError(error) });
    }
  }
}
