import { randomBytes, randomFillSync } from 'node:crypto';

/** Where cryptographically random bytes come from: crypto.randomBytes, or a pool of them. */
export type RandomBytes = (length: number) => Buffer;

const POOL_BYTES = 4096;

/**
 * Cryptographically random bytes drawn from a buffer that OpenSSL refills 4 KiB at a time, as
 * Node's randomUUID does: a call into OpenSSL costs 2-8 µs however few bytes it makes, and every
 * write makes nonces and every token create makes IDs. Bytes handed out are zeroed in the pool, so
 * a future token ID stays nowhere but with its caller.
 */
export class RandomPool {
  readonly #pool = Buffer.allocUnsafeSlow(POOL_BYTES);
  #offset = POOL_BYTES;

  readonly bytes: RandomBytes = (length) => {
    if (length > POOL_BYTES) return randomBytes(length);
    if (this.#offset + length > POOL_BYTES) {
      randomFillSync(this.#pool);
      this.#offset = 0;
    }
    const start = this.#offset;
    this.#offset += length;
    const taken = Buffer.from(this.#pool.subarray(start, this.#offset));
    this.#pool.fill(0, start, this.#offset);
    return taken;
  };
}
