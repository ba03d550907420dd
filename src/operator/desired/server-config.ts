import { clusterNames } from '../api/names.ts';
import { OPERATOR_CONFIG_KEYS } from '../api/validation.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { API_PORT, ETCD_TLS_DIR, TLS_DIR } from './ports.ts';

/** Placeholders the config renderer init container replaces with the etcd credentials. */
export const ETCD_USERNAME_ENV = 'SEALBOX_ETCD_USERNAME';
export const ETCD_PASSWORD_ENV = 'SEALBOX_ETCD_PASSWORD';

/**
 * The server's configuration in Vault's JSON form: the user's `spec.config` with the operator's
 * keys on top (storage on etcd with HA, the listener, the metrics listener). api_addr and
 * cluster_addr differ per pod, so they come from VAULT_API_ADDR / VAULT_CLUSTER_ADDR instead.
 * Credentials never go in here: this ends up in a ConfigMap.
 */
export function serverConfig(cluster: VaultCluster): Record<string, unknown> {
  const { spec } = cluster;
  const names = clusterNames(cluster);
  const user: Record<string, unknown> = { ...(spec.config ?? {}) };
  for (const key of OPERATOR_CONFIG_KEYS) delete user[key];
  const etcd = spec.storage.etcd;
  const storage: Record<string, unknown> = {
    address: etcd.endpoints.join(','),
    path: names.etcdPrefix,
    ha_enabled: 'true',
    request_timeout: etcd.requestTimeout,
    lock_timeout: etcd.lockTimeout,
  };
  if (etcd.tls !== undefined) {
    storage['tls_ca_file'] = `${ETCD_TLS_DIR}/ca.crt`;
    storage['tls_cert_file'] = `${ETCD_TLS_DIR}/tls.crt`;
    storage['tls_key_file'] = `${ETCD_TLS_DIR}/tls.key`;
  }
  const listener: Record<string, unknown> =
    spec.tls === undefined
      ? { address: `0.0.0.0:${API_PORT}`, tls_disable: true }
      : { address: `0.0.0.0:${API_PORT}`, tls_cert_file: `${TLS_DIR}/tls.crt`, tls_key_file: `${TLS_DIR}/tls.key` };
  const userTelemetry = isObject(user['telemetry']) ? { ...user['telemetry'] } : {};
  delete userTelemetry['metrics_address'];
  const telemetry = spec.metrics.enabled ? { ...userTelemetry, metrics_address: `0.0.0.0:${spec.metrics.port}` } : userTelemetry;
  return {
    disable_mlock: true,
    ...user,
    ...(Object.keys(telemetry).length === 0 && !isObject(user['telemetry']) ? {} : { telemetry }),
    storage: { etcd: storage },
    listener: [{ tcp: listener }],
  };
}

/** The rendered file, with stable key order so that its hash only changes with its content. */
export function serverConfigText(cluster: VaultCluster): string {
  return `${JSON.stringify(sortKeys(serverConfig(cluster)), null, 2)}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((key) => [key, sortKeys(value[key])]));
}
