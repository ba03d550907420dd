import { combine, split } from 'shamir-secret-sharing';
import { SealboxError } from '../../lib/errors.ts';

/**
 * Shamir sharing of the unseal key in Vault's format: GF(2^8), the x-coordinate as the last byte,
 * so a 32-byte key gives 33-byte shares. The library is audited and uses the same layout.
 * With one share there is no splitting: the share is the key itself, as in Vault.
 */
export async function splitKey(key: Uint8Array, shares: number, threshold: number): Promise<Uint8Array[]> {
  if (shares === 1) return [Uint8Array.from(key)];
  // The library wants plain Uint8Arrays, not Buffers.
  return split(new Uint8Array(key), shares, threshold);
}

/** Combines exactly `threshold` shares; a wrong set yields a wrong key, caught later by GCM. */
export async function combineShares(shares: readonly Uint8Array[]): Promise<Uint8Array> {
  const [first] = shares;
  if (first === undefined) throw new SealboxError('invalid_request', 'no key shares provided');
  if (shares.length === 1) return Uint8Array.from(first);
  if (shares.some((share) => share.length !== first.length)) {
    throw new SealboxError('invalid_request', 'failed to compute root key: all parts must be the same length');
  }
  try {
    return await combine(shares.map((share) => new Uint8Array(share)));
  } catch (error) {
    throw new SealboxError('invalid_request', `failed to compute root key: ${(error as Error).message}`);
  }
}
