// What the operator's end-to-end tests share: installing the CRD and the operator (from crds/ and
// manifests/, as a user would), VaultCluster manifests, reaching pods and Services from the test,
// and killing a pod's server process.
import { readFileSync, readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { CoreV1Event, KubeConfig, V1Pod, V1Secret } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { VaultCluster } from '../../src/operator/api/vault-cluster.ts';
import { crdEstablished } from '../cluster/crd-established.ts';
import { waitUntil } from '../cluster/wait-until.ts';
import type { E2eCluster } from './e2e-cluster.ts';

export const CRD_FILE = fileURLToPath(new URL('../../crds/vaultclusters.sealbox.dev.yaml', import.meta.url));
const OPERATOR_MANIFEST = fileURLToPath(new URL('../../manifests/operator.yaml', import.meta.url));
export const WAIT = { timeoutMs: 180_000, intervalMs: 500 };

export async function installCrd(cluster: E2eCluster): Promise<void> {
  await cluster.kubectl(['apply', '--server-side', '-f', CRD_FILE]);
  await crdEstablished(cluster.kubectl, 'vaultclusters.sealbox.dev');
}

/**
 * manifests/operator.yaml, moved to `namespace` (cluster-scoped names get a suffix so that several
 * installs can share a cluster), with extra operator arguments.
 */
export async function installOperator(cluster: E2eCluster, namespace: string, extraArgs: readonly string[]): Promise<void> {
  const documents = parseAllDocuments(await readFile(OPERATOR_MANIFEST, 'utf8'))
    .map((document) => document.toJS() as Record<string, any>)
    .filter((object) => object['kind'] !== 'Namespace');
  for (const object of documents) {
    if (object['metadata']['namespace'] !== undefined) object['metadata']['namespace'] = namespace;
    if (object['kind'] === 'ClusterRole' || object['kind'] === 'ClusterRoleBinding') object['metadata']['name'] = `sealbox-operator-${namespace}`;
    if (object['kind'] === 'ClusterRoleBinding') object['roleRef']['name'] = `sealbox-operator-${namespace}`;
    for (const subject of object['subjects'] ?? []) subject.namespace = namespace;
    if (object['kind'] === 'Deployment') object['spec']['template']['spec']['containers'][0]['args'].push(...extraArgs);
  }
  await cluster.kubectl(['apply', '-f', '-'], documents.map((object) => JSON.stringify(object)).join('\n'));
  await waitOperatorReady(cluster.kubeConfig(), namespace);
}

/** Both operator replicas Ready, none of them one of `replaced` (pod UIDs). */
export async function waitOperatorReady(config: KubeConfig, namespace: string, replaced: ReadonlySet<string> = new Set()): Promise<V1Pod[]> {
  return waitUntil(
    async () => {
      const pods = await operatorPods(config, namespace);
      const fresh = pods.filter((pod) => !replaced.has(pod.metadata?.uid ?? ''));
      return fresh.length === 2 && fresh.every(isReady) ? fresh : undefined;
    },
    { ...WAIT, what: 'two Ready operator pods' },
  );
}

export async function operatorPods(config: KubeConfig, namespace: string): Promise<V1Pod[]> {
  const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=sealbox-operator' });
  return pods.items.filter((pod) => pod.metadata?.deletionTimestamp === undefined);
}

export function vaultClusterManifest(name: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion: 'sealbox.dev/v1alpha1', kind: 'VaultCluster', metadata: { name }, spec };
}

export async function readVaultCluster(config: KubeConfig, namespace: string, name: string): Promise<VaultCluster | undefined> {
  try {
    return (await config.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({ group: 'sealbox.dev', version: 'v1alpha1', plural: 'vaultclusters', namespace, name })) as VaultCluster;
  } catch {
    return undefined;
  }
}

