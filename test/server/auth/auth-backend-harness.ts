import { randomUUID } from 'node:crypto';
import type { LogFields, Logger } from '../../../src/lib/logger.ts';
import { AesGcmBarrier } from '../../../src/server/barrier/aes-gcm-barrier.ts';
import { generateKey } from '../../../src/server/barrier/aes-gcm.ts';
import type { BackendFactory, LogicalBackend } from '../../../src/server/logical/logical-backend.ts';
import type { BackendRequest } from '../../../src/server/logical/logical-request.ts';
import type { LogicalResponse } from '../../../src/server/logical/logical-response.ts';
import type { Operation } from '../../../src/server/logical/operation.ts';
import type { MountEntry } from '../../../src/server/router/mount-entry.ts';
import { storagePrefix } from '../../../src/server/router/mount-entry.ts';
import { InmemBackend } from '../../../src/server/storage/inmem/inmem-backend.ts';

/** A clock tests move by hand, for TTLs and expiry. */
export class TestClock {
  #ms = Date.parse('2025-01-01T00:00:00Z');

  readonly now = (): Date => new Date(this.#ms);

  advance(seconds: number): void {
    this.#ms += seconds * 1000;
  }
}

export interface LogLine {
  readonly level: string;
  readonly message: string;
  readonly fields: LogFields;
}

/** A Logger that keeps its lines, so tests can see what the server log would say. */
export class RecordingLogger implements Logger {
  readonly lines: LogLine[];

  constructor(lines: LogLine[] = []) {
    this.lines = lines;
  }

  debug(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'debug', message, fields });
  }

  info(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'info', message, fields });
  }

  warn(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'warn', message, fields });
  }

  error(message: string, fields: LogFields = {}): void {
    this.lines.push({ level: 'error', message, fields });
  }

  child(): Logger {
    return new RecordingLogger(this.lines);
  }
}

export interface MountOptions {
  /** The mount's max_lease_ttl in seconds. */
  readonly maxLeaseTtl?: number;
}

export interface CallOptions {
  readonly remoteAddress?: string;
}

/**
 * An auth backend mounted over a real, unsealed AES-GCM barrier on in-memory storage, called the
 * way the request pipeline calls it: writes go through the existence check first.
 */
export class MountedBackend {
  readonly physical: InmemBackend;
  readonly barrier: AesGcmBarrier;
  readonly mount: MountEntry;
  readonly backend: LogicalBackend;
  readonly clock: TestClock;
  readonly logger: RecordingLogger;

  private constructor(parts: {
    physical: InmemBackend;
    barrier: AesGcmBarrier;
    mount: MountEntry;
    backend: LogicalBackend;
    clock: TestClock;
    logger: RecordingLogger;
  }) {
    this.physical = parts.physical;
    this.barrier = parts.barrier;
    this.mount = parts.mount;
    this.backend = parts.backend;
    this.clock = parts.clock;
    this.logger = parts.logger;
  }

  static async create(factory: BackendFactory, type: string, options: MountOptions = {}): Promise<MountedBackend> {
    const physical = new InmemBackend();
    const barrier = new AesGcmBarrier(physical);
    const rootKey = generateKey();
    await barrier.initialize(Buffer.from(rootKey));
    await barrier.unseal(Buffer.from(rootKey));
    const mount: MountEntry = {
      table: 'auth',
      path: `auth/${type}/`,
      type,
      description: '',
      uuid: randomUUID(),
      accessor: `auth_${type}_0123abcd`,
      config: { default_lease_ttl: 0, max_lease_ttl: options.maxLeaseTtl ?? 0, force_no_cache: false },
      options: null,
      local: false,
      sealWrap: false,
    };
    const clock = new TestClock();
    const logger = new RecordingLogger();
    const backend = await factory({ mount, storage: barrier.view(storagePrefix(mount)), logger, now: clock.now });
    return new MountedBackend({ physical, barrier, mount, backend, clock, logger });
  }

  /** A create or update, decided by the backend's existence check as the pipeline does. */
  async write(path: string, data: Record<string, unknown> = {}, options: CallOptions = {}): Promise<LogicalResponse | undefined> {
    const request = this.#request('update', path, data, options);
    const exists = await this.backend.exists(request);
    return this.backend.handle({ ...request, operation: exists === false ? 'create' : 'update' });
  }

  read(path: string, data: Record<string, unknown> = {}): Promise<LogicalResponse | undefined> {
    return this.backend.handle(this.#request('read', path, data, {}));
  }

  /** A LIST; the path gets the trailing slash the HTTP layer gives list paths. */
  list(path: string): Promise<LogicalResponse | undefined> {
    return this.backend.handle(this.#request('list', path.endsWith('/') ? path : `${path}/`, {}, {}));
  }

  delete(path: string, data: Record<string, unknown> = {}): Promise<LogicalResponse | undefined> {
    return this.backend.handle(this.#request('delete', path, data, {}));
  }

  /** Every key and value the physical storage holds: what a dump of etcd would show. */
  async rawDump(): Promise<string> {
    const parts: string[] = [];
    for (const key of await allKeys(this.physical, '')) {
      parts.push(key, Buffer.from((await this.physical.get(key)) ?? []).toString('latin1'));
    }
    return parts.join('\n');
  }

  /** Every key of the mount with its decrypted value: what the backend chose to store. */
  async plaintextDump(): Promise<string> {
    const view = this.barrier.view(storagePrefix(this.mount));
    const parts: string[] = [];
    for (const key of await allKeys(view, '')) {
      parts.push(key, Buffer.from((await view.get(key)) ?? []).toString('utf8'));
    }
    return parts.join('\n');
  }

  /** The keys of the mount's view, relative to it. */
  keys(): Promise<string[]> {
    return allKeys(this.barrier.view(storagePrefix(this.mount)), '');
  }

  #request(operation: Operation, path: string, data: Record<string, unknown>, options: CallOptions): BackendRequest {
    return {
      id: randomUUID(),
      operation,
      path: this.mount.path + path,
      data,
      clientToken: '',
      remoteAddress: options.remoteAddress ?? '127.0.0.1',
      remotePort: 50000,
      relativePath: path,
      mount: this.mount,
      storage: this.barrier.view(storagePrefix(this.mount)),
    };
  }
}

async function allKeys(storage: { list(prefix: string): Promise<string[]> }, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (const name of await storage.list(prefix)) {
    if (name.endsWith('/')) keys.push(...(await allKeys(storage, prefix + name)));
    else keys.push(prefix + name);
  }
  return keys;
}
