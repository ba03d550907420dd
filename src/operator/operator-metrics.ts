import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** The operator's own Prometheus metrics, on a registry of its own (no global state). */
export interface OperatorMetrics {
  readonly registry: Registry;
  readonly reconciles: Counter<'result'>;
  readonly reconcileErrors: Counter;
  readonly reconcileDuration: Histogram;
  readonly queueDepth: Gauge;
  readonly apiWrites: Counter<'verb' | 'kind'>;
  readonly leader: Gauge;
  readonly informerRestarts: Counter<'informer'>;
}

export function createOperatorMetrics(): OperatorMetrics {
  const registry = new Registry();
  const registers = [registry];
  return {
    registry,
    reconciles: new Counter({ name: 'sealbox_operator_reconciles_total', help: 'Reconcile passes, by result (success, error).', labelNames: ['result'], registers }),
    reconcileErrors: new Counter({ name: 'sealbox_operator_reconcile_errors_total', help: 'Reconcile passes that failed and were retried with back-off.', registers }),
    reconcileDuration: new Histogram({ name: 'sealbox_operator_reconcile_duration_seconds', help: 'Duration of one reconcile pass.', buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers }),
    queueDepth: new Gauge({ name: 'sealbox_operator_workqueue_depth', help: 'Keys waiting in the work queue.', registers }),
    apiWrites: new Counter({ name: 'sealbox_operator_api_writes_total', help: 'Writes sent to the Kubernetes API, by verb and kind.', labelNames: ['verb', 'kind'], registers }),
    leader: new Gauge({ name: 'sealbox_operator_leader', help: '1 while this replica holds the leader lease.', registers }),
    informerRestarts: new Counter({ name: 'sealbox_operator_informer_restarts_total', help: 'Informers restarted after they stopped on an error.', labelNames: ['informer'], registers }),
  };
}
