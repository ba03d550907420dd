import type { TokenEntry } from '../auth/token/token-entry.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import type { MountEntry } from '../router/mount-entry.ts';
import type { Operation } from './operation.ts';

/** A request as the HTTP layer hands it to the core. */
export interface LogicalRequest {
  readonly id: string;
  readonly operation: Operation;
  /** The path after /v1/, without a leading slash; list paths end with '/'. */
  readonly path: string;
  readonly data: Readonly<Record<string, unknown>>;
  /** '' when the request carried no token. */
  readonly clientToken: string;
  readonly remoteAddress: string;
  readonly remotePort: number;
}

/** The caller's token, once the core has looked it up. */
export interface CallerToken {
  /** The token itself, needed by self-service paths (lookup-self, revoke-self, cubbyhole). */
  readonly id: string;
  readonly entry: TokenEntry;
}

/** A request as a backend sees it: routed, authenticated, and given its own storage view. */
export interface BackendRequest extends LogicalRequest {
  /** The path inside the mount: `foo/bar` for `secret/foo/bar`. */
  readonly relativePath: string;
  readonly mount: MountEntry;
  readonly storage: SecureStorage;
  /** Absent on unauthenticated paths called without a token. */
  readonly caller?: CallerToken;
}
