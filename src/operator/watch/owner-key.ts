import type { KubernetesObject } from '@kubernetes/client-node';
import { LABEL_INSTANCE, LABEL_MANAGED_BY, LABEL_OWNER_NAMESPACE, MANAGED_BY } from '../api/labels.ts';

/**
 * The work queue key (`namespace/name` of the VaultCluster) of a child that changed, by the labels
 * the operator put on it. Objects the operator did not label map to nothing.
 */
export function ownerKey(object: KubernetesObject): string | undefined {
  const metadata = object.metadata;
  if (metadata?.name === undefined) return undefined;
  const labels = metadata.labels ?? {};
  if (labels[LABEL_MANAGED_BY] !== MANAGED_BY) return undefined;
  const instance = labels[LABEL_INSTANCE];
  const namespace = metadata.namespace ?? labels[LABEL_OWNER_NAMESPACE];
  if (instance === undefined || namespace === undefined) return undefined;
  return `${namespace}/${instance}`;
}
