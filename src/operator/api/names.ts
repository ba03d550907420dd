import type { VaultCluster } from './vault-cluster.ts';

/** Names of a VaultCluster's children and of the Secrets it uses; all derived, never stored. */
export interface ClusterNames {
  readonly cluster: string;
  readonly namespace: string;
  readonly statefulSet: string;
  readonly config: string;
  readonly internalService: string;
  readonly activeService: string;
  readonly standbyService: string;
  readonly serviceAccount: string;
  readonly podDisruptionBudget: string;
  readonly serviceMonitor: string;
  readonly keysSecret: string;
  readonly rootTokenSecret: string;
  /** Cluster-scoped, so it carries the namespace. */
  readonly authDelegatorBinding: string;
  readonly etcdPrefix: string;
}

export function clusterNames(cluster: VaultCluster): ClusterNames {
  const name = cluster.metadata?.name ?? '';
  const namespace = cluster.metadata?.namespace ?? 'default';
  const { spec } = cluster;
  return {
    cluster: name,
    namespace,
    statefulSet: name,
    config: `${name}-config`,
    internalService: `${name}-internal`,
    activeService: `${name}-active`,
    standbyService: `${name}-standby`,
    serviceAccount: name,
    podDisruptionBudget: name,
    serviceMonitor: name,
    keysSecret: spec.unseal.keysSecretRef?.name ?? `${name}-unseal-keys`,
    rootTokenSecret: spec.unseal.rootToken.secretName ?? `${name}-root-token`,
    authDelegatorBinding: `sealbox:${namespace}:${name}:auth-delegator`,
    etcdPrefix: withSlashes(spec.storage.etcd.prefix ?? `/sealbox/${namespace}/${name}/`),
  };
}

function withSlashes(prefix: string): string {
  return prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** `namespace/name`, the work queue's key. */
export function clusterKey(cluster: VaultCluster): string {
  return `${cluster.metadata?.namespace ?? 'default'}/${cluster.metadata?.name ?? ''}`;
}
