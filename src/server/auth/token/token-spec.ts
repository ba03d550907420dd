/** Everything the token store needs to mint a token; the policy and TTL rules have been applied. */
export interface TokenSpec {
  /** Sanitized. */
  readonly policies: readonly string[];
  readonly path: string;
  readonly displayName: string;
  readonly meta: Readonly<Record<string, string>> | null;
  /** Seconds; 0 only for a non-expiring root token. */
  readonly ttl: number;
  readonly explicitMaxTtl: number;
  readonly period: number;
  readonly numUses: number;
  readonly renewable: boolean;
  /** The lifetime cap from issue time that renewals respect (the mount's max, or tighter). */
  readonly maxTtl: number;
  readonly role?: string;
  readonly boundCidrs?: readonly string[];
  /** A token chosen by a root caller; a random `hvs.` token otherwise. */
  readonly customId?: string;
}
