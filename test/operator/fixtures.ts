import type { VaultCluster, VaultClusterSpec } from '../../src/operator/api/vault-cluster.ts';

type DeepPartial<T> = { [K in keyof T]?: T[K] extends (infer U)[] ? U[] : T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** A VaultCluster with every default the CRD schema applies, as the API server returns it. */
export function vaultCluster(overrides: DeepPartial<VaultClusterSpec> = {}, name = 'vault', namespace = 'secrets'): VaultCluster {
  const spec: VaultClusterSpec = {
    replicas: 3,
    image: 'sealbox:0.1.0',
    imagePullPolicy: 'IfNotPresent',
    storage: { etcd: { endpoints: ['http://etcd-0.etcd:2379', 'http://etcd-1.etcd:2379'], requestTimeout: '5s', lockTimeout: '15s' } },
    unseal: { secretShares: 5, secretThreshold: 3, rootToken: { store: false } },
    audit: { enabled: true, device: 'file', sidecar: { enabled: true } },
    metrics: { enabled: true, port: 9102, serviceMonitor: { enabled: false, interval: '30s' } },
    kubernetesAuth: { enabled: false, path: 'kubernetes' },
    pod: {},
    updateStrategy: { type: 'OperatorManaged' },
    podDisruptionBudget: { enabled: true },
    deletionPolicy: 'Retain',
    paused: false,
  };
  return {
    apiVersion: 'sealbox.dev/v1alpha1',
    kind: 'VaultCluster',
    metadata: { name, namespace, uid: 'uid-1234', generation: 1, resourceVersion: '10' },
    spec: merge(spec, overrides) as VaultClusterSpec,
  };
}

function merge(base: unknown, patch: unknown): unknown {
  if (patch === undefined) return base;
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch) || base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(patch)) out[key] = merge(out[key], value);
  return out;
}
