import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { errorResponse } from '../../../../src/lib/http-status.ts';
import { createLogger } from '../../../../src/lib/logger.ts';
import { tokenBackendFactory } from '../../../../src/server/auth/token/token-backend.ts';
import { TokenStore } from '../../../../src/server/auth/token/token-store.ts';
import { AesGcmBarrier } from '../../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../../src/server/barrier/aes-gcm.ts';
import { RequestPipeline } from '../../../../src/server/core/request-pipeline.ts';
import type { LogicalResponse } from '../../../../src/server/logical/logical-response.ts';
import type { Operation } from '../../../../src/server/logical/operation.ts';
import type { Acl } from '../../../../src/server/policy/acl.ts';
import type { MountConfig, MountEntry } from '../../../../src/server/router/mount-entry.ts';
import { storagePrefix } from '../../../../src/server/router/mount-entry.ts';
import { Router } from '../../../../src/server/router/router.ts';
import { InmemBackend } from '../../../../src/server/storage/inmem/inmem-backend.ts';

/**
 * The ACL is not under test here: every token may do everything, so the token store's own rules
 * show; it records which requests the pipeline asked sudo for.
 */
function allowAll(sudoChecks: SudoCheck[]): Acl {
  return {
    allows: (path, _operation, needsSudo) => {
      sudoChecks.push({ path, needsSudo });
      return true;
    },
    capabilities: () => ['root'],
    grantsAnythingUnder: () => true,
  };
}

export interface SudoCheck {
  readonly path: string;
  readonly needsSudo: boolean;
}

export const START_MS = Date.UTC(2024, 4, 1, 10, 0, 0, 250);

export interface TokenHarness {
  readonly physical: InmemBackend;
  readonly barrier: AesGcmBarrier;
  readonly store: TokenStore;
  readonly clock: { ms: number };
  readonly rootToken: string;
  /** Accessors passed to onRevoke, in order. */
  readonly revokedAccessors: string[];
  /** Every ACL check of the pipeline, with whether the path needed sudo. */
  readonly sudoChecks: SudoCheck[];
  /** A request through the real pipeline (token lookup, use counting, dispatch) to auth/token/<path>. */
  call(token: string, operation: Operation, path: string, data?: Record<string, unknown>): Promise<LogicalResponse | undefined>;
  /** auth/token/create (or another create path) as `token`, returning the new token. */
  createToken(token: string, data?: Record<string, unknown>, path?: string): Promise<string>;
  advance(seconds: number): void;
  /** Every key and value the physical storage holds. */
  dump(): Promise<Buffer>;
  physicalKeys(): Promise<string[]>;
}

export interface HarnessOptions {
  /** Policies policyExists() reports; default and root-free names used by tests. */
  readonly existingPolicies?: readonly string[];
  readonly mountConfig?: Partial<MountConfig>;
}

export function tokenMount(config: Partial<MountConfig> = {}): MountEntry {
  return {
    table: 'auth',
    path: 'auth/token/',
    type: 'token',
    description: 'token based credentials',
    uuid: randomUUID(),
    accessor: 'auth_token_0000',
    config: { default_lease_ttl: 0, max_lease_ttl: 0, force_no_cache: false, ...config },
    options: null,
    local: false,
    sealWrap: false,
  };
}

/** The token store and its backend over a real unsealed AES-GCM barrier on the in-memory backend. */
export async function tokenHarness(options: HarnessOptions = {}): Promise<TokenHarness> {
  const physical = new InmemBackend();
  const barrier = new AesGcmBarrier(physical);
  const rootKey = generateKey();
  await barrier.initialize(Buffer.from(rootKey));
  await barrier.unseal(Buffer.from(rootKey));
  const clock = { ms: START_MS };
  const store = new TokenStore(barrier.view('sys/token/'), () => clock.ms);
  const revokedAccessors: string[] = [];
  store.onRevoke(async (accessor) => {
    revokedAccessors.push(accessor);
  });
  const existing = new Set(options.existingPolicies ?? ['default']);
  const mount = tokenMount(options.mountConfig);
  const backend = await tokenBackendFactory(store, async (name) => existing.has(name))({
    mount,
    storage: barrier.view(storagePrefix(mount)),
    logger: createLogger({ level: 'silent' }),
    now: () => new Date(clock.ms),
  });
  const router = new Router();
  router.mount(mount, backend);
  const sudoChecks: SudoCheck[] = [];
  const acl = allowAll(sudoChecks);
  const pipeline = new RequestPipeline({ router, storage: barrier, tokens: store, policies: { aclFor: async () => acl } });
  const { token: rootToken } = await store.createRootToken();

  const call = async (token: string, operation: Operation, path: string, data: Record<string, unknown> = {}) => {
    const { response } = await pipeline.handle({
      id: randomUUID(),
      operation,
      path: `auth/token/${path}`,
      data,
      clientToken: token,
      remoteAddress: '127.0.0.1',
      remotePort: 50000,
    });
    return response;
  };

  const createToken = async (token: string, data: Record<string, unknown> = {}, path = 'create') => {
    const response = await call(token, 'update', path, data);
    const issued = response?.auth?.client_token;
    if (issued === undefined) throw new Error('create returned no token');
    return issued;
  };

  const physicalKeys = async (prefix = ''): Promise<string[]> => {
    const keys: string[] = [];
    for (const name of await physical.list(prefix)) {
      if (name.endsWith('/')) keys.push(...(await physicalKeys(prefix + name)));
      else keys.push(prefix + name);
    }
    return keys;
  };

  const dump = async () => {
    const parts: Buffer[] = [];
    for (const key of await physicalKeys()) parts.push(Buffer.from(key), Buffer.from((await physical.get(key)) ?? []));
    return Buffer.concat(parts);
  };

  return {
    physical,
    barrier,
    store,
    clock,
    rootToken,
    revokedAccessors,
    sudoChecks,
    call,
    createToken,
    advance: (seconds) => {
      clock.ms += seconds * 1000;
    },
    dump,
    physicalKeys: () => physicalKeys(),
  };
}

/** Asserts that `promise` fails as a client would see it: HTTP status and message. */
export async function rejectsWith(t: ExecutionContext, promise: Promise<unknown>, status: number, message: string | RegExp): Promise<void> {
  const error = await t.throwsAsync(promise);
  const rendered = errorResponse(error);
  t.is(rendered.status, status);
  if (typeof message === 'string') t.is(rendered.errors[0], message);
  else t.regex(rendered.errors[0] ?? '', message);
}
