import type { CoreV1Event } from '@kubernetes/client-node';
import { describeError } from '../../lib/errors.ts';
import type { Logger } from '../../lib/logger.ts';
import { API_VERSION, KIND } from '../api/vault-cluster.ts';
import type { VaultCluster } from '../api/vault-cluster.ts';
import type { KubeApi } from '../kube/kube-api.ts';

export type EventType = 'Normal' | 'Warning';

/** Kubernetes Events about a VaultCluster (init, unseal, leader change, rollout steps). */
export interface EventRecorder {
  record(cluster: VaultCluster, type: EventType, reason: string, message: string): Promise<void>;
}

/** Writes core/v1 Events; a failure to record is logged, never fails the reconcile. */
export function kubeEventRecorder(kube: KubeApi, logger: Logger, instance: string): EventRecorder {
  return {
    async record(cluster, type, reason, message) {
      const namespace = cluster.metadata?.namespace ?? 'default';
      const name = cluster.metadata?.name ?? '';
      const now = new Date();
      const event: CoreV1Event = {
        metadata: { generateName: `${name}.`, namespace },
        involvedObject: { apiVersion: API_VERSION, kind: KIND, name, namespace, ...(cluster.metadata?.uid === undefined ? {} : { uid: cluster.metadata.uid }) },
        type,
        reason,
        message,
        source: { component: 'sealbox-operator' },
        reportingComponent: 'sealbox.dev/operator',
        reportingInstance: instance,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      };
      try {
        await kube.createEvent(namespace, event);
      } catch (error) {
        logger.warn('could not record an event', { cluster: `${namespace}/${name}`, reason, error: describeError(error) });
      }
    },
  };
}
