import { ApiException, CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig, V1ConfigMap, V1Pod, V1Secret } from '@kubernetes/client-node';

/** What the pod runner asks of the API server, as a kubelet and a scheduler would. */
export interface KubeletApi {
  readConfigMap(namespace: string, name: string): Promise<V1ConfigMap | undefined>;
  readSecret(namespace: string, name: string): Promise<V1Secret | undefined>;
  /** A bound service account token for the pod (TokenRequest), as the projected volume holds. */
  requestToken(pod: V1Pod, audience: string | undefined, expirationSeconds: number): Promise<{ token: string; expiresAt: Date }>;
  /** Strategic-merge patch of pods/status (conditions merge by type). */
  patchPodStatus(namespace: string, name: string, status: object): Promise<void>;
  /** The kubelet's final delete of a terminated pod: grace 0, only this incarnation (uid). */
  deletePodNow(namespace: string, name: string, uid: string): Promise<void>;
  bindPod(namespace: string, name: string, uid: string, node: string): Promise<void>;
  /** An event about the pod, reported as from the kubelet on `node` (best effort). */
  podEvent(pod: V1Pod, node: string, type: 'Normal' | 'Warning', reason: string, note: string): Promise<void>;
}

export function kubeletApi(config: KubeConfig): KubeletApi {
  const core = config.makeApiClient(CoreV1Api);
  const strategicMerge = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
  return {
    readConfigMap: (namespace, name) => orUndefined(core.readNamespacedConfigMap({ namespace, name })),
    readSecret: (namespace, name) => orUndefined(core.readNamespacedSecret({ namespace, name })),
    async requestToken(pod, audience, expirationSeconds) {
      const metadata = pod.metadata ?? {};
      const response = await core.createNamespacedServiceAccountToken({
        namespace: metadata.namespace ?? 'default',
        name: pod.spec?.serviceAccountName ?? 'default',
        body: {
          spec: {
            audiences: audience === undefined || audience === '' ? [] : [audience],
            expirationSeconds,
            boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: metadata.name ?? '', uid: metadata.uid ?? '' },
          },
        },
      });
      const token = response.status?.token;
      const expiresAt = response.status?.expirationTimestamp;
      if (token === undefined || expiresAt === undefined) throw new Error('TokenRequest returned no token');
      return { token, expiresAt: new Date(expiresAt) };
    },
    async patchPodStatus(namespace, name, status) {
      await ignoreNotFound(core.patchNamespacedPodStatus({ namespace, name, body: { status } }, strategicMerge));
    },
    async deletePodNow(namespace, name, uid) {
      await ignoreStatus(
        core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0, body: { gracePeriodSeconds: 0, preconditions: { uid } } }),
        // 404: gone already; 409: a new pod of the same name (StatefulSet) has this name now.
        [404, 409],
      );
    },
    async bindPod(namespace, name, uid, node) {
      await core.createNamespacedPodBinding({
        namespace,
        name,
        body: { metadata: { name, namespace, uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
    },
    async podEvent(pod, node, type, reason, note) {
      const namespace = pod.metadata?.namespace ?? 'default';
      const now = new Date();
      // core/v1 Events: events.k8s.io wants microsecond timestamps, which the client cannot send.
      await core
        .createNamespacedEvent({
          namespace,
          body: {
            metadata: { generateName: `${pod.metadata?.name ?? 'pod'}.` },
            involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace, name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' },
            reason,
            message: note.slice(0, 1024),
            type,
            source: { component: 'kubelet', host: node },
            firstTimestamp: now,
            lastTimestamp: now,
            count: 1,
          },
        })
        .catch(() => undefined);
    },
  };
}

export function isApiStatus(error: unknown, ...codes: number[]): boolean {
  return error instanceof ApiException && codes.includes(error.code);
}

async function orUndefined<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (isApiStatus(error, 404)) return undefined;
    throw error;
  }
}

async function ignoreNotFound(request: Promise<unknown>): Promise<void> {
  await ignoreStatus(request, [404]);
}

async function ignoreStatus(request: Promise<unknown>, codes: number[]): Promise<void> {
  try {
    await request;
  } catch (error) {
    if (!isApiStatus(error, ...codes)) throw error;
  }
}
