import { secretsEqual } from '../../lib/constant-time.ts';
import { uuid } from '../../lib/random-id.ts';

/** The shares of the current unseal attempt. Duplicates are ignored, as in Vault. */
export class UnsealProgress {
  #shares: Buffer[] = [];
  #nonce = '';

  get count(): number {
    return this.#shares.length;
  }

  get nonce(): string {
    return this.#nonce;
  }

  add(share: Buffer): void {
    if (this.#shares.some((known) => secretsEqual(known, share))) return;
    if (this.#shares.length === 0) this.#nonce = uuid();
    this.#shares.push(Buffer.from(share));
  }

  /** Hands over the collected shares and forgets them: every threshold attempt ends the attempt. */
  take(): Buffer[] {
    const shares = this.#shares;
    this.#shares = [];
    this.#nonce = '';
    return shares;
  }

  reset(): void {
    for (const share of this.take()) share.fill(0);
  }
}
