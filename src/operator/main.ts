import { AppsV1Api, CoreV1Api, CustomObjectsApi, PolicyV1Api } from '@kubernetes/client-node';
import type { KubeConfig, KubernetesListObject, KubernetesObject, V1Pod } from '@kubernetes/client-node';
import { describeError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { MANAGED_SELECTOR } from './api/labels.ts';
import { GROUP, PLURAL, VERSION } from './api/vault-cluster.ts';
import type { VaultCluster } from './api/vault-cluster.ts';
import { startHealthServer } from './health-server.ts';
import type { HealthServer } from './health-server.ts';
import { KubeApi } from './kube/kube-api.ts';
import { LeaseElector } from './kube/lease-elector.ts';
import { createOperatorMetrics } from './operator-metrics.ts';
import type { OperatorMetrics } from './operator-metrics.ts';
import { runWorkers } from './queue/run-workers.ts';
import { WorkQueue } from './queue/work-queue.ts';
import { kubeEventRecorder } from './reconcile/event-recorder.ts';
import { Reconciler } from './reconcile/reconciler.ts';
import { ServerClient } from './unseal/server-client.ts';
import { ownerKey } from './watch/owner-key.ts';
import { SupervisedInformer } from './watch/supervised-informer.ts';

export interface OperatorOptions {
  readonly kubeConfig: KubeConfig;
  /** Watch only this namespace; every namespace when undefined. */
  readonly namespace?: string;
  /** host:port of /healthz, /readyz and /metrics. */
  readonly listen: string;
  readonly leaderElection: { readonly enabled: boolean; readonly namespace: string; readonly name: string; readonly identity: string; readonly leaseDurationSeconds?: number; readonly renewDeadlineMs?: number; readonly retryPeriodMs?: number };
  readonly workers?: number;
  /** Requeue of a settled cluster. */
  readonly resyncMs?: number;
  /** Requeue while pods start, are sealed or roll. */
  readonly busyMs?: number;
  /** The API server as server pods reach it; from the in-cluster environment or the kubeconfig by default. */
  readonly kubernetesHost?: string;
  readonly logger: Logger;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

export interface RunningOperator {
  readonly address: string;
  readonly metrics: OperatorMetrics;
  /** Settles when the operator stopped by itself: 'lost' when another replica took the lease. */
  readonly done: Promise<'lost' | 'stopped'>;
  /** Graceful: finishes the keys in progress, gives up the lease, stops the informers. */
  stop(): Promise<void>;
}

/**
 * The composition root of `sealbox operator run`: informers (on every replica, so a standby has
 * warm caches), the health and metrics endpoint, leader election, and, while leading, the
 * workers that reconcile VaultClusters.
 */
export async function startOperator(options: OperatorOptions): Promise<RunningOperator> {
  const { kubeConfig, logger } = options;
  const metrics = createOperatorMetrics();
  const kube = new KubeApi(kubeConfig, (verb, kind) => metrics.apiWrites.inc({ verb, kind }));
  const queue = new WorkQueue({ onDepth: (depth) => metrics.queueDepth.set(depth) });
  const informers = createInformers(options, metrics);
  const enqueueCluster = (cluster: VaultCluster) => queue.add(`${cluster.metadata?.namespace ?? ''}/${cluster.metadata?.name ?? ''}`);
  informers.clusters.onEvent((_event, cluster) => enqueueCluster(cluster));
  for (const informer of [informers.pods, ...informers.children.values()]) {
    informer.onEvent((_event, object) => {
      const key = ownerKey(object);
      if (key !== undefined) queue.add(key);
    });
  }
  const all = [informers.clusters, informers.pods, ...informers.children.values()];
  const health: HealthServer = await startHealthServer(options.listen, {
    live: () => all.every((informer) => !informer.synced || informer.healthy),
    ready: () => all.every((informer) => informer.synced),
    registry: metrics.registry,
  });
  logger.info('operator listening', { address: health.address, namespace: options.namespace ?? '(all)' });
  await Promise.all(all.map((informer) => informer.start()));

  const env = options.env ?? {};
  const reconciler = new Reconciler({
    kube,
    clusters: informers.clusters,
    pods: informers.pods,
    children: informers.children,
    serverClient: serverClientFactory(),
    events: kubeEventRecorder(kube, logger, options.leaderElection.identity),
    logger,
    now: () => new Date(),
    defaultKubernetesHost: options.kubernetesHost ?? defaultKubernetesHost(kubeConfig, env),
    timing: { busyMs: options.busyMs ?? 2000, resyncMs: options.resyncMs ?? 30_000 },
  });

  const stopping = new AbortController();
  const elector = options.leaderElection.enabled ? new LeaseElector({ kubeConfig, ...options.leaderElection, logger }) : undefined;
  let workers: Promise<void> | undefined;
  let resync: NodeJS.Timeout | undefined;
  const lead = async (): Promise<'lost' | 'stopped'> => {
    try {
      await elector?.acquire(stopping.signal);
    } catch {
      return 'stopped';
    }
    metrics.leader.set(1);
    for (const cluster of informers.clusters.list()) enqueueCluster(cluster);
    resync = setInterval(() => {
      for (const cluster of informers.clusters.list()) enqueueCluster(cluster);
    }, options.resyncMs ?? 30_000);
    workers = runWorkers(queue, options.workers ?? 2, async (key) => {
      const end = metrics.reconcileDuration.startTimer();
      try {
        const result = await reconciler.reconcile(key);
        metrics.reconciles.inc({ result: 'success' });
        return result;
      } finally {
        end();
      }
    }, (key, error) => {
      metrics.reconciles.inc({ result: 'error' });
      metrics.reconcileErrors.inc();
      logger.warn('reconcile failed; retrying with back-off', { cluster: key, error: describeError(error) });
    });
    if (elector === undefined) {
      await new Promise<void>((resolve) => stopping.signal.addEventListener('abort', () => resolve(), { once: true }));
      return 'stopped';
    }
    const outcome = await elector.holdUntilLost(stopping.signal);
    metrics.leader.set(0);
    return outcome;
  };
  const done = lead();
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      stopping.abort();
      if (resync !== undefined) clearInterval(resync);
      queue.shutDown();
      await workers;
      await done;
      await elector?.release();
      await Promise.all(all.map((informer) => informer.stop()));
      await health.close();
    })());
  // Leadership lost: stop working at once, so that two replicas never act together.
  void done.then((outcome) => {
    if (outcome === 'lost') queue.shutDown();
  });
  return { address: health.address, metrics, done, stop };
}

