import type { V1PodDisruptionBudget } from '@kubernetes/client-node';
import { selectorLabels } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { childMetadata } from './owner.ts';

/** (n - 1) / 2 rounded down: 0 up to two pods, 1 for three or four, 2 for five. */
export function defaultMaxUnavailable(replicas: number): number {
  return Math.max(0, Math.floor((replicas - 1) / 2));
}

/** Limits voluntary evictions (drains); the operator's own rollouts delete one pod at a time anyway. */
export function podDisruptionBudget(cluster: VaultCluster): V1PodDisruptionBudget {
  const names = clusterNames(cluster);
  const { spec } = cluster;
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: childMetadata(cluster, names.podDisruptionBudget),
    spec: {
      maxUnavailable: spec.podDisruptionBudget.maxUnavailable ?? defaultMaxUnavailable(spec.replicas),
      selector: { matchLabels: selectorLabels(names.cluster) },
    },
  };
}
