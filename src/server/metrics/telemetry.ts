import type { TokenObserver } from '../auth/token/token-store.ts';
import type { Operation } from '../logical/operation.ts';

/**
 * What each part of the server reports. ServerMetrics implements them all on one registry; each
 * part is handed only its own role, and runs without one (tests, migrate).
 */

export type StorageOperation = 'get' | 'put' | 'delete' | 'list' | 'transaction';

/** Timers of one storage layer (the barrier, or one physical backend). */
export interface StorageTelemetry {
  observe(operation: StorageOperation, ms: number): void;
  /** A call that failed because the storage could not be reached (storage_unavailable). */
  unavailable(operation: StorageOperation): void;
}

/** What the core and the services it runs while unsealed (token store, audit broker) report. */
export interface CoreTelemetry extends TokenObserver, AuditTelemetry {
  /** One request through the pipeline; `login` for the unauthenticated login paths. */
  requestHandled(login: boolean, ms: number): void;
  /** Time spent in the backend of the mount at `mountPoint`. */
  routed(operation: Operation, mountPoint: string, ms: number): void;
  /** Reads the token count on scrape, from `count`, until the returned function is called. */
  countTokensWith(count: () => Promise<number>): () => void;
}

/** What the HTTP layer reports for every request it answers. */
export interface HttpTelemetry {
  requestStarted(): void;
  requestFinished(status: number): void;
}

/** What the audit broker reports: a request or response that no device could log. */
export interface AuditTelemetry {
  auditFailure(kind: 'request' | 'response'): void;
}

/** The node whose seal and HA state the gauges read on scrape (the Core). */
export interface ObservedNode {
  readonly state: 'sealed' | 'standby' | 'active';
}

/** What sys/metrics serves. */
export interface MetricsExposition {
  /** Whether telemetry { prometheus_retention_time } is above 0. */
  readonly prometheusEnabled: boolean;
  /** Prometheus text exposition format 0.0.4. */
  prometheusText(): Promise<string>;
  /** Vault's in-memory sink JSON (sys/metrics without a format). */
  inmemSummary(): Promise<unknown>;
}
