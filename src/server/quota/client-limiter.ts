/**
 * Per-client counting for one rate limit quota: `tokens` requests per fixed window of
 * `intervalMs` from each client address, as Vault's limiter store counts them, plus Vault's
 * block interval. Clients idle for a whole window are forgotten, so a flood from many addresses
 * costs memory only for the addresses seen lately.
 */
export interface ClientLimiterOptions {
  readonly tokens: number;
  readonly intervalMs: number;
  readonly blockMs: number;
}

interface ClientWindow {
  start: number;
  taken: number;
  blockedUntil: number;
}

export class ClientLimiter {
  readonly #options: ClientLimiterOptions;
  readonly #clients = new Map<string, ClientWindow>();
  #lastSweep = 0;

  constructor(options: ClientLimiterOptions) {
    this.#options = options;
  }

  /** Counts one request of `client` at `now` (ms); false when it is over the limit or blocked. */
  take(client: string, now: number): boolean {
    this.#sweep(now);
    const { tokens, intervalMs, blockMs } = this.#options;
    const window = this.#clients.get(client) ?? { start: now, taken: 0, blockedUntil: 0 };
    this.#clients.set(client, window);
    if (now < window.blockedUntil) return false;
    if (now - window.start >= intervalMs) {
      window.start = now;
      window.taken = 0;
    }
    if (window.taken < tokens) {
      window.taken += 1;
      return true;
    }
    if (blockMs > 0) window.blockedUntil = now + blockMs;
    return false;
  }

  /** How many clients are remembered. */
  get size(): number {
    return this.#clients.size;
  }

  #sweep(now: number): void {
    const { intervalMs } = this.#options;
    if (now - this.#lastSweep < intervalMs) return;
    this.#lastSweep = now;
    for (const [client, window] of this.#clients) {
      if (now - window.start >= intervalMs && now >= window.blockedUntil) this.#clients.delete(client);
    }
  }
}
