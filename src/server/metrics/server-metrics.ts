import { collectDefaultMetrics, Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';
import type { TokenEntry } from '../auth/token/token-entry.ts';
import type { TokenSource } from '../auth/token/token-store.ts';
import type { Operation } from '../logical/operation.ts';
import { inmemSummary } from './inmem-summary.ts';
import type { InmemSummary } from './inmem-summary.ts';
import { prometheusName } from './prometheus-name.ts';
import { SeriesRetention } from './series-retention.ts';
import type {
  AuditTelemetry,
  CoreTelemetry,
  HttpTelemetry,
  MetricsExposition,
  ObservedNode,
  StorageOperation,
  StorageTelemetry,
} from './telemetry.ts';
import { ttlBucket } from './ttl-bucket.ts';
import { WindowedSummary } from './windowed-summary.ts';

/** go-metrics' Prometheus sink: timers are summaries over a 10 s window with these quantiles. */
const QUANTILES = [0.5, 0.9, 0.99];
const SUMMARY_WINDOW_SECONDS = 10;
const SUMMARY_AGE_BUCKETS = 5;
/** Sealbox has no namespaces; Vault labels the root namespace `root`. */
const NAMESPACE = 'root';
/** Counting tokens lists storage, so a scrape reuses a count younger than this. */
const TOKEN_COUNT_MAX_AGE_MS = 10_000;
const STORAGE_OPERATIONS: readonly StorageOperation[] = ['get', 'put', 'delete', 'list', 'transaction'];

export interface ServerMetricsOptions {
  /** The one registry of the process, made by the composition root. */
  readonly registry: Registry;
  /** telemetry { prometheus_retention_time } in seconds; 0 turns the Prometheus format off. */
  readonly retentionSeconds: number;
  /** Unix milliseconds; tests inject a clock to check retention. */
  readonly now?: () => number;
}

type TimerFamily = ReadonlyMap<StorageOperation, WindowedSummary>;

interface TokenCount {
  readonly value: number;
  readonly at: number;
}

/**
 * Sealbox's metrics under Vault's names (vault-api.md 12.2: dotted keys joined with `_`, timers as
 * summaries in milliseconds, counters without `_total`), plus Node's process and event-loop
 * metrics. Vault puts the hostname into gauge names only when it has a second sink besides
 * Prometheus (hashicorp/vault#31747); Sealbox has no other sink, so, like Vault with Prometheus
 * alone, it never does, whatever disable_hostname says.
 *
 * Where Sealbox departs from Vault's names: Vault's per-mount timer names
 * (vault_route_read_secret_) become one vault_route summary with operation and mount_point
 * labels, so a dashboard needs no name patterns and a new mount makes no new family; transactions,
 * which Vault's etcd backend has none of, get vault_barrier_transaction and
 * vault_<backend>_transaction; failures to reach storage are counted in vault_<backend>_errors.
 */
export class ServerMetrics implements CoreTelemetry, HttpTelemetry, AuditTelemetry, MetricsExposition {
  readonly registry: Registry;
  readonly prometheusEnabled: boolean;
  readonly #now: () => number;
  readonly #startedAt: number;
  readonly #retention: SeriesRetention;
  /** Prometheus name -> Vault's dotted key, for the JSON format. */
  readonly #keys = new Map<string, string>();
  readonly #storage = new Map<string, StorageTelemetry>();
  readonly #handleRequest: WindowedSummary;
  readonly #handleLoginRequest: WindowedSummary;
  readonly #route: WindowedSummary<'operation' | 'mount_point'>;
  readonly #statusCodes: Counter<'code' | 'type'>;
  readonly #inFlight: Gauge;
  readonly #barrier: TimerFamily;
  readonly #tokenCreation: Counter<'auth_method' | 'mount_point' | 'creation_ttl' | 'token_type' | 'namespace'>;
  readonly #leaseExpiration: Counter<'namespace'>;
  readonly #auditRequestFailure: Counter;
  readonly #auditResponseFailure: Counter;
  #node: ObservedNode | undefined;
  #countTokens: (() => Promise<number>) | undefined;
  #lastTokenCount: TokenCount | undefined;
  #counting: Promise<void> | undefined;

  constructor(options: ServerMetricsOptions) {
    this.registry = options.registry;
    this.prometheusEnabled = options.retentionSeconds > 0;
    this.#now = options.now ?? Date.now;
    this.#startedAt = this.#now();
    this.#retention = new SeriesRetention(options.retentionSeconds * 1_000, this.#now);
    collectDefaultMetrics({ register: this.registry });

    this.#handleRequest = this.#timer('vault.core.handle_request', 'Time to handle a non-login request, in ms');
    this.#handleLoginRequest = this.#timer('vault.core.handle_login_request', 'Time to handle a login request, in ms');
    this.#route = this.#timer('vault.route', 'Time spent in a mount backend, by operation and mount, in ms', ['operation', 'mount_point']);
    this.#statusCodes = this.#counter('vault.core.response_status_code', 'HTTP responses by status code', ['code', 'type']);
    this.#inFlight = this.#gauge('vault.core.in_flight_requests', 'HTTP requests being handled');
    this.#barrier = this.#timerFamily('vault.barrier', 'barrier');
    this.#tokenCreation = this.#counter('vault.token.creation', 'Tokens created', [
      'auth_method',
      'mount_point',
      'creation_ttl',
      'token_type',
      'namespace',
    ]);
    this.#leaseExpiration = this.#counter('vault.expire.lease_expiration', 'Token leases revoked because they expired', ['namespace']);
    this.#auditRequestFailure = this.#counter('vault.audit.log_request_failure', 'Requests that no audit device could log');
    this.#auditResponseFailure = this.#counter('vault.audit.log_response_failure', 'Responses that no audit device could log');
    this.#nodeGauges();
    this.#tokenCountGauge();
  }

  /** The node whose seal and HA state the gauges report. */
  observeNode(node: ObservedNode): void {
    this.#node = node;
  }

  /** Timers of the barrier: vault_barrier_get, _put, _delete, _list, _transaction. */
  barrier(): StorageTelemetry {
    return this.#storageTelemetry(this.#barrier, undefined);
  }

  /** Timers and unavailability counter of a physical backend type: vault_etcd_get, vault_etcd_errors... */
  storage(type: string): StorageTelemetry {
    let telemetry = this.#storage.get(type);
    if (telemetry === undefined) {
      const errors = this.#counter(`vault.${type}.errors`, `${type} storage calls that failed to reach the storage`, ['operation']);
      telemetry = this.#storageTelemetry(this.#timerFamily(`vault.${type}`, `${type} storage`), errors);
      this.#storage.set(type, telemetry);
    }
    return telemetry;
  }

  requestHandled(login: boolean, ms: number): void {
    (login ? this.#handleLoginRequest : this.#handleRequest).observe(ms);
  }

  routed(operation: Operation, mountPoint: string, ms: number): void {
    const labels = { operation, mount_point: mountPoint };
    this.#route.observe(labels, ms);
    this.#retention.touch('vault_route', this.#route, labels);
  }

  requestStarted(): void {
    this.#inFlight.inc();
  }

  requestFinished(status: number): void {
    this.#inFlight.dec();
    const labels = { code: String(status), type: `${Math.floor(status / 100)}xx` };
    this.#statusCodes.inc(labels);
    this.#retention.touch('vault_core_response_status_code', this.#statusCodes, labels);
  }

  tokenCreated(entry: TokenEntry, source: TokenSource): void {
    const labels = {
      auth_method: source.authMethod,
      mount_point: source.mountPoint,
      creation_ttl: ttlBucket(entry.ttl),
      token_type: entry.type,
      namespace: NAMESPACE,
    };
    this.#tokenCreation.inc(labels);
    this.#retention.touch('vault_token_creation', this.#tokenCreation, labels);
  }

  tokenExpired(): void {
    this.#leaseExpiration.inc({ namespace: NAMESPACE });
  }

  countTokensWith(count: () => Promise<number>): () => void {
    this.#countTokens = count;
    this.#lastTokenCount = undefined;
    return () => {
      if (this.#countTokens !== count) return;
      this.#countTokens = undefined;
      this.#lastTokenCount = undefined;
    };
  }

  auditFailure(kind: 'request' | 'response'): void {
    (kind === 'request' ? this.#auditRequestFailure : this.#auditResponseFailure).inc();
  }

  async prometheusText(): Promise<string> {
    this.#retention.sweep();
    return this.registry.metrics();
  }

  async inmemSummary(): Promise<InmemSummary> {
    this.#retention.sweep();
    const now = this.#now();
    return inmemSummary(await this.registry.getMetricsAsJSON(), {
      keys: this.#keys,
      now: new Date(now),
      uptimeSeconds: Math.max((now - this.#startedAt) / 1_000, 1),
    });
  }

  #nodeGauges(): void {
    const metrics = this;
    this.#gauge('vault.core.unsealed', '1 while the node is unsealed', [], function collect() {
      if (metrics.#node !== undefined) this.set(metrics.#node.state === 'sealed' ? 0 : 1);
    });
    // A node without HA is active whenever it is unsealed, as in Vault.
    this.#gauge('vault.core.active', '1 while the node is the active node', [], function collect() {
      if (metrics.#node !== undefined) this.set(metrics.#node.state === 'active' ? 1 : 0);
    });
  }

  #tokenCountGauge(): void {
    const metrics = this;
    this.#gauge('vault.token.count', 'Tokens in the token store', ['namespace'], async function collect() {
      const count = await metrics.#freshTokenCount();
      if (count === undefined) this.reset();
      else this.set({ namespace: NAMESPACE }, count);
    });
  }

  /** A count at most TOKEN_COUNT_MAX_AGE_MS old; a failed count keeps the previous one. */
  async #freshTokenCount(): Promise<number | undefined> {
    const count = this.#countTokens;
    if (count === undefined) return undefined;
    const last = this.#lastTokenCount;
    if (last !== undefined && this.#now() - last.at < TOKEN_COUNT_MAX_AGE_MS) return last.value;
    // Concurrent scrapes share one count.
    this.#counting ??= count()
      .then(
        (value) => {
          if (this.#countTokens === count) this.#lastTokenCount = { value, at: this.#now() };
        },
        () => undefined,
      )
      .finally(() => {
        this.#counting = undefined;
      });
    await this.#counting;
    return this.#lastTokenCount?.value;
  }

  #storageTelemetry(timers: TimerFamily, errors: Counter<'operation'> | undefined): StorageTelemetry {
    return {
      observe: (operation, ms) => timers.get(operation)?.observe(ms),
      unavailable: (operation) => errors?.inc({ operation }),
    };
  }

  #timerFamily(prefix: string, what: string): TimerFamily {
    return new Map(STORAGE_OPERATIONS.map((operation) => [operation, this.#timer(`${prefix}.${operation}`, `Time of a ${what} ${operation}, in ms`)]));
  }

  #timer<Label extends string = never>(key: string, help: string, labelNames: readonly Label[] = []): WindowedSummary<Label> {
    return new WindowedSummary<Label>({
      name: this.#name(key),
      help,
      labelNames,
      quantiles: QUANTILES,
      maxAgeSeconds: SUMMARY_WINDOW_SECONDS,
      ageBuckets: SUMMARY_AGE_BUCKETS,
      registry: this.registry,
      now: this.#now,
    });
  }

  #counter<Label extends string = never>(key: string, help: string, labelNames: readonly Label[] = []): Counter<Label> {
    return new Counter<Label>({ name: this.#name(key), help, labelNames, registers: [this.registry] });
  }

  #gauge<Label extends string = never>(
    key: string,
    help: string,
    labelNames: readonly Label[] = [],
    collect?: (this: Gauge<Label>) => void | Promise<void>,
  ): Gauge<Label> {
    return new Gauge<Label>({
      name: this.#name(key),
      help,
      labelNames,
      registers: [this.registry],
      ...(collect === undefined ? {} : { collect }),
    });
  }

  #name(key: string): string {
    const name = prometheusName(key);
    this.#keys.set(name, key);
    return name;
  }
}
