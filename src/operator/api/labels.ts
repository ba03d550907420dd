/** Labels and annotations the operator puts on what it makes. */
export const MANAGED_BY = 'sealbox-operator';
export const FIELD_MANAGER = 'sealbox-operator';
export const FINALIZER = 'sealbox.dev/finalizer';

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_INSTANCE = 'app.kubernetes.io/instance';
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_COMPONENT = 'app.kubernetes.io/component';
/** active, standby, sealed or uninitialized; kept current by the operator, selected by the Services. */
export const LABEL_ROLE = 'sealbox.dev/role';
/** Set by the StatefulSet controller: which revision of the template a pod runs. */
export const LABEL_REVISION = 'controller-revision-hash';
/** The namespace of the VaultCluster, on cluster-scoped children. */
export const LABEL_OWNER_NAMESPACE = 'sealbox.dev/owner-namespace';

/** Selects every object the operator manages, for its informers. */
export const MANAGED_SELECTOR = `${LABEL_MANAGED_BY}=${MANAGED_BY}`;

export type PodRole = 'active' | 'standby' | 'sealed' | 'uninitialized';

/** The labels every child of a cluster carries; pods are selected by these. */
export function selectorLabels(cluster: string): Record<string, string> {
  return { [LABEL_NAME]: 'sealbox', [LABEL_INSTANCE]: cluster, [LABEL_COMPONENT]: 'server' };
}

export function commonLabels(cluster: string): Record<string, string> {
  return { ...selectorLabels(cluster), [LABEL_MANAGED_BY]: MANAGED_BY };
}

export function labelSelectorString(labels: Readonly<Record<string, string>>): string {
  return Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(',');
}
