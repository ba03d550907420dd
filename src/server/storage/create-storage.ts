import type { Logger } from '../../lib/logger.ts';
import type { StorageConfig } from '../config/server-config.ts';
import { FileBackend } from './file/file-backend.ts';
import { InmemBackend } from './inmem/inmem-backend.ts';
import type { PhysicalBackend, Transactional } from './physical-backend.ts';

/** Every mechanism is transactional: the barrier writes the keyring and multi-key entries atomically. */
export type Storage = PhysicalBackend & Transactional;

type StorageFactory<T extends StorageConfig['type']> = (
  config: Extract<StorageConfig, { type: T }>,
  logger: Logger | undefined,
) => Promise<Storage>;

type StorageFactories = { readonly [T in StorageConfig['type']]: StorageFactory<T> };

const FACTORIES: StorageFactories = {
  inmem: async () => new InmemBackend(),
  file: (config, logger) => FileBackend.open(config.path, withLogger(logger, 'file')),
  // Loaded only for etcd: the gRPC client and its protobuf definitions take a tenth of a second to load.
  etcd: async (config, logger) => (await import('./etcd/etcd-backend.ts')).EtcdBackend.create(config, withLogger(logger, 'etcd')),
};

/** The backend for the configured storage mechanism. */
export function createStorage(config: StorageConfig, logger?: Logger): Promise<Storage> {
  const factory = FACTORIES[config.type] as StorageFactory<typeof config.type>;
  return factory(config, logger);
}

function withLogger(logger: Logger | undefined, storage: string): { logger?: Logger } {
  return logger === undefined ? {} : { logger: logger.child({ storage }) };
}
