import { addressAllowed } from '../../lib/cidr.ts';
import { SealboxError } from '../../lib/errors.ts';
import { errorResponse } from '../../lib/http-status.ts';
import type { RequestAuditor } from '../audit/audit-broker.ts';
import type { AuditInput } from '../audit/audit-input.ts';
import type { TokenEntry } from '../auth/token/token-entry.ts';
import type { LogicalBackend } from '../logical/logical-backend.ts';
import type { BackendRequest, CallerToken, LogicalRequest } from '../logical/logical-request.ts';
import type { AuthBlock, LoginGrant, LogicalResponse } from '../logical/logical-response.ts';
import { WRITE_OPERATIONS } from '../logical/operation.ts';
import { matchesPathList } from '../logical/path-patterns.ts';
import type { Acl } from '../policy/acl.ts';
import type { MountEntry } from '../router/mount-entry.ts';
import type { RouteMatch, Router } from '../router/router.ts';
import { StorageView } from '../barrier/storage-view.ts';
import { storagePrefix } from '../router/mount-entry.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import type { RequestLimiter } from '../quota/quota-manager.ts';

/** What the pipeline needs of the token store. */
export interface TokenAuthority {
  /** The live entry of `token`, or undefined when unknown, revoked or expired. */
  lookup(token: string): Promise<TokenEntry | undefined>;
  /**
   * Counts one use of a use-limited token before the request runs; returns the entry to use and
   * whether this was its last use (the token is then revoked once the request is done).
   */
  use(token: string, entry: TokenEntry): Promise<{ entry: TokenEntry; lastUse: boolean }>;
  revoke(token: string): Promise<void>;
  /** Creates the orphan token of a successful login. */
  issueLoginToken(grant: LoginGrant, mount: MountEntry): Promise<AuthBlock>;
}

/** What the pipeline needs of the policy store. */
export interface PolicyAuthority {
  aclFor(policies: readonly string[]): Promise<Acl>;
}

export interface PipelineResult {
  readonly response: LogicalResponse | undefined;
  readonly mount: MountEntry;
}

export interface RequestPipelineOptions {
  readonly router: Router;
  readonly storage: SecureStorage;
  readonly tokens: TokenAuthority;
  readonly policies: PolicyAuthority;
  /** Records every request before it runs and every response after; absent, nothing is audited. */
  readonly audit?: RequestAuditor;
  /** Rate limit quotas, checked before anything else, as Vault checks them before the request is built. */
  readonly quotas?: RequestLimiter;
}

/** Routing, authentication, existence check, ACL, audit and dispatch: steps 4 to 10 and 13 of Vault's request flow. */
export class RequestPipeline {
  readonly #options: RequestPipelineOptions;

  constructor(options: RequestPipelineOptions) {
    this.#options = options;
  }

  async handle(request: LogicalRequest): Promise<PipelineResult> {
    const route = this.#options.router.match(request.path);
    await this.#limit(request, route?.mount.path ?? '');
    if (route === undefined) return this.#unrouted(request);
    const { authorized, audit } = await this.#admit(request, route);
    // Fail closed: nothing below runs, not even a use of the token, unless a device recorded the request.
    await this.#options.audit?.logRequest(audit);
    return { response: await this.#dispatch(authorized, route, audit), mount: route.mount };
  }

  /** A request over its quota is refused before authentication; audited only if the quota config asks. */
  async #limit(request: LogicalRequest, mountPath: string): Promise<void> {
    const quotas = this.#options.quotas;
    try {
      quotas?.enforce({ path: request.path, mountPath, clientAddress: request.remoteAddress });
    } catch (error) {
      if (quotas?.auditsRejections === true) {
        await this.#options.audit?.logRequest({ request, error: clientMessage(error) }).catch(() => undefined);
      }
      throw error;
    }
  }

  /** Authentication, existence check and ACL; a refusal is audited with its error. */
  async #admit(request: LogicalRequest, route: RouteMatch): Promise<{ authorized: BackendRequest; audit: AuditInput }> {
    const { backend, mount, relativePath } = route;
    const unauthenticated = matchesPathList(relativePath, backend.unauthenticatedPaths);
    let audit: AuditInput = { request, mount };
    try {
      const caller = await this.#caller(request, unauthenticated);
      if (caller !== undefined) audit = { ...audit, caller: { token: caller.id, entry: caller.entry } };
      const base: BackendRequest = {
        ...request,
        relativePath,
        mount,
        storage: new StorageView(this.#options.storage, storagePrefix(mount)),
        ...(caller === undefined ? {} : { caller }),
      };
      const authorized = await withExistence(base, backend);
      audit = { ...audit, request: { ...request, operation: authorized.operation } };
      if (!unauthenticated) {
        audit = { ...audit, allowed: false };
        await this.#authorize(authorized, matchesPathList(relativePath, backend.rootPaths));
        audit = { ...audit, allowed: true };
      }
      return { authorized, audit };
    } catch (error) {
      // As Vault: the refusal is logged with its error, and a device failure does not change the answer.
      await this.#options.audit?.logRequest({ ...audit, error: clientMessage(error) }).catch(() => undefined);
      throw error;
    }
  }

