import { LISTENER_HARDENING_DEFAULTS } from './listener-schema.ts';
import type { ServerConfig } from './server-config.ts';

export const DEV_LISTEN_ADDRESS = '127.0.0.1:8200';

/** `sealbox server -dev`, like `vault server -dev`: in memory, plain HTTP on loopback. */
export function devConfig(listenAddress: string = DEV_LISTEN_ADDRESS): ServerConfig {
  return Object.freeze({
    listeners: Object.freeze([
      Object.freeze({
        type: 'tcp',
        address: listenAddress,
        tlsDisable: true,
        maxRequestSize: 32 * 1024 * 1024,
        maxRequestDurationMs: 90_000,
        unauthenticatedMetricsAccess: false,
        ...LISTENER_HARDENING_DEFAULTS,
      }),
    ]),
    storage: Object.freeze({ type: 'inmem' }),
    apiAddr: `http://${listenAddress}`,
    disableMlock: true,
    ui: true,
    logLevel: 'info',
    telemetry: Object.freeze({ prometheusRetentionSeconds: 0, disableHostname: false }),
  } as const);
}
