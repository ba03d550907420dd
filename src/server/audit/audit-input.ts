import type { TokenEntry } from '../auth/token/token-entry.ts';
import type { LogicalRequest } from '../logical/logical-request.ts';
import type { LogicalResponse } from '../logical/logical-response.ts';
import type { MountEntry } from '../router/mount-entry.ts';

/** The token a request came with, once the core has looked it up. */
export interface AuditCaller {
  readonly token: string;
  readonly entry: TokenEntry;
}

/** What the core knows of one request when it asks the audit devices to record it. */
export interface AuditInput {
  /** With the operation after the existence check (`create` or `update`), as Vault records it. */
  readonly request: LogicalRequest;
  /** Absent when no mount serves the path. */
  readonly mount?: MountEntry;
  readonly caller?: AuditCaller;
  /** The ACL's verdict; absent when no policy was consulted (login paths, unknown tokens). */
  readonly allowed?: boolean;
  readonly response?: LogicalResponse;
  /** The error text the client is given, never internal detail. */
  readonly error?: string;
}
