import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL_INSTANCE } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { childMetadata } from './owner.ts';
import { SERVICE_LABEL } from './services.ts';

export const SERVICE_MONITOR_API_VERSION = 'monitoring.coreos.com/v1';

/** A Prometheus Operator ServiceMonitor scraping every pod's own metrics listener through the headless Service. */
export function serviceMonitor(cluster: VaultCluster): KubernetesObject & { spec: Record<string, unknown> } {
  const names = clusterNames(cluster);
  return {
    apiVersion: SERVICE_MONITOR_API_VERSION,
    kind: 'ServiceMonitor',
    metadata: childMetadata(cluster, names.serviceMonitor),
    spec: {
      selector: { matchLabels: { [LABEL_INSTANCE]: names.cluster, [SERVICE_LABEL]: 'internal' } },
      endpoints: [{ port: 'metrics', path: '/metrics', interval: cluster.spec.metrics.serviceMonitor.interval }],
    },
  };
}
