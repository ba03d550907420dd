import { secretsEqual } from '../../lib/constant-time.ts';
import { SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { uuid } from '../../lib/random-id.ts';
import { generateKey } from '../barrier/aes-gcm.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { combineShares, splitKey } from '../barrier/shamir.ts';
import { decodeQuorumShare, KeyShares } from './key-shares.ts';
import type { SealConfig } from './seal-config.ts';
import { sealConfigFor } from './seal-config.ts';
import type { ShamirSeal } from './shamir-seal.ts';
import { verifyUnsealQuorum } from './unseal-quorum.ts';

export interface RekeyRequest {
  readonly secretShares: number;
  readonly secretThreshold: number;
  readonly pgpKeys?: readonly string[];
  readonly backup?: boolean;
  readonly requireVerification?: boolean;
}

/** GET sys/rekey/init, also the answer to an update below the threshold. */
export interface RekeyStatus {
  readonly nonce: string;
  readonly started: boolean;
  /** The new threshold and share count. */
  readonly t: number;
  readonly n: number;
  /** Current shares provided so far, towards `required`, the current threshold. */
  readonly progress: number;
  readonly required: number;
  readonly pgp_fingerprints: null;
  readonly backup: boolean;
  readonly verification_required: boolean;
  readonly verification_nonce?: string;
}

/** The update that reached the threshold: the new shares, shown this once. */
export interface RekeyResult {
  readonly nonce: string;
  readonly complete: true;
  readonly keys: string[];
  readonly keys_base64: string[];
  readonly pgp_fingerprints: null;
  readonly backup: boolean;
  readonly verification_required: boolean;
  readonly verification_nonce?: string;
}

export interface RekeyVerificationStatus {
  readonly nonce: string;
  readonly started: boolean;
  readonly t: number;
  readonly n: number;
  readonly progress: number;
}

export interface RekeyVerificationResult {
  readonly nonce: string;
  readonly complete: true;
}

export interface RekeyOperationOptions {
  readonly seal: ShamirSeal;
  readonly barrier: Barrier;
  readonly logger: Logger;
}

/** New shares waiting for the operators to prove they hold them. */
interface Verification {
  nonce: string;
  readonly unsealKey: Buffer;
  readonly shares: KeyShares;
}

interface Attempt {
  readonly nonce: string;
  readonly config: SealConfig;
  readonly verificationRequired: boolean;
  /** Current shares collected towards the current threshold. */
  readonly shares: KeyShares;
  verification: Verification | undefined;
}

/**
 * Vault's rekey: a quorum of current shares authorizes a new unseal key split into new shares.
 * The new unseal key, a new root key, the keyring re-encrypted under it and the new seal config
 * are written in one storage transaction, so the old shares keep working until the new ones do.
 * With verification, nothing is written until a quorum of the new shares comes back. Progress
 * lives in memory only; the core clears it on seal. PGP-encrypted shares, and with them the
 * backup, are not supported.
 */
export class RekeyOperation {
  readonly #seal: ShamirSeal;
  readonly #barrier: Barrier;
  readonly #logger: Logger;
  #attempt: Attempt | undefined;

  constructor(options: RekeyOperationOptions) {
    this.#seal = options.seal;
    this.#barrier = options.barrier;
    this.#logger = options.logger;
  }

  async status(): Promise<RekeyStatus> {
    const required = (await this.#currentConfig()).secret_threshold;
    const attempt = this.#attempt;
    const common = { pgp_fingerprints: null, backup: false, required } as const;
    if (attempt === undefined) return { nonce: '', started: false, t: 0, n: 0, progress: 0, verification_required: false, ...common };
    const verification = attempt.verification;
    return {
      nonce: attempt.nonce,
      started: true,
      t: attempt.config.secret_threshold,
      n: attempt.config.secret_shares,
      progress: attempt.shares.count,
      verification_required: attempt.verificationRequired,
      ...(verification === undefined ? {} : { verification_nonce: verification.nonce }),
      ...common,
    };
  }

  async start(request: RekeyRequest): Promise<RekeyStatus> {
    const pgpKeys = request.pgpKeys ?? [];
    if (request.backup === true && pgpKeys.length === 0) {
      throw invalid('cannot request a backup of the new keys without providing PGP keys for encryption');
    }
    if (pgpKeys.length > 0 && pgpKeys.length !== request.secretShares) throw invalid('incorrect number of PGP keys for rekey');
    if (request.secretThreshold > request.secretShares) throw invalid('provided threshold greater than the total shares');
    const config = sealConfigFor({ secretShares: request.secretShares, secretThreshold: request.secretThreshold, pgpKeys });
    await this.#currentConfig();
    if (this.#attempt !== undefined) throw invalid('rekey already in progress');
    this.#attempt = {
      nonce: uuid(),
      config,
      verificationRequired: request.requireVerification === true,
      shares: new KeyShares(),
      verification: undefined,
    };
    this.#logger.info('rekey initialized', { shares: config.secret_shares, threshold: config.secret_threshold });
    return this.status();
  }

  /** Cancels the attempt; a nonce, when given, must be the attempt's (newer Vault clients send it). */
  cancel(nonce: string | undefined): void {
    const attempt = this.#attempt;
    if (attempt === undefined) return;
    if (nonce !== undefined && nonce !== '' && nonce !== attempt.nonce) throw invalid('invalid request');
    this.clear();
  }

  async update(key: string | undefined, nonce: string): Promise<RekeyStatus | RekeyResult> {
    const share = decodeQuorumShare(key);
    const current = await this.#currentConfig();
    const attempt = this.#attempt;
    if (attempt === undefined) throw invalid('no barrier rekey in progress');
    if (attempt.verification !== undefined) {
      throw invalid(
        `rekey operation already finished; verification must be performed; nonce for the verification operation is "${attempt.verification.nonce}"`,
      );
    }
    if (nonce !== attempt.nonce) throw invalid(`incorrect nonce supplied; nonce for this rekey operation is "${attempt.nonce}"`);
    attempt.shares.addNew(share, 'given key has already been provided during this rekey operation');
    if (attempt.shares.count < current.secret_threshold) return this.status();

    await verifyUnsealQuorum(attempt.shares.take(), this.#seal, this.#barrier, 'failed to read root key');
    const unsealKey = generateKey();
    const result = await newShares(attempt, unsealKey);
    if (attempt.verificationRequired) {
      const verification: Verification = { nonce: uuid(), unsealKey, shares: new KeyShares() };
      attempt.verification = verification;
      return { ...result, verification_nonce: verification.nonce };
    }
    try {
      await this.#commit(attempt.config, unsealKey);
    } finally {
      unsealKey.fill(0);
    }
    this.#attempt = undefined;
    return result;
  }

  async verificationStatus(): Promise<RekeyVerificationStatus> {
    await this.#currentConfig();
    const attempt = this.#attempt;
    if (attempt === undefined) throw invalid('no rekey configuration found');
    const verification = attempt.verification;
    return {
      nonce: verification?.nonce ?? '',
      started: verification !== undefined,
      t: attempt.config.secret_threshold,
      n: attempt.config.secret_shares,
      progress: verification?.shares.count ?? 0,
    };
  }

  async verify(key: string | undefined, nonce: string): Promise<RekeyVerificationStatus | RekeyVerificationResult> {
    const share = decodeQuorumShare(key);
    const attempt = this.#attempt;
    if (attempt === undefined) throw invalid('no rekey in progress');
    const verification = attempt.verification;
    if (verification === undefined) throw invalid('no rekey verification in progress');
    if (nonce !== verification.nonce) {
      throw invalid(`incorrect nonce supplied; nonce for this verify operation is "${verification.nonce}"`);
    }
    verification.shares.addNew(share, 'given key has already been provided during this verify operation');
    if (verification.shares.count < attempt.config.secret_threshold) return this.verificationStatus();
    try {
      await this.#checkNewShares(verification);
      await this.#commit(attempt.config, verification.unsealKey);
    } catch (error) {
      // As in Vault, a failed quorum starts the verification over under a new nonce.
      verification.nonce = uuid();
      throw error;
    }
    const result: RekeyVerificationResult = { nonce: verification.nonce, complete: true };
    this.clear();
    return result;
  }

  /** DELETE sys/rekey/verify: drops the new shares collected so far, under a new nonce. */
  restartVerification(): Promise<RekeyVerificationStatus> {
    const verification = this.#attempt?.verification;
    if (verification !== undefined) {
      verification.shares.clear();
      verification.nonce = uuid();
    }
    return this.verificationStatus();
  }

  /** Forgets the attempt and wipes its keys; on cancel and on seal. */
  clear(): void {
    this.#attempt?.shares.clear();
    this.#attempt?.verification?.shares.clear();
    this.#attempt?.verification?.unsealKey.fill(0);
    this.#attempt = undefined;
  }

  async #checkNewShares(verification: Verification): Promise<void> {
    const shares = verification.shares.take();
    const combined = await combineShares(shares).finally(() => shares.forEach((share) => share.fill(0)));
    const matches = secretsEqual(combined, verification.unsealKey);
    combined.fill(0);
    if (!matches) throw invalid('rekey verification failed; incorrect key shares supplied');
  }

  /** The one transaction that replaces the old shares with the new ones. */
  async #commit(config: SealConfig, unsealKey: Buffer): Promise<void> {
    const rootKey = generateKey();
    try {
      await this.#barrier.rekey(rootKey, [this.#seal.rootKeyOperation(unsealKey, rootKey), this.#seal.configOperation(config)]);
    } finally {
      rootKey.fill(0);
    }
    this.#logger.info('rekey completed', { shares: config.secret_shares, threshold: config.secret_threshold });
  }

  async #currentConfig(): Promise<SealConfig> {
    const config = await this.#seal.readConfig();
    if (config === undefined) throw invalid('server is not yet initialized');
    return config;
  }
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}

/** Splits the new unseal key and renders the shares as Vault does: hex and standard base64. */
async function newShares(attempt: Attempt, unsealKey: Buffer): Promise<RekeyResult> {
  const shares = await splitKey(unsealKey, attempt.config.secret_shares, attempt.config.secret_threshold);
  const result: RekeyResult = {
    nonce: attempt.nonce,
    complete: true,
    keys: shares.map((share) => Buffer.from(share).toString('hex')),
    keys_base64: shares.map((share) => Buffer.from(share).toString('base64')),
    pgp_fingerprints: null,
    backup: false,
    verification_required: attempt.verificationRequired,
  };
  for (const share of shares) share.fill(0);
  return result;
}
