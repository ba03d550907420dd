import { SealboxError } from '../../lib/errors.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { combineShares } from '../barrier/shamir.ts';
import type { ShamirSeal } from './shamir-seal.ts';
import { WRONG_UNSEAL_KEY } from './shamir-seal.ts';

/**
 * Checks that a quorum of current unseal shares combines to this node's unseal key: it must open
 * the stored root key, and that must be the key the unsealed keyring is under. The shares are
 * wiped. A wrong quorum throws a 400 whose message starts with `failurePrefix`.
 */
export async function verifyUnsealQuorum(shares: Buffer[], seal: ShamirSeal, barrier: Barrier, failurePrefix: string): Promise<void> {
  const unsealKey = await combineShares(shares).finally(() => shares.forEach((share) => share.fill(0)));
  let rootKey: Buffer | undefined;
  try {
    rootKey = await seal.openRootKey(unsealKey);
  } finally {
    unsealKey.fill(0);
  }
  if (rootKey === undefined) throw new SealboxError('invalid_request', `${failurePrefix}: ${WRONG_UNSEAL_KEY}`);
  const matches = barrier.isRootKey(rootKey);
  rootKey.fill(0);
  if (!matches) throw new SealboxError('invalid_request', `${failurePrefix}: root key verification failed`);
}
