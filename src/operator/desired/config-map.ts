import { createHash } from 'node:crypto';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { clusterNames } from '../api/names.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import { childMetadata } from './owner.ts';
import { CONFIG_FILE } from './ports.ts';
import { serverConfigText } from './server-config.ts';

/** The ConfigMap holding the server's config file. */
export function configMap(cluster: VaultCluster): V1ConfigMap {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: childMetadata(cluster, clusterNames(cluster).config),
    data: { [CONFIG_FILE]: serverConfigText(cluster) },
  };
}

/** Goes on the pod template, so that a config change is a new revision that pods roll to. */
export function configHash(cluster: VaultCluster): string {
  return createHash('sha256').update(serverConfigText(cluster)).digest('hex').slice(0, 16);
}
