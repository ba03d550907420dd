import { randomBytes } from 'node:crypto';
import { describeError, SealboxError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { uuid } from '../../lib/random-id.ts';
import { SerialQueue } from '../../lib/serial-queue.ts';
import type { SecureStorage } from '../barrier/secure-storage.ts';
import { deleteTree, getJson, putJson } from '../barrier/secure-storage.ts';
import { StorageView } from '../barrier/storage-view.ts';
import type { AuditBroker } from './audit-broker.ts';
import type { AuditDevice } from './audit-device.ts';
import { deviceSalt } from './audit-salt.ts';
import { commonOptions } from './device-options.ts';
import { JsonAuditDevice } from './json-audit-device.ts';
import type { DeviceEnvironment, LineWriterFactory } from './line-writer.ts';

/** One enabled device in the persisted audit table. */
export interface AuditTableEntry {
  /** `file/`: always ends with a slash. */
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly options: Readonly<Record<string, string>>;
  readonly local: boolean;
  /** Names the device's barrier view, `audit/<uuid>/`, which holds its salt. */
  readonly uuid: string;
  readonly accessor: string;
}

interface AuditTable {
  readonly type: 'audit';
  readonly entries: readonly AuditTableEntry[];
}

export interface EnableAuditRequest {
  readonly path: string;
  readonly type: string;
  readonly description: string;
  readonly options: Readonly<Record<string, string>>;
  readonly local: boolean;
}

export interface AuditManagerOptions {
  /** Secure storage from its root: the table lives at core/audit, device views at audit/<uuid>/. */
  readonly storage: SecureStorage;
  readonly broker: AuditBroker;
  readonly types: ReadonlyMap<string, LineWriterFactory>;
  readonly environment: DeviceEnvironment;
  readonly logger: Logger;
  readonly now: () => Date;
}

const TABLE_KEY = 'core/audit';

/** The persisted audit table and the devices it puts into the broker. */
export class AuditManager {
  readonly #options: AuditManagerOptions;
  readonly #queue = new SerialQueue();
  #entries: readonly AuditTableEntry[] = [];

  constructor(options: AuditManagerOptions) {
    this.#options = options;
  }

  /**
   * Starts the devices of the stored table. A device that cannot start is logged and left out; if
   * none can, the unseal fails, as in Vault, rather than run unaudited.
   */
  async load(): Promise<void> {
    const entries = (await getJson<AuditTable>(this.#options.storage, TABLE_KEY))?.entries ?? [];
    let started = 0;
    for (const entry of entries) {
      try {
        this.#options.broker.register(await this.#openDevice(entry));
        started++;
      } catch (error) {
        this.#options.logger.error('could not start audit device', { path: entry.path, type: entry.type, error: describeError(error) });
      }
    }
    this.#entries = entries;
    if (entries.length > 0 && started === 0) throw new SealboxError('internal', 'failed to setup audit table');
  }

  entries(): readonly AuditTableEntry[] {
    return this.#entries;
  }

  /** Writes the test message first (unless skip_test), so a destination that does not work is refused. */
  enable(request: EnableAuditRequest): Promise<void> {
    return this.#queue.run(async () => {
      const path = normalizePath(request.path);
      if (this.#entries.some((entry) => entry.path.startsWith(path) || path.startsWith(entry.path))) throw invalid('path already in use');
      if (!this.#options.types.has(request.type)) throw invalid(`unknown backend type: "${request.type}"`);
      const entry: AuditTableEntry = {
        path,
        type: request.type,
        description: request.description,
        options: request.options,
        local: request.local,
        uuid: uuid(),
        accessor: `audit_${request.type}_${randomBytes(4).toString('hex')}`,
      };
      const { skipTest } = commonOptions(entry.options);
      let device: AuditDevice | undefined;
      try {
        device = await this.#openDevice(entry);
        if (!skipTest) await testDevice(device);
        await this.#persist([...this.#entries, entry]);
      } catch (error) {
        await device?.close().catch(() => undefined);
        await deleteTree(this.#view(entry));
        throw error;
      }
      this.#options.broker.register(device);
      this.#options.logger.info('enabled audit device', { path, type: entry.type });
    });
  }

  /** Disabling a path with no device is not an error, as in Vault. */
  disable(userPath: string): Promise<void> {
    return this.#queue.run(async () => {
      const path = normalizePath(userPath);
      const entry = this.#entries.find((candidate) => candidate.path === path);
      if (entry === undefined) return;
      await this.#persist(this.#entries.filter((candidate) => candidate !== entry));
      const device = this.#options.broker.deregister(path);
      await device?.close().catch((error: unknown) => this.#options.logger.warn('could not close audit device', { path, error: describeError(error) }));
      await deleteTree(this.#view(entry));
      this.#options.logger.info('disabled audit device', { path });
    });
  }

  /** sys/audit-hash: the value as the device at `path` would log it. */
  hash(userPath: string, input: string): string {
    return this.#device(userPath).hash(input);
  }

  chainKey(userPath: string): string {
    return this.#device(userPath).chainKey();
  }

  /** SIGHUP: every device reopens its destination; one that cannot is logged and keeps trying on writes. */
  async reopen(): Promise<void> {
    await Promise.all(
      this.#options.broker.devices().map((device) =>
        device.reopen().catch((error: unknown) => this.#options.logger.error('could not reopen audit device', { path: device.path, error: describeError(error) })),
      ),
    );
    this.#options.logger.info('reopened audit devices');
  }

  /** On seal: lines already logged are flushed, destinations closed. */
  async close(): Promise<void> {
    const devices = this.#options.broker.devices();
    for (const device of devices) this.#options.broker.deregister(device.path);
    await Promise.allSettled(devices.map((device) => device.close()));
  }

  #device(userPath: string): AuditDevice {
    const path = normalizePath(userPath);
    const device = this.#options.broker.device(path);
    if (device === undefined) throw invalid(`unknown audit backend ${path}`);
    return device;
  }

  async #openDevice(entry: AuditTableEntry): Promise<AuditDevice> {
    const factory = this.#options.types.get(entry.type);
    if (factory === undefined) throw invalid(`unknown backend type: "${entry.type}"`);
    const { format, prefix } = commonOptions(entry.options);
    const salt = await deviceSalt(this.#view(entry));
    const writer = await factory(entry.options, this.#options.environment);
    try {
      return await JsonAuditDevice.open({ path: entry.path, salt, format, prefix, writer, now: this.#options.now });
    } catch (error) {
      await writer.close().catch(() => undefined);
      throw error;
    }
  }

  async #persist(entries: readonly AuditTableEntry[]): Promise<void> {
    const table: AuditTable = { type: 'audit', entries };
    await putJson(this.#options.storage, TABLE_KEY, table);
    this.#entries = entries;
  }

  #view(entry: AuditTableEntry): StorageView {
    return new StorageView(this.#options.storage, `audit/${entry.uuid}/`);
  }
}

async function testDevice(device: AuditDevice): Promise<void> {
  try {
    await device.logTestMessage();
  } catch (error) {
    throw invalid(`audit backend failed test message: ${messageOf(error)}`);
  }
}

function normalizePath(path: string): string {
  const trimmed = path.trim().replace(/^\/+/, '');
  if (trimmed === '' || trimmed === '/') throw invalid('backend path must be specified');
  return trimmed.endsWith('/') ? trimmed : `${trimmed}/`;
}

function invalid(message: string): SealboxError {
  return new SealboxError('invalid_request', message);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
