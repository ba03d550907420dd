import type { Lease } from 'etcd3';

/**
 * Knows until when a lease is certainly alive on the server: `ttlSeconds` after the send time of
 * the last keepalive etcd answered. etcd3's own 'lost' only fires after twice the TTL, far too late
 * for a lock holder that must stop writing before someone else can take over.
 */
export class LeaseDeadline {
  readonly #ttlMs: number;
  #expiresAt: number;
  // Send times of keepalives on the current stream not answered yet; answers come in order.
  #unanswered: number[] = [];
  #onExpiry: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Create right after the lease, so no keepalive is missed; `startedAt` precedes the grant. */
  constructor(lease: Lease, ttlSeconds: number, startedAt: number) {
    this.#ttlMs = ttlSeconds * 1000;
    this.#expiresAt = startedAt + this.#ttlMs;
    lease.on('keepaliveEstablished', () => {
      this.#unanswered = [];
    });
    lease.on('keepaliveFired', () => {
      this.#unanswered.push(Date.now());
    });
    lease.on('keepaliveSucceeded', () => {
      const sentAt = this.#unanswered.shift();
      if (sentAt === undefined) return;
      this.#expiresAt = sentAt + this.#ttlMs;
      this.#arm();
    });
  }

  /** Calls `onExpiry` once, when the lease may have expired without this process hearing of it. */
  watch(onExpiry: () => void): void {
    this.#onExpiry = onExpiry;
    this.#arm();
  }

  stop(): void {
    this.#onExpiry = undefined;
    clearTimeout(this.#timer);
  }

  #arm(): void {
    const onExpiry = this.#onExpiry;
    if (onExpiry === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(onExpiry, Math.max(0, this.#expiresAt - Date.now()));
  }
}
