/** What a login hands the core: the core turns it into a token, as Vault's does. */
export interface LoginGrant {
  readonly policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>>;
  /** Shown as `<mount path>-<displayName>`; the mount path part is added by the core. */
  readonly displayName: string;
  /** Seconds; 0 takes the mount or system default. */
  readonly ttl: number;
  readonly maxTtl: number;
  readonly explicitMaxTtl: number;
  readonly period: number;
  readonly numUses: number;
  readonly noDefaultPolicy: boolean;
  readonly renewable: boolean;
  /** CIDRs the token may be used from; empty for any. */
  readonly boundCidrs: readonly string[];
  /** Identifies who logged in within the mount (username, role id, service account uid). */
  readonly aliasName: string;
}

/** The `auth` block of Vault's response envelope, for a token that exists. */
export interface AuthBlock {
  readonly client_token: string;
  readonly accessor: string;
  readonly policies: readonly string[];
  readonly token_policies: readonly string[];
  readonly metadata: Readonly<Record<string, string>> | null;
  readonly lease_duration: number;
  readonly renewable: boolean;
  readonly entity_id: string;
  readonly token_type: 'service';
  readonly orphan: boolean;
  readonly mfa_requirement: null;
  readonly num_uses: number;
}

export interface LogicalResponse {
  /** `null`/absent renders as `"data": null`; a read that returns no response is a 404. */
  readonly data?: Readonly<Record<string, unknown>> | null;
  readonly warnings?: readonly string[];
  /** A login: the core creates the token and fills `auth`. */
  readonly login?: LoginGrant;
  /** A token that already exists (token store create and renew). */
  readonly auth?: AuthBlock;
  readonly leaseDuration?: number;
  readonly renewable?: boolean;
  /** An explicit status with the full envelope (KV v2 answers a deleted version with a 404 envelope). */
  readonly status?: number;
  /** Vault's "data injection": sys paths also copy every data key to the top level. */
  readonly dataAtTopLevel?: boolean;
}
