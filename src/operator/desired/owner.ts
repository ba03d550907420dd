import type { V1ObjectMeta, V1OwnerReference } from '@kubernetes/client-node';
import { clusterNames } from '../api/names.ts';
import { commonLabels } from '../api/labels.ts';
import { API_VERSION, KIND } from '../api/vault-cluster.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';

/** The controller reference that makes a child garbage-collected with its VaultCluster. */
export function ownerReference(cluster: VaultCluster): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: cluster.metadata?.name ?? '',
    uid: cluster.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** Metadata of a namespaced child: common labels and the owner reference. */
export function childMetadata(cluster: VaultCluster, name: string, extraLabels: Readonly<Record<string, string>> = {}): V1ObjectMeta {
  const names = clusterNames(cluster);
  return {
    name,
    namespace: names.namespace,
    labels: { ...commonLabels(names.cluster), ...extraLabels },
    ownerReferences: [ownerReference(cluster)],
  };
}
