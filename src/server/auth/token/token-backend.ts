import { SealboxError } from '../../../lib/errors.ts';
import type { FieldData } from '../../logical/field-data.ts';
import type { BackendFactory, LogicalBackend } from '../../logical/logical-backend.ts';
import type { BackendRequest, CallerToken } from '../../logical/logical-request.ts';
import type { LogicalResponse } from '../../logical/logical-response.ts';
import type { PathHandler, PathRoute } from '../../logical/path-table.ts';
import { PathTable } from '../../logical/path-table.ts';
import { authBlock } from './auth-block.ts';
import { isRootEntry } from './token-entry.ts';
import { planTokenCreate } from './token-create-plan.ts';
import { lookupData } from './token-lookup-data.ts';
import { applyRoleWrite, emptyRole, roleData } from './token-role.ts';
import type { StoredToken, TokenStore } from './token-store.ts';
import { tableBackend } from '../../logical/table-backend.ts';

export type PolicyExists = (name: string) => Promise<boolean>;

/** Vault's GenericNameRegex. */
const NAME = String.raw`\w(?:[\w.-]*\w)?`;

/**
 * The token auth method at auth/token/ (vault-api.md 4.4). Sudo on the create path is taken to
 * mean a root caller; revoke-orphan and accessors need sudo through the router's root paths.
 */
export function tokenBackendFactory(store: TokenStore, policyExists: PolicyExists): BackendFactory {
  return (): LogicalBackend => {
    return tableBackend(new PathTable(routes(store, policyExists)), { rootPaths: ['revoke-orphan', 'accessors*'] });
  };
}

function routes(store: TokenStore, policyExists: PolicyExists): PathRoute[] {
  const create = createHandler(store, policyExists);
  const lookup = lookupHandler(store);
  return [
    { pattern: 'roles/?', operations: { list: async () => ({ data: { keys: await store.roles.list() } }) } },
    { pattern: 'accessors/?', operations: { list: async () => ({ data: { keys: await store.listAccessors() } }) } },
    { pattern: 'create-orphan', operations: { update: create({ orphanPath: true, withRole: false }) } },
    { pattern: `create/(?<role_name>${NAME})`, operations: { update: create({ orphanPath: false, withRole: true }) } },
    { pattern: 'create', operations: { update: create({ orphanPath: false, withRole: false }) } },
    { pattern: 'lookup', operations: { read: lookup, update: lookup } },
    { pattern: 'lookup-self', operations: { read: lookupSelfHandler(store), update: lookupSelfHandler(store) } },
    { pattern: 'lookup-accessor', operations: { update: lookupAccessorHandler(store) } },
    { pattern: 'renew', operations: { update: renewHandler(store) } },
    { pattern: 'renew-self', operations: { update: renewSelfHandler(store) } },
    { pattern: 'renew-accessor', operations: { update: renewAccessorHandler(store) } },
    { pattern: 'revoke', operations: { update: revokeHandler(store) } },
    { pattern: 'revoke-self', operations: { update: revokeSelfHandler(store) } },
    { pattern: 'revoke-accessor', operations: { update: revokeAccessorHandler(store) } },
    { pattern: 'revoke-orphan', operations: { update: revokeOrphanHandler(store) } },
    { pattern: 'tidy', operations: { update: tidyHandler(store) } },
    {
      pattern: `roles/(?<role_name>${NAME})`,
      operations: { read: roleReadHandler(store), update: roleWriteHandler(store), delete: roleDeleteHandler(store) },
      exists: async (_request, fields) => (await store.roles.get(roleName(fields))) !== undefined,
    },
  ];
}

function createHandler(store: TokenStore, policyExists: PolicyExists) {
  return (options: { orphanPath: boolean; withRole: boolean }): PathHandler =>
    async (request, fields) => {
      const caller = callerOf(request);
      const parent = await store.find(caller.id);
      if (parent === undefined) throw invalid('parent token lookup failed: no parent found');
      const role = options.withRole ? await store.roles.get(roleName(fields)) : undefined;
      if (options.withRole && role === undefined) throw invalid(`unknown role ${roleName(fields)}`);
      const plan = planTokenCreate(fields, {
        parent: parent.entry,
        sudo: isRootEntry(parent.entry),
        orphanPath: options.orphanPath,
        role,
        relativePath: request.relativePath,
        limits: store.ttlLimits(request.mount),
      });
      const issued = await store.create(plan.spec, plan.orphan ? undefined : caller.id);
      const warnings = [...plan.warnings, ...(await missingPolicyWarnings(issued.entry.policies, policyExists))];
      return withWarnings({ data: null, auth: authBlock(issued.token, issued.entry, issued.entry.ttl) }, warnings);
    };
}

function lookupHandler(store: TokenStore): PathHandler {
  return async (request, fields) => {
    const token = nonEmpty(fields.string('token')) ?? callerOf(request).id;
    if (token === '') throw invalid('missing token ID');
    return lookupResponse(store, token);
  };
}

