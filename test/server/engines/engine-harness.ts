import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { errorResponse } from '../../../src/lib/http-status.ts';
import { createLogger } from '../../../src/lib/logger.ts';
import type { TokenEntry } from '../../../src/server/auth/token/token-entry.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import type { StorageView } from '../../../src/server/barrier/storage-view.ts';
import type { BackendFactory, LogicalBackend } from '../../../src/server/logical/logical-backend.ts';
import type { BackendRequest, CallerToken } from '../../../src/server/logical/logical-request.ts';
import type { LogicalResponse } from '../../../src/server/logical/logical-response.ts';
import type { Operation } from '../../../src/server/logical/operation.ts';
import { WRITE_OPERATIONS } from '../../../src/server/logical/operation.ts';
import type { MountEntry } from '../../../src/server/router/mount-entry.ts';
import { storagePrefix } from '../../../src/server/router/mount-entry.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';
import type { TxnCondition, TxnOperation } from '../../../src/server/storage/physical-backend.ts';

/** The real in-memory backend, counting the writes that reach it. */
export class CountingBackend extends InmemBackend {
  transactions = 0;
  puts = 0;

  override async put(key: string, value: Uint8Array): Promise<void> {
    this.puts += 1;
    return super.put(key, value);
  }

  override async transaction(operations: readonly TxnOperation[], conditions?: readonly TxnCondition[]): Promise<boolean> {
    this.transactions += 1;
    return super.transaction(operations, conditions);
  }

  resetCounts(): void {
    this.transactions = 0;
    this.puts = 0;
  }

  /** Every key and value, as an attacker with the storage would see them. */
  async dump(prefix = ''): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (const name of await this.list(prefix)) {
      if (name.endsWith('/')) parts.push(await this.dump(prefix + name));
      else parts.push(Buffer.from(prefix + name), Buffer.from((await this.get(prefix + name)) ?? []));
    }
    return Buffer.concat(parts);
  }
}

/** A clock the test moves by hand. */
export class ManualClock {
  ms = Date.UTC(2024, 4, 1, 10, 0, 0, 123);

  now = (): Date => new Date(this.ms);

  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

export interface MountedEngine {
  readonly physical: CountingBackend;
  readonly storage: StorageView;
  readonly mount: MountEntry;
  readonly backend: LogicalBackend;
  readonly clock: ManualClock;
  /** A request as the pipeline would send it, with create/update told apart by the existence check. */
  call(operation: Operation, path: string, data?: Record<string, unknown>, caller?: CallerToken): Promise<LogicalResponse | undefined>;
  request(operation: Operation, path: string, data?: Record<string, unknown>, caller?: CallerToken): BackendRequest;
}

export interface MountOptions {
  readonly type: string;
  readonly path?: string;
  readonly options?: Record<string, string>;
  readonly defaultLeaseTtl?: number;
}

/** An engine mounted over a real, unsealed AES-GCM barrier on the in-memory backend. */
export async function mountEngine(factory: BackendFactory, options: MountOptions): Promise<MountedEngine> {
  const physical = new CountingBackend();
  const barrier = new AesGcmBarrier(physical);
  const rootKey = generateKey();
  await barrier.initialize(Buffer.from(rootKey));
  await barrier.unseal(Buffer.from(rootKey));
  const mount: MountEntry = {
    table: 'mounts',
    path: options.path ?? 'secret/',
    type: options.type,
    description: '',
    uuid: randomUUID(),
    accessor: `${options.type}_0000`,
    config: { default_lease_ttl: options.defaultLeaseTtl ?? 0, max_lease_ttl: 0, force_no_cache: false },
    options: options.options ?? null,
    local: false,
    sealWrap: false,
  };
  const storage = barrier.view(storagePrefix(mount));
  const clock = new ManualClock();
  const backend = await factory({ mount, storage, logger: createLogger({ level: 'silent' }), now: clock.now });
  physical.resetCounts();

  const request = (operation: Operation, path: string, data: Record<string, unknown> = {}, caller?: CallerToken): BackendRequest => ({
    id: randomUUID(),
    operation,
    path: mount.path + path,
    data,
    clientToken: caller?.id ?? '',
    remoteAddress: '127.0.0.1',
    remotePort: 50000,
    relativePath: path,
    mount,
    storage,
    ...(caller === undefined ? {} : { caller }),
  });

  const call = async (operation: Operation, path: string, data?: Record<string, unknown>, caller?: CallerToken) => {
    let built = request(operation, path, data, caller);
    if (WRITE_OPERATIONS.has(operation)) {
      const exists = await backend.exists(built);
      built = { ...built, operation: exists === false ? 'create' : 'update' };
    }
    return backend.handle(built);
  };

  return { physical, storage, mount, backend, clock, call, request };
}

/** A caller holding a token with `accessor`. */
export function callerWith(accessor: string): CallerToken {
  const entry: TokenEntry = {
    accessor,
    policies: ['default'],
    path: 'auth/token/create',
    displayName: 'token',
    meta: null,
    creationTime: Date.UTC(2024, 0, 1),
    ttl: 0,
    explicitMaxTtl: 0,
    period: 0,
    numUses: 0,
    orphan: false,
    renewable: true,
    type: 'service',
  };
  return { id: `hvs.token-of-${accessor}`, entry };
}

/** Asserts that `promise` fails as a client would see it: HTTP status and message. */
export async function rejectsWith(t: ExecutionContext, promise: Promise<unknown>, status: number, message: string | RegExp): Promise<void> {
  const error = await t.throwsAsync(promise);
  const rendered = errorResponse(error);
  t.is(rendered.status, status);
  if (typeof message === 'string') t.is(rendered.errors[0], message);
  else t.regex(rendered.errors[0] ?? '', message);
}