  /** Counts the token's use, runs the backend and audits the response, failure or not. */
  async #dispatch(request: BackendRequest, route: RouteMatch, audit: AuditInput): Promise<LogicalResponse | undefined> {
    const caller = request.caller;
    const use = caller === undefined ? undefined : await this.#options.tokens.use(caller.id, caller.entry);
    const authorized = use === undefined || caller === undefined ? request : { ...request, caller: { id: caller.id, entry: use.entry } };
    let response: LogicalResponse | undefined;
    try {
      response = await this.#completeLogin(await route.backend.handle(authorized), route.mount);
    } catch (error) {
      await this.#options.audit?.logResponse({ ...audit, error: clientMessage(error) });
      throw error;
    } finally {
      if (use?.lastUse === true && caller !== undefined) await this.#options.tokens.revoke(caller.id);
    }
    await this.#options.audit?.logResponse({ ...audit, ...(response === undefined ? {} : { response }) });
    return response;
  }

  /** The ACL of `token`, for sys/capabilities and the KV preflight; throws 403 for a bad token. */
  async aclOf(token: string): Promise<Acl> {
    const entry = token === '' ? undefined : await this.#options.tokens.lookup(token);
    if (entry === undefined) throw permissionDenied();
    return this.#options.policies.aclFor(entry.policies);
  }

  /**
   * For the raw sys handlers that act on the node itself (sys/seal, sys/step-down): audits the
   * request first, as Vault does, then requires sudo on its path.
   */
  async admitNodeOperation(request: LogicalRequest): Promise<void> {
    const caller = await this.#caller(request, true);
    await this.#options.audit?.logRequest(unroutedAudit(request, caller));
    if (caller === undefined) throw permissionDenied();
    const acl = await this.#options.policies.aclFor(caller.entry.policies);
    if (!acl.allows(request.path, request.operation, true)) throw permissionDenied();
  }

  /** A path no mount serves is still audited, with the caller's token if it is a valid one. */
  async #unrouted(request: LogicalRequest): Promise<never> {
    const error = new SealboxError('unsupported_path', `no handler for route "${request.path}". route entry not found.`);
    const caller = await this.#caller(request, true);
    const audit = unroutedAudit(request, caller);
    await this.#options.audit?.logRequest(audit);
    await this.#options.audit?.logResponse({ ...audit, error: clientMessage(error) });
    throw error;
  }

  async #caller(request: LogicalRequest, optional: boolean): Promise<CallerToken | undefined> {
    const token = request.clientToken;
    if (token === '') {
      if (optional) return undefined;
      throw permissionDenied();
    }
    const entry = await this.#options.tokens.lookup(token);
    if (entry !== undefined && boundCidrsAllow(entry, request.remoteAddress)) return { id: token, entry };
    if (optional) return undefined;
    // Vault renders both reasons as one multierror string; tools grep for "permission denied".
    throw new SealboxError('permission_denied', '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n');
  }

  async #authorize(request: BackendRequest, needsSudo: boolean): Promise<void> {
    const caller = request.caller;
    if (caller === undefined) throw permissionDenied();
    const acl = await this.#options.policies.aclFor(caller.entry.policies);
    if (!acl.allows(request.path, request.operation, needsSudo, request.data)) throw permissionDenied();
  }

  async #completeLogin(response: LogicalResponse | undefined, mount: MountEntry): Promise<LogicalResponse | undefined> {
    if (response?.login === undefined) return response;
    const { login, ...rest } = response;
    return { ...rest, auth: await this.#options.tokens.issueLoginToken(login, mount) };
  }
}

/** A token bound to CIDRs works only from them; Vault exempts non-expiring root tokens. */
function boundCidrsAllow(entry: TokenEntry, remoteAddress: string): boolean {
  const cidrs = entry.boundCidrs ?? [];
  if (cidrs.length === 0 || (entry.ttl === 0 && entry.policies.includes('root'))) return true;
  return addressAllowed(remoteAddress, cidrs);
}

/** Create or update, by the backend's existence check; without one every write is an update. */
async function withExistence(request: BackendRequest, backend: LogicalBackend): Promise<BackendRequest> {
  if (!WRITE_OPERATIONS.has(request.operation)) return request;
  const exists = await backend.exists(request);
  return { ...request, operation: exists === false ? 'create' : 'update' };
}

/** What the client is told, never internal detail: audit entries carry the same text. */
function clientMessage(error: unknown): string {
  return errorResponse(error).errors.join(', ');
}

function permissionDenied(): SealboxError {
  return new SealboxError('permission_denied', 'permission denied');
}

/** The audit input of a request outside any mount, with its caller when the token is valid. */
function unroutedAudit(request: LogicalRequest, caller: CallerToken | undefined): AuditInput {
  return { request, ...(caller === undefined ? {} : { caller: { token: caller.id, entry: caller.entry } }) };
}
