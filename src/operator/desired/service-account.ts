import type { V1ClusterRoleBinding, V1ServiceAccount } from '@kubernetes/client-node';
import { commonLabels, LABEL_OWNER_NAMESPACE } from '../api/labels.ts';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { childMetadata } from './owner.ts';

/** The server pods' identity. It is granted nothing, except TokenReview for the kubernetes auth method. */
export function serviceAccount(cluster: VaultCluster): V1ServiceAccount {
  return {
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: childMetadata(cluster, clusterNames(cluster).serviceAccount),
    automountServiceAccountToken: false,
  };
}

/**
 * Lets the servers call TokenReview (system:auth-delegator) when the kubernetes auth method is on.
 * Cluster-scoped, so it cannot be owned by the namespaced VaultCluster: the finalizer removes it.
 */
export function authDelegatorBinding(cluster: VaultCluster): V1ClusterRoleBinding {
  const names = clusterNames(cluster);
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: names.authDelegatorBinding, labels: { ...commonLabels(names.cluster), [LABEL_OWNER_NAMESPACE]: names.namespace } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
    subjects: [{ kind: 'ServiceAccount', name: names.serviceAccount, namespace: names.namespace }],
  };
}
