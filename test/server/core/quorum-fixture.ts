import { createLogger } from '../../../src/lib/logger.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import { combineShares, splitKey } from '../../../src/server/barrier/shamir.ts';
import { sealConfigFor } from '../../../src/server/core/seal-config.ts';
import { ShamirSeal } from '../../../src/server/core/shamir-seal.ts';
import type { TxnCondition, TxnOperation } from '../../../src/server/storage/physical-backend.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';

export const silentLogger = createLogger({ level: 'silent' });

/** In-memory storage whose transactions can be made to fail, to show that a failed write changes nothing. */
export class FlakyBackend extends InmemBackend {
  failTransactions = false;

  override async transaction(operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]): Promise<boolean> {
    if (this.failTransactions) throw new Error('storage unavailable');
    return super.transaction(operations, conditions);
  }
}

export interface QuorumFixture {
  readonly physical: FlakyBackend;
  readonly barrier: AesGcmBarrier;
  readonly seal: ShamirSeal;
  /** The current unseal shares, hex-encoded as init returns them. */
  readonly shares: readonly string[];
}

/** An initialized, unsealed barrier with the Shamir seal, as init and unseal leave it. */
export async function quorumFixture(secretShares = 5, secretThreshold = 3): Promise<QuorumFixture> {
  const physical = new FlakyBackend();
  const barrier = new AesGcmBarrier(physical);
  const seal = new ShamirSeal(physical);
  const rootKey = generateKey();
  const unsealKey = generateKey();
  const shares = await splitKey(unsealKey, secretShares, secretThreshold);
  await barrier.initialize(Buffer.from(rootKey));
  await seal.storeRootKey(unsealKey, rootKey);
  await seal.writeConfig(sealConfigFor({ secretShares, secretThreshold }));
  await barrier.unseal(Buffer.from(rootKey));
  return { physical, barrier, seal, shares: shares.map((share) => Buffer.from(share).toString('hex')) };
}

/** The root key that `shares` open, or undefined: what an unseal with them would get. */
export async function rootKeyFrom(seal: ShamirSeal, shares: readonly string[]): Promise<Buffer | undefined> {
  const unsealKey = await combineShares(shares.map((share) => Buffer.from(share, 'hex')));
  return seal.openRootKey(unsealKey);
}

/** A share of the same length and x-coordinate whose value is wrong: it combines, to the wrong key. */
export function tamperedShare(share: string): string {
  const bytes = Buffer.from(share, 'hex');
  bytes[0] = bytes[0]! ^ 0xff;
  return bytes.toString('hex');
}

export async function physicalSnapshot(physical: InmemBackend, keys: readonly string[]): Promise<Record<string, string>> {
  const entries = await Promise.all(keys.map(async (key) => [key, Buffer.from((await physical.get(key)) ?? []).toString('hex')]));
  return Object.fromEntries(entries);
}

/** The keys a rekey writes, all in one transaction. */
export const REKEYED_KEYS = ['core/seal-config', 'core/hsm/barrier-unseal-keys', 'core/keyring', 'core/master'];
