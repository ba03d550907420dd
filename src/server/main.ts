import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Registry } from 'prom-client';
import { describeError, SealboxError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { createLogger } from '../lib/logger.ts';
import { AesGcmBarrier } from './barrier/aes-gcm-barrier.ts';
import { splitHostPort } from './config/host-port.ts';
import type { ListenerConfig, ServerConfig } from './config/server-config.ts';
import { Core } from './core/core.ts';
import { ShamirSeal } from './core/shamir-seal.ts';
import { createRequestListener } from './http/app.ts';
import { metricsApp } from './http/metrics-route.ts';
import type { ListenerTls, RunningListener } from './http/listener.ts';
import type { UiRouteOptions } from './http/ui-route.ts';
import { startListener } from './http/listener.ts';
import { instrumentBarrier } from './metrics/instrumented-barrier.ts';
import { instrumentStorage } from './metrics/instrumented-backend.ts';
import { ServerMetrics } from './metrics/server-metrics.ts';
import { createStorage } from './storage/create-storage.ts';
import { refuseWhileMigrating } from './storage/migrate-lock.ts';
import { FencedBackend } from './storage/fenced-backend.ts';
import { CachedBackend } from './storage/cached-backend.ts';
import type { HaSettings } from './core/ha/ha-node.ts';
import { haSettings } from './ha-settings.ts';
import { BUILD_INFO } from './version.ts';
import { authMethodFactories } from './auth/registry.ts';
import { secretEngineFactories } from './engines/registry.ts';

export interface RunningServer {
  readonly core: Core;
  readonly listeners: readonly RunningListener[];
  /** The separate, unauthenticated metrics listener of telemetry { metrics_address }. */
  readonly metricsListener?: RunningListener;
  readonly logger: Logger;
  stop(): Promise<void>;
}

/** What the server may use of its process; the CLI passes the real one, embedders may pass nothing. */
export interface ServerProcessHooks {
  /** SIGHUP makes audit devices reopen their files (log rotation) and TLS listeners reload their certificates. */
  readonly signals?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** For audit devices with `file_path=stdout`. */
  readonly stdout?: NodeJS.WritableStream;
  /** Where the built web UI is (`npm run build:ui`); defaults to the package's ui/dist. */
  readonly uiDistDir?: string;
}

/** The composition root: config -> storage -> barrier -> core -> HTTP. */
export async function startServer(config: ServerConfig, logger = createLogger({ level: config.logLevel }), hooks: ServerProcessHooks = {}): Promise<RunningServer> {
  logMemoryLocking(config, logger);
  const metrics = new ServerMetrics({ registry: new Registry(), retentionSeconds: config.telemetry.prometheusRetentionSeconds });
  const physical = await createStorage(config.storage, logger);
  const storage = instrumentStorage(physical, metrics.storage(physical.type));
  await refuseWhileMigrating(storage).catch(async (error: unknown) => {
    await storage.close();
    throw error;
  });
  const cache = config.disableCache === true ? undefined : CachedBackend.create(storage, { logger: logger.child({ component: 'storage-cache' }) });
  const fenced = new FencedBackend(cache ?? storage);
  const barrier = instrumentBarrier(new AesGcmBarrier(fenced, { storageCached: cache !== undefined }), metrics.barrier());
  const listeners: RunningListener[] = [];
  const ha = withCacheRole(haSettings(config, storage, fenced, listeners), cache);
  const core = new Core({
    barrier,
    seal: new ShamirSeal(fenced),
    storageType: storage.type,
    build: BUILD_INFO,
    logger,
    factories: new Map([...secretEngineFactories(), ...authMethodFactories()]),
    ...(config.clusterName === undefined ? {} : { clusterName: config.clusterName }),
    ...(ha === undefined ? {} : { ha }),
    ...(hooks.stdout === undefined ? {} : { auditEnvironment: { stdout: hooks.stdout } }),
    telemetry: metrics,
  });
  metrics.observeNode(core);
  const ui = await uiOptions(config, hooks, logger);
  let metricsListener: RunningListener | undefined;
  const onHangup = () => {
    logger.info('SIGHUP received: reopening audit devices and reloading listener certificates');
    core.reopenAuditDevices().catch((error: unknown) => logger.error('could not reopen audit devices', { error: describeError(error) }));
    void reloadCertificates(config.listeners, listeners, logger);
  };
  hooks.signals?.on('SIGHUP', onHangup);
  const stop = async () => {
    hooks.signals?.off('SIGHUP', onHangup);
    await Promise.allSettled([...listeners, metricsListener].map((listener) => listener?.close()));
    await core.shutdown();
    await (cache ?? storage).close();
  };
  try {
    // First, so that its log line comes before the "listening" lines that tools wait for.
    const { metricsAddress } = config.telemetry;
    if (metricsAddress !== undefined) metricsListener = await listenForMetrics(metricsAddress, metrics, logger);
    for (const listenerConfig of config.listeners) {
      listeners.push(await listen(listenerConfig, core, metrics, logger, ui));
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { core, listeners, ...(metricsListener === undefined ? {} : { metricsListener }), logger, stop };
}

async function listen(config: ListenerConfig, core: Core, metrics: ServerMetrics, logger: Logger, ui: UiRouteOptions): Promise<RunningListener> {
  const { host, port } = listenAddress(config.address);
  const tls = config.tlsDisable ? undefined : await readTls(config);
  // Nodes of one cluster usually share a certificate authority, so a standby trusts the one of the
  // certificate it serves now: after a reload (SIGHUP) too, when a new CA may have signed it.
  let served = tls;
  const forwarding = served === undefined ? {} : { ca: () => served!.cert };
  const handler = createRequestListener({
    core,
    logger,
    maxRequestSize: config.maxRequestSize,
    jsonLimits: config.jsonLimits,
    forwarding,
    metrics,
    unauthenticatedMetricsAccess: config.unauthenticatedMetricsAccess,
    ui,
  });
  const listener = await startListener({
    host,
    port,
    handler,
    requestTimeoutMs: config.maxRequestDurationMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeoutMs: Math.min(config.readHeaderTimeoutMs, config.maxRequestDurationMs),
    keepAliveTimeoutMs: config.idleTimeoutMs,
    ...(tls === undefined ? {} : { tls }),
  });
  logger.info('listening', { address: listener.url, tls: tls !== undefined });
  return {
    ...listener,
    reloadTls(next) {
      listener.reloadTls(next);
      served = next;
    },
  };
}

/**
 * The web UI is built into ui/dist by `npm ci` (prepare) or `npm run build:ui`. A checkout without
 * it still serves the API; /ui then says how to build it.
 */
async function uiOptions(config: ServerConfig, hooks: ServerProcessHooks, logger: Logger): Promise<UiRouteOptions> {
  const distDir = hooks.uiDistDir ?? fileURLToPath(new URL('../../ui/dist/', import.meta.url));
  if (config.ui) {
    const built = await access(join(distDir, 'index.html')).then(() => true, () => false);
    if (!built) logger.warn('ui = true but the web UI is not built: run `npm run build:ui`', { dir: distDir });
  }
  return { enabled: config.ui, distDir };
}

/** Plain HTTP, no token: what a Prometheus sidecar or ServiceMonitor scrapes. */
async function listenForMetrics(address: string, metrics: ServerMetrics, logger: Logger): Promise<RunningListener> {
  const listener = await startListener({ ...listenAddress(address), handler: metricsApp(metrics).callback() });
  logger.info('metrics listening', { address: listener.url });
  return listener;
}

function listenAddress(address: string): { host: string; port: number } {
  const parsed = splitHostPort(address);
  if (parsed === undefined) throw new SealboxError('config_invalid', `invalid listen address "${address}": expected host:port`);
  return parsed;
}

async function readTls(config: ListenerConfig): Promise<ListenerTls & { cert: Buffer }> {
  if (config.tlsCertFile === undefined || config.tlsKeyFile === undefined) {
    throw new Error('tls_cert_file and tls_key_file are required unless tls_disable is set');
  }
  return { cert: await readFile(config.tlsCertFile), key: await readFile(config.tlsKeyFile), minVersion: config.tlsMinVersion };
}

/** SIGHUP: TLS listeners read their files again; one that cannot keeps serving its current certificate, as in Vault. */
async function reloadCertificates(configs: readonly ListenerConfig[], listeners: readonly RunningListener[], logger: Logger): Promise<void> {
  for (const [index, config] of configs.entries()) {
    const listener = listeners[index];
    if (listener === undefined || config.tlsDisable) continue;
    try {
      listener.reloadTls(await readTls(config));
      logger.info('reloaded the listener certificate', { address: listener.url });
    } catch (error) {
      logger.error('could not reload the listener certificate; keeping the current one', { address: listener.url, error: describeError(error) });
    }
  }
}

/** Without HA the node serves from the cache at once; with HA only while it is the active node. */
function withCacheRole(ha: HaSettings | undefined, cache: CachedBackend | undefined): HaSettings | undefined {
  if (cache === undefined) return ha;
  if (ha === undefined) {
    cache.serve(true);
    return undefined;
  }
  return { ...ha, onRoleChange: (active) => cache.serve(active) };
}

/** Vault locks its memory with mlock(2); Node cannot, so say what that means instead of pretending. */
function logMemoryLocking(config: ServerConfig, logger: Logger): void {
  const advice =
    'Node.js cannot lock process memory (mlock), so key material in memory could be swapped to disk; ' +
    'disable swap or use encrypted swap on hosts that run Sealbox';
  if (config.disableMlock) logger.info(`disable_mlock is set: ${advice}`);
  else logger.warn(`memory locking is unavailable: ${advice}`);
}
