import type { JsonLimits } from '../http/json-limits.ts';
/** The validated, frozen server configuration that every other part reads. */
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface ListenerConfig {
  readonly type: 'tcp';
  /** host:port, as in Vault (`127.0.0.1:8200`, `[::1]:8200`). */
  readonly address: string;
  readonly tlsDisable: boolean;
  /** Both set when tlsDisable is false. */
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Bytes; Vault's max_request_size, default 32 MiB; Infinity when a negative size turns it off. */
  readonly maxRequestSize: number;
  /** Milliseconds; Vault's max_request_duration, default 90 s. */
  readonly maxRequestDurationMs: number;
  /** telemetry { unauthenticated_metrics_access } inside the listener block. */
  readonly unauthenticatedMetricsAccess: boolean;
  /** Milliseconds; Vault's http_read_header_timeout, default 10 s: the slowloris guard. */
  readonly readHeaderTimeoutMs: number;
  /** Milliseconds; Vault's http_idle_timeout, default 5 min, for idle keep-alive connections. */
  readonly idleTimeoutMs: number;
  /** Vault's tls_min_version as Node names it; TLS 1.2 unless tls13 is asked for. */
  readonly tlsMinVersion: 'TLSv1.2' | 'TLSv1.3';
  /** Vault's max_json_depth, max_json_string_value_length, max_json_object_entry_count, max_json_array_element_count. */
  readonly jsonLimits: JsonLimits;
}

export interface InmemStorageConfig {
  readonly type: 'inmem';
}

export interface FileStorageConfig {
  readonly type: 'file';
  readonly path: string;
}

export interface EtcdStorageConfig {
  readonly type: 'etcd';
  /** From Vault's comma-separated `address`, default http://127.0.0.1:2379. */
  readonly endpoints: readonly string[];
  /** Vault's `path`, default `/vault/`; always ends with '/'. */
  readonly prefix: string;
  readonly haEnabled: boolean;
  readonly username?: string;
  readonly password?: string;
  readonly tlsCaFile?: string;
  readonly tlsCertFile?: string;
  readonly tlsKeyFile?: string;
  /** Milliseconds each etcd call may take; Sealbox's `request_timeout`, default 5 s. */
  readonly requestTimeoutMs: number;
  /** Seconds the HA lock's lease lives without renewal; Vault's `lock_timeout`, default 15 s. */
  readonly lockTtlSeconds: number;
}

export type StorageConfig = InmemStorageConfig | FileStorageConfig | EtcdStorageConfig;

export interface TelemetryConfig {
  /**
   * Seconds a metric series lives without updates; 0 disables the Prometheus format, as in Vault.
   * 24 h inside a telemetry block that does not set it, 0 without a telemetry block.
   */
  readonly prometheusRetentionSeconds: number;
  /**
   * Accepted for Vault configs. Vault inserts the hostname only with a second sink besides
   * Prometheus (hashicorp/vault#31747); Sealbox has none, so names never carry it.
   */
  readonly disableHostname: boolean;
  /** Sealbox's optional separate, unauthenticated metrics listener (host:port). */
  readonly metricsAddress?: string;
}

export interface ServerConfig {
  readonly listeners: readonly ListenerConfig[];
  readonly storage: StorageConfig;
  readonly apiAddr?: string;
  readonly clusterAddr?: string;
  readonly clusterName?: string;
  readonly disableMlock: boolean;
  /** Vault's disable_cache: every read goes to storage. */
  readonly disableCache?: boolean;
  readonly ui: boolean;
  readonly logLevel: LogLevel;
  readonly telemetry: TelemetryConfig;
}
