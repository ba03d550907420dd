/** A stored token. The token itself is never stored: entries are keyed by its salted hash. */
export interface TokenEntry {
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly path: string;
  readonly displayName: string;
  readonly meta: Readonly<Record<string, string>> | null;
  /** Unix milliseconds. */
  readonly creationTime: number;
  /** Seconds; 0 means the token never expires. */
  readonly ttl: number;
  readonly explicitMaxTtl: number;
  readonly period: number;
  readonly numUses: number;
  readonly orphan: boolean;
  readonly renewable: boolean;
  readonly type: 'service';
  /** The parent's salted hash, for the revocation tree; undefined for orphans. */
  readonly parentHash?: string;
}
