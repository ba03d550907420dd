import { SealboxError } from '../../lib/errors.ts';

/** core/seal-config, stored in plaintext as in Vault: it holds nothing secret. */
export interface SealConfig {
  readonly type: 'shamir';
  readonly secret_shares: number;
  readonly secret_threshold: number;
  readonly stored_shares: 1;
}

export interface InitRequest {
  readonly secretShares: number;
  readonly secretThreshold: number;
  readonly pgpKeys?: readonly string[];
  readonly rootTokenPgpKey?: string;
  readonly recoveryShares?: number;
  readonly recoveryThreshold?: number;
}

/** Vault's validation order and messages for a Shamir seal. */
export function sealConfigFor(request: InitRequest): SealConfig {
  const { secretShares: shares, secretThreshold: threshold } = request;
  const invalid = (reason: string) => new SealboxError('invalid_request', `invalid seal configuration: ${reason}`);
  if (request.recoveryShares || request.recoveryThreshold) {
    throw new SealboxError('invalid_request', 'parameters specific to auto unseal seals present');
  }
  if (request.pgpKeys !== undefined && request.pgpKeys.length > 0) {
    throw new SealboxError('invalid_request', 'PGP-encrypted key shares are not supported by this server');
  }
  if (request.rootTokenPgpKey) {
    throw new SealboxError('invalid_request', 'a PGP-encrypted root token is not supported by this server');
  }
  if (shares < 1) throw invalid('shares must be at least one');
  if (threshold < 1) throw invalid('threshold must be at least one');
  if (shares > 1 && threshold === 1) throw invalid('threshold must be greater than one for multiple shares');
  if (shares > 255) throw invalid('shares must be less than 256');
  if (threshold > 255) throw invalid('threshold must be less than 256');
  if (threshold > shares) throw invalid('threshold cannot be larger than shares');
  return { type: 'shamir', secret_shares: shares, secret_threshold: threshold, stored_shares: 1 };
}
