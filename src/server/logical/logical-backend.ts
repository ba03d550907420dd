import type { Logger } from '../../lib/logger.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import type { MountEntry } from '../router/mount-entry.ts';
import type { BackendRequest } from './logical-request.ts';
import type { LogicalResponse } from './logical-response.ts';

/**
 * A secrets engine or auth method mounted in the router. The token store and sys/ are backends
 * like any other.
 */
export interface LogicalBackend {
  /** Undefined: the request succeeded with nothing to say (204, or 404 for a read or list). */
  handle(request: BackendRequest): Promise<LogicalResponse | undefined>;
  /**
   * Whether the target of a write exists (create versus update capability); undefined when the
   * path has no existence check, which makes every write an update.
   */
  exists(request: BackendRequest): Promise<boolean | undefined>;
  /** Paths inside the mount that need no token ('login', 'login/*'). */
  readonly unauthenticatedPaths: readonly string[];
  /** Paths inside the mount that need sudo as well as the capability. */
  readonly rootPaths: readonly string[];
  /** Called when the mount is removed or the node seals. */
  cleanup?(): Promise<void>;
}

export interface BackendContext {
  readonly mount: MountEntry;
  readonly storage: SecureStorage;
  readonly logger: Logger;
  readonly now: () => Date;
}

export type BackendFactory = (context: BackendContext) => LogicalBackend | Promise<LogicalBackend>;
