import type { KubernetesObject } from '@kubernetes/client-node';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { configMap } from './config-map.ts';
import { podDisruptionBudget } from './pod-disruption-budget.ts';
import { serviceAccount } from './service-account.ts';
import { serviceMonitor } from './service-monitor.ts';
import { activeService, internalService, standbyService } from './services.ts';
import { statefulSet } from './stateful-set.ts';

/** A child the cluster should have, or should not have (`object` undefined): apply or remove. */
export interface DesiredChild {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly object: KubernetesObject | undefined;
}

/** The namespaced children, in the order they are applied (the StatefulSet after what it mounts and names). */
export function desiredChildren(cluster: VaultCluster): DesiredChild[] {
  const { spec } = cluster;
  const always = [serviceAccount(cluster), configMap(cluster), internalService(cluster), activeService(cluster), standbyService(cluster), statefulSet(cluster)];
  const children: DesiredChild[] = always.map((object) => ({ apiVersion: object.apiVersion ?? '', kind: object.kind ?? '', name: object.metadata?.name ?? '', object }));
  const pdb = podDisruptionBudget(cluster);
  children.push({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', name: pdb.metadata?.name ?? '', object: spec.podDisruptionBudget.enabled ? pdb : undefined });
  const monitor = serviceMonitor(cluster);
  children.push({ apiVersion: monitor.apiVersion ?? '', kind: 'ServiceMonitor', name: monitor.metadata?.name ?? '', object: spec.metrics.enabled && spec.metrics.serviceMonitor.enabled ? monitor : undefined });
  return children;
}