function lookupSelfHandler(store: TokenStore): PathHandler {
  return async (request) => lookupResponse(store, callerOf(request).id);
}

async function lookupResponse(store: TokenStore, token: string): Promise<LogicalResponse> {
  // Tainted: a token on its last use can still look itself up.
  const stored = await store.find(token, { tainted: true });
  if (stored === undefined) throw new SealboxError('permission_denied', 'bad token');
  return { data: lookupData(token, stored.entry, store.nowMs()) };
}

function lookupAccessorHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const stored = await byAccessor(store, fields);
    return { data: lookupData('', stored.entry, store.nowMs()) };
  };
}

function renewHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const token = nonEmpty(fields.string('token'));
    if (token === undefined) throw invalid('missing token ID');
    return renewResponse(store, token, fields);
  };
}

function renewSelfHandler(store: TokenStore): PathHandler {
  return async (request, fields) => renewResponse(store, callerOf(request).id, fields);
}

function renewAccessorHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => renewed(store, await byAccessor(store, fields), '', fields);
}

async function renewResponse(store: TokenStore, token: string, fields: FieldData): Promise<LogicalResponse> {
  const stored = await store.find(token);
  if (stored === undefined) throw invalid('token not found');
  return renewed(store, stored, token, fields);
}

async function renewed(store: TokenStore, stored: StoredToken, clientToken: string, fields: FieldData): Promise<LogicalResponse> {
  const result = await store.renew(stored, fields.durationSeconds('increment') ?? 0);
  return withWarnings({ data: null, auth: authBlock(clientToken, result.entry, result.ttl) }, result.warnings);
}

function revokeHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const token = nonEmpty(fields.string('token'));
    if (token === undefined) throw invalid('missing token ID');
    const stored = await store.find(token);
    if (stored !== undefined) await store.revokeTree(stored);
    return undefined;
  };
}

function revokeSelfHandler(store: TokenStore): PathHandler {
  return async (request) => {
    await store.revoke(callerOf(request).id);
    return undefined;
  };
}

function revokeAccessorHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const accessor = nonEmpty(fields.string('accessor'));
    if (accessor === undefined) throw invalid('missing accessor');
    const stored = await store.findByAccessor(accessor);
    if (stored === undefined) return { warnings: ['No token found with this accessor'] };
    await store.revokeTree(stored);
    return undefined;
  };
}

function revokeOrphanHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const token = nonEmpty(fields.string('token'));
    if (token === undefined) throw invalid('missing token ID');
    const stored = await store.find(token);
    if (stored === undefined) throw invalid('token to revoke not found');
    await store.revokeOrphan(stored);
    return undefined;
  };
}

/** Vault starts tidy in the background and answers 202; here it has finished when the 202 goes out. */
function tidyHandler(store: TokenStore): PathHandler {
  return async () => {
    await store.tidy();
    return {
      warnings: ["Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."],
      status: 202,
    };
  };
}

function roleReadHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    const role = await store.roles.get(roleName(fields));
    return role === undefined ? undefined : { data: roleData(role) };
  };
}

function roleWriteHandler(store: TokenStore): PathHandler {
  return async (request, fields) => {
    const name = roleName(fields);
    const current = (await store.roles.get(name)) ?? emptyRole(name);
    const { role, warnings } = applyRoleWrite(current, fields, store.ttlLimits(request.mount).maxTtl);
    await store.roles.put(role);
    return warnings.length > 0 ? { warnings } : undefined;
  };
}

function roleDeleteHandler(store: TokenStore): PathHandler {
  return async (_request, fields) => {
    await store.roles.delete(roleName(fields));
    return undefined;
  };
}

async function byAccessor(store: TokenStore, fields: FieldData): Promise<StoredToken> {
  const accessor = nonEmpty(fields.string('accessor'));
  if (accessor === undefined) throw invalid('missing accessor');
  const stored = await store.findByAccessor(accessor);
  if (stored === undefined) throw invalid('invalid accessor');
  return stored;
}

async function missingPolicyWarnings(policies: readonly string[], policyExists: PolicyExists): Promise<string[]> {
  const warnings: string[] = [];
  for (const policy of policies) {
    // root is built in and never stored.
    if (policy !== 'root' && !(await policyExists(policy))) warnings.push(`Policy "${policy}" does not exist`);
  }
  return warnings;
}

function withWarnings(response: LogicalResponse, warnings: readonly string[]): LogicalResponse {
  return warnings.length > 0 ? { ...response, warnings } : response;
}

function callerOf(request: BackendRequest): CallerToken {
  if (request.caller === undefined) throw new SealboxError('permission_denied', 'permission denied');
  return request.caller;
}

function roleName(fields: FieldData): string {
  return fields.string('role_name') ?? '';
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}