export async function patchVaultCluster(config: KubeConfig, namespace: string, name: string, patch: Record<string, unknown>): Promise<void> {
  const { PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  await config.makeApiClient(CustomObjectsApi).patchNamespacedCustomObject(
    { group: 'sealbox.dev', version: 'v1alpha1', plural: 'vaultclusters', namespace, name, body: patch },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

export function condition(cluster: VaultCluster | undefined, type: string): { status: string; reason: string; message: string } | undefined {
  return cluster?.status?.conditions?.find((entry) => entry.type === type);
}

export function isReady(pod: V1Pod): boolean {
  return (pod.status?.conditions ?? []).some((entry) => entry.type === 'Ready' && entry.status === 'True');
}

export async function serverPods(config: KubeConfig, namespace: string, name: string): Promise<V1Pod[]> {
  const pods = await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: `app.kubernetes.io/instance=${name},app.kubernetes.io/name=sealbox` });
  return pods.items.filter((pod) => pod.metadata?.deletionTimestamp === undefined).sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
}

/** Waits until the cluster is Running with `replicas` Ready, unsealed, labelled pods; returns them. */
export async function waitHealthy(config: KubeConfig, namespace: string, name: string, replicas: number, what: string): Promise<V1Pod[]> {
  return waitUntil(
    async () => {
      const cluster = await readVaultCluster(config, namespace, name);
      if (cluster?.status?.phase !== 'Running' || cluster.status.observedGeneration !== cluster.metadata?.generation) return undefined;
      if (condition(cluster, 'Available')?.status !== 'True' || condition(cluster, 'Unsealed')?.status !== 'True') return undefined;
      const pods = await serverPods(config, namespace, name);
      if (pods.length !== replicas || !pods.every(isReady)) return undefined;
      const roles = pods.map((pod) => pod.metadata?.labels?.['sealbox.dev/role']);
      if (roles.filter((role) => role === 'active').length !== 1 || roles.filter((role) => role === 'standby').length !== replicas - 1) return undefined;
      return pods;
    },
    { ...WAIT, what },
  );
}

/**
 * The address behind a Service, as the endpoints controller and kube-proxy would choose it: a Ready
 * pod that the Service's selector selects. (The test cluster's pods have loopback addresses, which
 * EndpointSlice validation refuses, so the selection is done here from the Service itself.)
 */
export async function serviceAddress(config: KubeConfig, namespace: string, service: string, port = 8200): Promise<string> {
  const core = config.makeApiClient(CoreV1Api);
  const selector = (await core.readNamespacedService({ namespace, name: service })).spec?.selector ?? {};
  const labelSelector = Object.entries(selector).map(([key, value]) => `${key}=${value}`).join(',');
  const pods = (await core.listNamespacedPod({ namespace, labelSelector })).items.filter((pod) => pod.metadata?.deletionTimestamp === undefined && isReady(pod));
  const address = pods[0]?.status?.podIP;
  if (address === undefined) throw new Error(`Service ${service} selects no Ready pod`);
  return `http://${address}:${port}`;
}

/** Waits for a Ready pod behind the VaultCluster's active Service; its base URL. */
export function activeAddress(config: KubeConfig, namespace: string, cluster: string): Promise<string> {
  return waitUntil(() => serviceAddress(config, namespace, `${cluster}-active`), { ...WAIT, what: 'a pod behind the active Service' });
}

/**
 * Waits for the pod of manifests/examples/etcd.yaml to be Ready; its address. The test cluster has
 * no DNS, so tests point VaultClusters at it instead of at the etcd Service's name.
 */
export async function exampleEtcdAddress(config: KubeConfig, namespace: string): Promise<string> {
  return waitUntil(
    async () => {
      const pod = (await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, labelSelector: 'app.kubernetes.io/name=etcd' })).items[0];
      return pod !== undefined && isReady(pod) ? pod.status?.podIP : undefined;
    },
    { ...WAIT, what: 'the example etcd pod Ready' },
  );
}

export interface VaultAnswer {
  readonly status: number;
  readonly body: Record<string, any>;
}

export async function vault(base: string, method: string, path: string, token?: string, body?: unknown): Promise<VaultAnswer> {
  const response = await fetch(`${base}/v1/${path}`, {
    method,
    headers: { ...(token === undefined ? {} : { 'X-Vault-Token': token }), 'Content-Type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Record<string, any>) };
}

export async function rootToken(config: KubeConfig, namespace: string, secret: string): Promise<string> {
  const read = await config.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name: secret });
  return Buffer.from(read.data?.['token'] ?? '', 'base64').toString('utf8');
}

export async function readSecret(config: KubeConfig, namespace: string, name: string): Promise<V1Secret | undefined> {
  try {
    return await config.makeApiClient(CoreV1Api).readNamespacedSecret({ namespace, name });
  } catch {
    return undefined;
  }
}

export async function clusterEvents(config: KubeConfig, namespace: string, name: string): Promise<CoreV1Event[]> {
  const events = await config.makeApiClient(CoreV1Api).listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=VaultCluster,involvedObject.name=${name}` });
  // resourceVersions come from one etcd revision counter: creation order, finer than timestamps.
  return events.items.sort((a, b) => Number(a.metadata?.resourceVersion ?? 0) - Number(b.metadata?.resourceVersion ?? 0));
}

/**
 * SIGKILLs the server process of the pod at `podIp`: the local process the pod runner started for
 * the server container (found by the pod address the runner gives it and its `server` argument).
 * Only processes of this test's own cluster carry that address.
 */
export function killServerProcess(podIp: string): number {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0');
      if (!environ.includes(`SEALBOX_POD_IP=${podIp}`)) continue;
      const argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!argv.includes('server') || !argv.includes('-config')) continue;
      process.kill(Number(entry), 'SIGKILL');
      return Number(entry);
    } catch {
      // A process that ended meanwhile, or one that is not ours to read.
    }
  }
  throw new Error(`no server process with pod address ${podIp}`);
}

export async function statefulSetExists(config: KubeConfig, namespace: string, name: string): Promise<boolean> {
  try {
    await config.makeApiClient(AppsV1Api).readNamespacedStatefulSet({ namespace, name });
    return true;
  } catch {
    return false;
  }
}
