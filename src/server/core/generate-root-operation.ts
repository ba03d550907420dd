import { SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { uuid } from '../../lib/random-id.ts';
import type { Barrier } from '../barrier/barrier.ts';
import { decodeQuorumShare, KeyShares } from './key-shares.ts';
import { encodeToken, generateOtp, OTP_LENGTH } from './otp.ts';
import type { SealConfig } from './seal-config.ts';
import type { ShamirSeal } from './shamir-seal.ts';
import { verifyUnsealQuorum } from './unseal-quorum.ts';

/** What generate-root needs of the token store. */
export interface RootTokenIssuer {
  createRootToken(): Promise<{ readonly token: string }>;
  revoke(token: string): Promise<void>;
}

/** The body of every sys/generate-root answer (Vault's field names; none is omitted). */
export interface GenerateRootStatus {
  readonly nonce: string;
  readonly started: boolean;
  readonly progress: number;
  readonly required: number;
  readonly complete: boolean;
  readonly encoded_token: string;
  /** The same value under its pre-1.10 name. */
  readonly encoded_root_token: string;
  readonly pgp_fingerprint: string;
  /** Only in the answer that started an attempt with an OTP the server made. */
  readonly otp: string;
  readonly otp_length: number;
}

export interface GenerateRootOperationOptions {
  readonly seal: ShamirSeal;
  readonly barrier: Barrier;
  /** The token store of the unsealed node; asked for only when a quorum is reached. */
  readonly tokens: () => RootTokenIssuer;
  readonly logger: Logger;
}

interface Attempt {
  readonly nonce: string;
  readonly otp: string;
  readonly shares: KeyShares;
}

/**
 * Vault's generate-root with a one-time pad: a quorum of unseal shares mints a new root token,
 * handed out XORed with the OTP fixed when the attempt started. Progress lives in memory only;
 * the core clears it on seal. PGP-encrypted tokens are not supported.
 */
export class GenerateRootOperation {
  readonly #seal: ShamirSeal;
  readonly #barrier: Barrier;
  readonly #tokens: () => RootTokenIssuer;
  readonly #logger: Logger;
  #attempt: Attempt | undefined;

  constructor(options: GenerateRootOperationOptions) {
    this.#seal = options.seal;
    this.#barrier = options.barrier;
    this.#tokens = options.tokens;
    this.#logger = options.logger;
  }

  /** `otp` is shown only by the call that generated it. */
  async status(otp = ''): Promise<GenerateRootStatus> {
    const required = (await this.#currentConfig()).secret_threshold;
    const attempt = this.#attempt;
    return {
      ...blankStatus(required),
      nonce: attempt?.nonce ?? '',
      started: attempt !== undefined,
      progress: attempt?.shares.count ?? 0,
      otp,
      otp_length: OTP_LENGTH,
    };
  }

  /** Without an OTP the server makes one and returns it this once, as Vault does. */
  async start(otp: string | undefined, pgpKey: string | undefined): Promise<GenerateRootStatus> {
    const given = otp ?? '';
    if (given !== '' && given.length !== OTP_LENGTH) throw invalid('OTP string is wrong length');
    if (given === '' && pgpKey !== undefined && pgpKey !== '') {
      throw invalid('PGP-encrypted root tokens are not supported by this server');
    }
    await this.#currentConfig();
    if (this.#attempt !== undefined) throw invalid('root generation already in progress');
    const pad = given === '' ? generateOtp() : given;
    this.#attempt = { nonce: uuid(), otp: pad, shares: new KeyShares() };
    this.#logger.info('root generation initialized');
    return this.status(given === '' ? pad : '');
  }

  cancel(): void {
    this.clear();
  }

  async update(key: string | undefined, nonce: string): Promise<GenerateRootStatus> {
    const share = decodeQuorumShare(key);
    const required = (await this.#currentConfig()).secret_threshold;
    const attempt = this.#attempt;
    if (attempt === undefined) throw invalid('no root generation in progress');
    if (nonce !== attempt.nonce) {
      throw invalid(`incorrect nonce supplied; nonce for this root generation operation is "${attempt.nonce}"`);
    }
    attempt.shares.addNew(share, 'given key has already been provided during this generation operation');
    const progress = attempt.shares.count;
    // Vault's update answer carries the request's nonce and leaves otp_length at zero.
    const answer = { ...blankStatus(required), nonce, started: true, progress };
    if (progress < required) return answer;

    await verifyUnsealQuorum(attempt.shares.take(), this.#seal, this.#barrier, 'root generation aborted: unable to authenticate');
    const encoded = await this.#issue(attempt.otp);
    this.#attempt = undefined;
    this.#logger.info('root generation finished');
    return { ...answer, complete: true, encoded_token: encoded, encoded_root_token: encoded };
  }

  /** Forgets the attempt and wipes its shares; on cancel and on seal. */
  clear(): void {
    this.#attempt?.shares.clear();
    this.#attempt = undefined;
  }

  /** A root token like init's, encoded with the pad; revoked again if it cannot be encoded. */
  async #issue(otp: string): Promise<string> {
    const tokens = this.#tokens();
    const { token } = await tokens.createRootToken();
    try {
      return encodeToken(token, otp);
    } catch (error) {
      await tokens.revoke(token);
      throw error;
    }
  }

  async #currentConfig(): Promise<SealConfig> {
    const config = await this.#seal.readConfig();
    if (config === undefined) throw invalid('server is not yet initialized');
    return config;
  }
}

function blankStatus(required: number): GenerateRootStatus {
  return {
    nonce: '',
    started: false,
    progress: 0,
    required,
    complete: false,
    encoded_token: '',
    encoded_root_token: '',
    pgp_fingerprint: '',
    otp: '',
    otp_length: 0,
  };
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}
