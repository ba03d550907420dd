/**
 * A stored token. The token itself is never stored: entries are keyed by its salted hash, and the
 * parent link is the parent's salted hash too. Plain JSON, so it round-trips through storage.
 */
export interface TokenEntry {
  readonly accessor: string;
  readonly policies: readonly string[];
  /** Creation path: `auth/token/create`, `auth/token/root`, `auth/userpass/login`. */
  readonly path: string;
  readonly displayName: string;
  readonly meta: Readonly<Record<string, string>> | null;
  /** Unix milliseconds. */
  readonly creationTime: number;
  /** The TTL granted at creation, in seconds; 0 means the token never expires. */
  readonly ttl: number;
  readonly explicitMaxTtl: number;
  readonly period: number;
  /** Uses left, 0 for unlimited; -1 while the last use is in flight (the token is then revoked). */
  readonly numUses: number;
  readonly orphan: boolean;
  readonly renewable: boolean;
  readonly type: 'service';
  /** The parent's salted hash, for the revocation tree; undefined for orphans. */
  readonly parentHash?: string;
  /** The token role it was created against. */
  readonly role?: string;
  readonly boundCidrs?: readonly string[];
  /**
   * Unix milliseconds of the token's lease. Absent for the root token of init, which has no lease
   * (lookup then omits issue_time and renewable, as Vault's does).
   */
  readonly issueTime?: number;
  /** Unix milliseconds after which the token is gone; absent when it never expires. */
  readonly expireTime?: number;
  /** Unix milliseconds of the last renewal. */
  readonly lastRenewalTime?: number;
  /** The TTL of the last grant (creation or renewal), in seconds: what a renewal without increment asks for. */
  readonly leaseTtl?: number;
  /** Cap on the lifetime from issue time, in seconds: the issuing mount's max TTL, tightened by the login's max. */
  readonly maxTtl?: number;
}

export const REVOCATION_PENDING = -1;

export function isRootEntry(entry: TokenEntry): boolean {
  return entry.policies.length === 1 && entry.policies[0] === 'root';
}
