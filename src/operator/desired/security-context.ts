import type { V1PodSecurityContext, V1SecurityContext } from '@kubernetes/client-node';

/** Non-root by default; the Sealbox image's user is 100 in group 1000. */
export function defaultPodSecurityContext(): V1PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: 100, runAsGroup: 1000, fsGroup: 1000, seccompProfile: { type: 'RuntimeDefault' } };
}

/** The restricted Pod Security Standard for a container: no privileges, read-only root. */
export function restrictedContainerSecurityContext(): V1SecurityContext {
  return { runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
}