interface Informers {
  readonly clusters: SupervisedInformer<VaultCluster & KubernetesObject>;
  readonly pods: SupervisedInformer<V1Pod>;
  readonly children: Map<string, SupervisedInformer<KubernetesObject>>;
}

function createInformers(options: OperatorOptions, metrics: OperatorMetrics): Informers {
  const { kubeConfig, namespace, logger } = options;
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const policy = kubeConfig.makeApiClient(PolicyV1Api);
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const scoped = (group: string, resource: string) => {
    const base = group === '' ? '/api/v1' : `/apis/${group}`;
    return namespace === undefined ? `${base}/${resource}` : `${base}/namespaces/${namespace}/${resource}`;
  };
  const labelSelector = MANAGED_SELECTOR;
  const make = <T extends KubernetesObject>(name: string, path: string, list: () => Promise<KubernetesListObject<T>>, selector: string | undefined) =>
    new SupervisedInformer<T>({ name, kubeConfig, path, list, ...(selector === undefined ? {} : { labelSelector: selector }), logger, onRestart: () => metrics.informerRestarts.inc({ informer: name }) });
  const byNamespace = <T>(all: () => Promise<T>, one: (namespace: string) => Promise<T>) => () => (namespace === undefined ? all() : one(namespace));
  const clusters = make<VaultCluster & KubernetesObject>(
    'vaultclusters',
    scoped(`${GROUP}/${VERSION}`, PLURAL),
    byNamespace(
      async () => (await custom.listClusterCustomObject({ group: GROUP, version: VERSION, plural: PLURAL })) as KubernetesListObject<VaultCluster & KubernetesObject>,
      async (ns) => (await custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, plural: PLURAL, namespace: ns })) as KubernetesListObject<VaultCluster & KubernetesObject>,
    ),
    undefined,
  );
  const pods = make<V1Pod>('pods', scoped('', 'pods'), byNamespace(() => core.listPodForAllNamespaces({ labelSelector }), (ns) => core.listNamespacedPod({ namespace: ns, labelSelector })), labelSelector);
  const children = new Map<string, SupervisedInformer<KubernetesObject>>();
  const child = <T extends KubernetesObject>(kind: string, informer: SupervisedInformer<T>) => children.set(kind, informer as unknown as SupervisedInformer<KubernetesObject>);
  child('StatefulSet', make('statefulsets', scoped('apps/v1', 'statefulsets'), byNamespace(() => apps.listStatefulSetForAllNamespaces({ labelSelector }), (ns) => apps.listNamespacedStatefulSet({ namespace: ns, labelSelector })), labelSelector));
  child('Service', make('services', scoped('', 'services'), byNamespace(() => core.listServiceForAllNamespaces({ labelSelector }), (ns) => core.listNamespacedService({ namespace: ns, labelSelector })), labelSelector));
  child('ConfigMap', make('configmaps', scoped('', 'configmaps'), byNamespace(() => core.listConfigMapForAllNamespaces({ labelSelector }), (ns) => core.listNamespacedConfigMap({ namespace: ns, labelSelector })), labelSelector));
  child('ServiceAccount', make('serviceaccounts', scoped('', 'serviceaccounts'), byNamespace(() => core.listServiceAccountForAllNamespaces({ labelSelector }), (ns) => core.listNamespacedServiceAccount({ namespace: ns, labelSelector })), labelSelector));
  child('PodDisruptionBudget', make('poddisruptionbudgets', scoped('policy/v1', 'poddisruptionbudgets'), byNamespace(() => policy.listPodDisruptionBudgetForAllNamespaces({ labelSelector }), (ns) => policy.listNamespacedPodDisruptionBudget({ namespace: ns, labelSelector })), labelSelector));
  return { clusters, pods, children };
}

/** A client per cluster: trusting the cluster's CA (ca.crt of spec.tls.secretName) when it has TLS. */
function serverClientFactory() {
  const plain = new ServerClient();
  return async (cluster: VaultCluster, readSecret: (name: string) => Promise<{ data?: Record<string, string> } | undefined>): Promise<ServerClient> => {
    if (cluster.spec.tls === undefined) return plain;
    const secret = await readSecret(cluster.spec.tls.secretName);
    const ca = secret?.data?.['ca.crt'];
    return new ServerClient(ca === undefined ? {} : { caCert: Buffer.from(ca, 'base64').toString('utf8') });
  };
}

/** In a pod, the API server address every pod is given; elsewhere, the kubeconfig's server. */
function defaultKubernetesHost(kubeConfig: KubeConfig, env: Readonly<Record<string, string | undefined>>): string {
  const host = env['KUBERNETES_SERVICE_HOST'];
  const port = env['KUBERNETES_SERVICE_PORT'];
  if (host !== undefined && host !== '' && port !== undefined) return `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return kubeConfig.getCurrentCluster()?.server ?? 'https://kubernetes.default.svc';
}

