import type { V1Service, V1ServicePort } from '@kubernetes/client-node';
import { LABEL_ROLE, selectorLabels } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { childMetadata } from './owner.ts';
import { API_PORT, CLUSTER_PORT } from './ports.ts';

export const SERVICE_LABEL = 'sealbox.dev/service';

function apiPort(): V1ServicePort {
  return { name: 'api', port: API_PORT, targetPort: 'api', protocol: 'TCP' };
}

/**
 * Headless, with not-ready pods published: the StatefulSet's pod DNS names, peer traffic and
 * metrics scraping. Clients use the active Service instead.
 */
export function internalService(cluster: VaultCluster): V1Service {
  const names = clusterNames(cluster);
  const ports: V1ServicePort[] = [apiPort(), { name: 'cluster', port: CLUSTER_PORT, targetPort: 'cluster', protocol: 'TCP' }];
  if (cluster.spec.metrics.enabled) ports.push({ name: 'metrics', port: cluster.spec.metrics.port, targetPort: 'metrics', protocol: 'TCP' });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(cluster, names.internalService, { [SERVICE_LABEL]: 'internal' }),
    spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: selectorLabels(names.cluster), ports },
  };
}

/** Selects the pod the operator last saw active: the address for clients. */
export function activeService(cluster: VaultCluster): V1Service {
  return roleService(cluster, clusterNames(cluster).activeService, 'active');
}

/** Selects the unsealed standbys: for reads that tolerate forwarding, and for monitoring. */
export function standbyService(cluster: VaultCluster): V1Service {
  return roleService(cluster, clusterNames(cluster).standbyService, 'standby');
}

function roleService(cluster: VaultCluster, name: string, role: 'active' | 'standby'): V1Service {
  const names = clusterNames(cluster);
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: childMetadata(cluster, name, { [SERVICE_LABEL]: role }),
    spec: { type: 'ClusterIP', selector: { ...selectorLabels(names.cluster), [LABEL_ROLE]: role }, ports: [apiPort()] },
  };
}
