import { secretsEqual } from '../../lib/constant-time.ts';
import { SealboxError } from '../../lib/errors.ts';
import { decodeUnsealKey } from './unseal-key.ts';

/**
 * The key shares collected towards one quorum (unseal, rekey, generate-root), held in memory only
 * and wiped when handed over or dropped.
 */
export class KeyShares {
  #shares: Buffer[] = [];

  get count(): number {
    return this.#shares.length;
  }

  has(share: Uint8Array): boolean {
    return this.#shares.some((known) => secretsEqual(known, share));
  }

  /** Keeps a copy: the caller may wipe its own buffer. */
  add(share: Uint8Array): void {
    this.#shares.push(Buffer.from(share));
  }

  /**
   * Rekey and generate-root refuse a share given twice (unseal ignores it). Wipes the caller's
   * buffer either way.
   */
  addNew(share: Buffer, duplicateMessage: string): void {
    try {
      if (this.has(share)) throw new SealboxError('invalid_request', duplicateMessage);
      this.add(share);
    } finally {
      share.fill(0);
    }
  }

  /** Hands over the shares and forgets them; the caller wipes them when done. */
  take(): Buffer[] {
    const shares = this.#shares;
    this.#shares = [];
    return shares;
  }

  clear(): void {
    for (const share of this.take()) share.fill(0);
  }
}

/** The `key` of a rekey or generate-root update, decoded as unseal decodes it. */
export function decodeQuorumShare(key: string | undefined): Buffer {
  if (key === undefined || key === '') throw new SealboxError('invalid_request', "'key' must be specified in request body as JSON");
  return decodeUnsealKey(key);
}
