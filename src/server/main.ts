import { readFile } from 'node:fs/promises';
import { SealboxError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { createLogger } from '../lib/logger.ts';
import { AesGcmBarrier } from './barrier/aes-gcm-barrier.ts';
import { splitHostPort } from './config/host-port.ts';
import type { ListenerConfig, ServerConfig } from './config/server-config.ts';
import { Core } from './core/core.ts';
import { ShamirSeal } from './core/shamir-seal.ts';
import { createApp } from './http/app.ts';
import type { RunningListener } from './http/listener.ts';
import { startListener } from './http/listener.ts';
import { createStorage } from './storage/create-storage.ts';
import { BUILD_INFO } from './version.ts';
import { authMethodFactories } from './auth/registry.ts';
import { secretEngineFactories } from './engines/registry.ts';

export interface RunningServer {
  readonly core: Core;
  readonly listeners: readonly RunningListener[];
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** The composition root: config -> storage -> barrier -> core -> HTTP. */
export async function startServer(config: ServerConfig, logger = createLogger({ level: config.logLevel })): Promise<RunningServer> {
  logMemoryLocking(config, logger);
  const storage = await createStorage(config.storage, logger);
  const barrier = new AesGcmBarrier(storage);
  const core = new Core({
    barrier,
    seal: new ShamirSeal(storage),
    storageType: storage.type,
    build: BUILD_INFO,
    logger,
    factories: new Map([...secretEngineFactories(), ...authMethodFactories()]),
    ...(config.clusterName === undefined ? {} : { clusterName: config.clusterName }),
  });
  const listeners: RunningListener[] = [];
  const stop = async () => {
    await Promise.allSettled(listeners.map((listener) => listener.close()));
    await core.shutdown();
    await storage.close();
  };
  try {
    for (const listenerConfig of config.listeners) {
      listeners.push(await listen(listenerConfig, core, logger));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { core, listeners, logger, stop };
}

async function listen(config: ListenerConfig, core: Core, logger: Logger): Promise<RunningListener> {
  const app = createApp({ core, logger, maxRequestSize: config.maxRequestSize });
  const address = splitHostPort(config.address);
  if (address === undefined) throw new SealboxError('config_invalid', `invalid listen address "${config.address}": expected host:port`);
  const { host, port } = address;
  const tls = config.tlsDisable ? undefined : await readTls(config);
  const listener = await startListener({
    host,
    port,
    handler: app.callback(),
    requestTimeoutMs: config.maxRequestDurationMs,
    ...(tls === undefined ? {} : { tls }),
  });
  logger.info('listening', { address: listener.url, tls: tls !== undefined });
  return listener;
}

async function readTls(config: ListenerConfig): Promise<{ cert: Buffer; key: Buffer }> {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
    throw new Error('tls_cert_file and tls_key_file are required unless tls_disable is set');
  }
  return { cert: await readFile(config.tlsCertFile), key: await readFile(config.tlsKeyFile) };
}

/** Vault locks its memory with mlock(2); Node cannot, so say what that means instead of pretending. */
function logMemoryLocking(config: ServerConfig, logger: Logger): void {
  const advice =
    'Node.js cannot lock process memory (mlock), so key material in memory could be swapped to disk; ' +
    'disable swap or use encrypted swap on hosts that run Sealbox';
  if (config.disableMlock) logger.info(`disable_mlock is set: ${advice}`);
  else logger.warn(`memory locking is unavailable: ${advice}`);
}
