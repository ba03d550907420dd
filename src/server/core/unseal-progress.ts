import { uuid } from '../../lib/random-id.ts';
import { KeyShares } from './key-shares.ts';

/** The shares of the current unseal attempt. Duplicates are ignored, as in Vault. */
export class UnsealProgress {
  readonly #shares = new KeyShares();
  #nonce = '';

  get count(): number {
    return this.#shares.count;
  }

  get nonce(): string {
    return this.#nonce;
  }

  add(share: Buffer): void {
    if (this.#shares.has(share)) return;
    if (this.#shares.count === 0) this.#nonce = uuid();
    this.#shares.add(share);
  }

  /** Hands over the collected shares and forgets them: every threshold attempt ends the attempt. */
  take(): Buffer[] {
    this.#nonce = '';
    return this.#shares.take();
  }

  reset(): void {
    for (const share of this.take()) share.fill(0);
  }
}
