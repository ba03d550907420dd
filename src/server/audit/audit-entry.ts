import { rfc3339Seconds } from '../../lib/rfc3339.ts';
import type { AuthBlock } from '../logical/logical-response.ts';
import type { MountEntry } from '../router/mount-entry.ts';
import type { AuditInput } from './audit-input.ts';
import type { HashFunction } from './hash-structure.ts';
import { elideListData, hashStructure } from './hash-structure.ts';

/** The per-device options that shape entries (Vault's FormatterConfig). */
export interface EntryFormat {
  /** log_raw: nothing is hashed. */
  readonly logRaw: boolean;
  /** hmac_accessor: token accessors are hashed too (the default). */
  readonly hmacAccessor: boolean;
  /** elide_list_responses: list answers show how many keys, not which. */
  readonly elideListResponses: boolean;
}

export interface EntryContext {
  readonly format: EntryFormat;
  readonly hash: HashFunction;
  readonly now: Date;
}

export type AuditEntry = Record<string, unknown>;

/** The blocks a request's two entries have in common: the caller's `auth` and the `request`. */
export interface SharedBlocks {
  readonly auth: AuditEntry;
  readonly request: AuditEntry;
}

const ROOT_NAMESPACE = { id: 'root' };

/** Built once per request and device, for both entries; nothing mutates an entry once built. */
export function sharedBlocks(input: AuditInput, context: EntryContext): SharedBlocks {
  return { auth: callerAuth(input, context), request: requestBlock(input, context) };
}

/** Vault's request entry (audit/format.go), field for field, empty fields left out as Go's omitempty does. */
export function requestEntry(input: AuditInput, context: EntryContext, shared = sharedBlocks(input, context)): AuditEntry {
  return compact({
    time: context.now.toISOString(),
    type: 'request',
    auth: shared.auth,
    request: shared.request,
    error: input.error,
  });
}

export function responseEntry(input: AuditInput, context: EntryContext, shared = sharedBlocks(input, context)): AuditEntry {
  return compact({
    time: context.now.toISOString(),
    type: 'response',
    auth: shared.auth,
    request: shared.request,
    response: responseBlock(input, context),
    error: input.error,
  });
}

/** The entry every device writes when it is enabled, so that a broken destination is found at once. */
export function testProbeEntry(id: string, now: Date): AuditEntry {
  return {
    time: now.toISOString(),
    type: 'request',
    auth: { token_type: 'default' },
    request: { id, operation: 'update', namespace: ROOT_NAMESPACE, path: 'sys/audit/test' },
  };
}

function callerAuth(input: AuditInput, context: EntryContext): AuditEntry {
  const caller = input.caller;
  // Vault formats a missing auth as an empty one, whose token type prints as "default".
  if (caller === undefined) return { token_type: 'default' };
  const { entry } = caller;
  return compact({
    client_token: secret(caller.token, context),
    accessor: accessor(entry.accessor, context),
    display_name: entry.displayName,
    policies: entry.policies,
    token_policies: entry.policies,
    policy_results: input.allowed === undefined ? undefined : { allowed: input.allowed },
    metadata: entry.meta ?? undefined,
    token_type: entry.type,
    token_ttl: entry.ttl,
    token_issue_time: rfc3339Seconds(entry.creationTime),
  });
}

function requestBlock(input: AuditInput, context: EntryContext): AuditEntry {
  const { request, mount, caller } = input;
  const data = context.format.logRaw
    ? request.data
    : hashStructure(request.data, context.hash, { nonHmacKeys: mount?.config.audit_non_hmac_request_keys ?? [], hashNumbers: true });
  return compact({
    id: request.id,
    operation: request.operation,
    ...mountFields(mount),
    client_token: secret(request.clientToken, context),
    client_token_accessor: caller === undefined ? undefined : accessor(caller.entry.accessor, context),
    namespace: ROOT_NAMESPACE,
    path: request.path,
    data,
    remote_address: request.remoteAddress,
    remote_port: request.remotePort,
  });
}

function responseBlock(input: AuditInput, context: EntryContext): AuditEntry {
  const response = input.response;
  return compact({
    ...mountFields(input.mount),
    auth: response?.auth === undefined ? undefined : responseAuth(response.auth, context),
    data: response?.data == null ? undefined : responseData(input, response.data, context),
    warnings: response?.warnings,
  });
}

function responseAuth(auth: AuthBlock, context: EntryContext): AuditEntry {
  return compact({
    client_token: secret(auth.client_token, context),
    accessor: accessor(auth.accessor, context),
    policies: auth.policies,
    token_policies: auth.token_policies,
    metadata: auth.metadata ?? undefined,
    num_uses: auth.num_uses,
    entity_id: auth.entity_id,
    token_type: auth.token_type,
    token_ttl: auth.lease_duration,
  });
}

function responseData(input: AuditInput, data: Readonly<Record<string, unknown>>, context: EntryContext): Record<string, unknown> {
  const shown = context.format.elideListResponses && input.request.operation === 'list' ? elideListData(data) : data;
  if (context.format.logRaw) return { ...shown };
  return hashStructure(shown, context.hash, { nonHmacKeys: input.mount?.config.audit_non_hmac_response_keys ?? [], hashNumbers: false });
}

/** Sealbox's built-in engines have no plugin versions, so the running-version fields stay empty. */
function mountFields(mount: MountEntry | undefined): AuditEntry {
  if (mount === undefined) return {};
  return {
    mount_point: mount.path,
    mount_type: mount.type,
    mount_accessor: mount.accessor,
    mount_class: mount.table === 'auth' ? 'auth' : 'secret',
  };
}

function secret(value: string, context: EntryContext): string | undefined {
  if (value === '') return undefined;
  return context.format.logRaw ? value : context.hash(value);
}

function accessor(value: string, context: EntryContext): string | undefined {
  if (value === '') return undefined;
  return context.format.logRaw || !context.format.hmacAccessor ? value : context.hash(value);
}

/** Go's omitempty: drops empty strings, zeros, false, null and empty lists and maps. */
function compact(fields: Readonly<Record<string, unknown>>): AuditEntry {
  const out: AuditEntry = {};
  // for-in over these plain literals: Object.entries would build an array of pairs per entry block.
  for (const name in fields) {
    const value = fields[name];
    if (!isEmpty(value)) out[name] = value;
  }
  return out;
}

function isEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === 0 || value === false) return true;
  if (Array.isArray(value)) return value.length === 0;
  return typeof value === 'object' && !hasKeys(value);
}

function hasKeys(value: object): boolean {
  for (const _ in value) return true;
  return false;
}
