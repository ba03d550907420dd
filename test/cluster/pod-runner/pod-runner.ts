import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api, ListWatch, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import type { KubeConfig, V1Pod } from '@kubernetes/client-node';
import type { RestartBackoff } from './container-runner.ts';
import { NODE_ALLOCATABLE, registerNodes } from './fake-nodes.ts';
import { hostMountpoints } from './host-mountpoints.ts';
import { defaultImageTable } from './image-table.ts';
import type { ImageEntry } from './image-table.ts';
import { isApiStatus, kubeletApi } from './kubelet-api.ts';
import { claimPodAddresses, RUNNER_REGISTRY_DIR } from './pod-addresses.ts';
import { placePod } from './pod-placement.ts';
import type { PlacementNode } from './pod-placement.ts';
import { PodWorker } from './pod-worker.ts';

/**
 * Plays the kubelet of one or more fake nodes, and the scheduler: binds pending pods to the
 * nodes and runs their containers as local processes (see README "Kubernetes test cluster").
 */
export interface PodRunner {
  readonly nodes: readonly string[];
  /** The loopback address of a running pod of this runner. */
  podIp(namespace: string, name: string): string | undefined;
  /** Everything a container of a pod has written (all runs, oldest first); '' when none. */
  logs(namespace: string, pod: string, container: string): Promise<string>;
  /** Kills every container at once and removes what the runner made on the host. */
  stop(): Promise<void>;
}

export interface PodRunnerOptions {
  readonly kubeConfig: KubeConfig;
  /** The runner's scratch directory: pods, logs, claims. */
  readonly dir: string;
  /** Where containers find the API server (KUBERNETES_SERVICE_HOST/PORT). */
  readonly apiServerPort: number;
  /** Names of the fake nodes; three by default, so required anti-affinity across three replicas fits. */
  readonly nodes?: readonly string[];
  /** Entries tried before the default table (sealbox, busybox/alpine, pause). */
  readonly images?: readonly ImageEntry[];
  /** Container restart back-off: 1 s doubling up to 10 s by default (the kubelet uses 10 s up to 5 min). */
  readonly restartBackoff?: RestartBackoff;
  /** How often ConfigMap, Secret and token volumes are refreshed: 2 s by default (the kubelet: about a minute). */
  readonly volumeSyncMs?: number;
}

const HOST_IP = '127.0.0.1';
const WATCH_RETRY_MS = 1000;
const SCHEDULE_INTERVAL_MS = 1000;

export async function startPodRunner(options: PodRunnerOptions): Promise<PodRunner> {
  const api = kubeletApi(options.kubeConfig);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const nodeNames = options.nodes ?? ['node-0', 'node-1', 'node-2'];
  const nodes = await registerNodes(options.kubeConfig, nodeNames, HOST_IP);
  const addresses = claimPodAddresses();
  const mountpoints = hostMountpoints(RUNNER_REGISTRY_DIR, String(addresses.block));
  const dirs = { pods: join(options.dir, 'pods'), logs: join(options.dir, 'logs'), claims: join(options.dir, 'claims'), applets: join(options.dir, 'busybox') };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  installBusyboxApplets(dirs.applets);
  const workers = new Map<string, PodWorker>();
  const environment = {
    api,
    images: [...(options.images ?? []), ...defaultImageTable(dirs.applets)],
    allocateIp: () => addresses.allocate(),
    hostIp: HOST_IP,
    mountpoints,
    podsDir: dirs.pods,
    logsDir: dirs.logs,
    claimsDir: dirs.claims,
    serviceEnv: kubernetesServiceEnv(options.apiServerPort),
    hostPath: process.env['PATH'] ?? '/usr/bin:/bin',
    backoff: options.restartBackoff ?? { initialMs: 1000, maxMs: 10_000 },
    nodeAllocatable: NODE_ALLOCATABLE,
    volumeSyncMs: options.volumeSyncMs ?? 2000,
  };
  let stopped = false;
  const pending = new Map<string, V1Pod>();
  const informer = new ListWatch<V1Pod>('/api/v1/pods', new Watch(options.kubeConfig), () => core.listPodForAllNamespaces(), false);

  const onPod = (pod: V1Pod) => {
    if (stopped) return;
    const uid = pod.metadata?.uid ?? '';
    const nodeName = pod.spec?.nodeName;
    if (nodeName === undefined || nodeName === '') {
      const ours = (pod.spec?.schedulerName ?? 'default-scheduler') === 'default-scheduler';
      if (ours && pod.metadata?.deletionTimestamp == null) {
        pending.set(uid, pod);
        void scheduleAll();
      }
      return;
    }
    pending.delete(uid);
    if (!nodeNames.includes(nodeName)) return;
    const worker = workers.get(uid);
    if (worker !== undefined) {
      worker.update(pod);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (pod.metadata?.deletionTimestamp != null) {
      // Left over from an earlier runner: nothing runs, so the delete can complete now.
      void api.deletePodNow(pod.metadata.namespace ?? 'default', pod.metadata.name ?? '', uid).catch(() => undefined);
      return;
    }
    const created = new PodWorker(pod, { ...environment, node: nodeName }, (done) => {
      if (workers.get(done.uid) === done) workers.delete(done.uid);
    });
    workers.set(uid, created);
  };
  informer.on('add', onPod);
  informer.on('update', onPod);
  informer.on('delete', (pod) => {
    const uid = pod.metadata?.uid ?? '';
    pending.delete(uid);
    void workers.get(uid)?.forget();
  });
  informer.on('error', () => {
    if (!stopped) setTimeout(() => void (stopped ? undefined : informer.start()), WATCH_RETRY_MS);
  });
  await informer.start();

  const scheduling = setInterval(() => void scheduleAll(), SCHEDULE_INTERVAL_MS);
  let scheduleRunning = false;
  async function scheduleAll(): Promise<void> {
    if (scheduleRunning || stopped) return;
    scheduleRunning = true;
    try {
      for (const [uid, pod] of pending) await schedule(uid, pod, nodes);
    } finally {
      scheduleRunning = false;
    }
  }
  async function schedule(uid: string, pod: V1Pod, candidates: readonly PlacementNode[]): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const name = pod.metadata?.name ?? '';
    const placement = placePod(pod, candidates, informer.list());
    try {
      if ('node' in placement) {
        await api.bindPod(namespace, name, uid, placement.node);
        pending.delete(uid);
        await api.podEvent(pod, placement.node, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${placement.node}`);
        return;
      }
      const scheduled = pod.status?.conditions?.find((condition) => condition.type === 'PodScheduled');
      if (scheduled?.message === placement.unschedulable) return;
      await core.patchNamespacedPodStatus(
        {
          namespace,
          name,
          body: { status: { conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: placement.unschedulable }] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    } catch (error) {
      // Bound by someone else, or deleted meanwhile: the informer will tell.
      if (isApiStatus(error, 404, 409)) pending.delete(uid);
    }
  }

  return {
    nodes: nodeNames,
    podIp(namespace, name) {
      for (const worker of workers.values()) if (worker.namespace === namespace && worker.name === name) return worker.ip;
      return undefined;
    },
    async logs(namespace, pod, container) {
      const prefix = `${namespace}_${pod}_`;
      const podDirs = (await readdir(dirs.logs)).filter((entry) => entry.startsWith(prefix)).sort();
      let out = '';
      for (const podDir of podDirs) {
        const runs = await readdir(join(dirs.logs, podDir, container)).catch(() => [] as string[]);
        runs.sort((a, b) => Number.parseInt(a, 10) - Number.parseInt(b, 10));
        for (const run of runs) out += await readFile(join(dirs.logs, podDir, container, run), 'utf8');
      }
      return out;
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(scheduling);
      await informer.stop();
      await Promise.all([...workers.values()].map((worker) => worker.shutdown()));
      mountpoints.cleanUp(addresses.othersAlive());
      addresses.release();
    },
  };
}

/** The variables every kubelet gives every container, pointing at the API server. */
function kubernetesServiceEnv(port: number): Record<string, string> {
  const p = String(port);
  return {
    KUBERNETES_SERVICE_HOST: HOST_IP,
    KUBERNETES_SERVICE_PORT: p,
    KUBERNETES_SERVICE_PORT_HTTPS: p,
    KUBERNETES_PORT: `tcp://${HOST_IP}:${p}`,
    [`KUBERNETES_PORT_${p}_TCP`]: `tcp://${HOST_IP}:${p}`,
    [`KUBERNETES_PORT_${p}_TCP_PROTO`]: 'tcp',
    [`KUBERNETES_PORT_${p}_TCP_PORT`]: p,
    [`KUBERNETES_PORT_${p}_TCP_ADDR`]: HOST_IP,
  };
}

function installBusyboxApplets(dir: string): void {
  try {
    execFileSync('busybox', ['--install', '-s', dir], { stdio: 'ignore' });
  } catch {
    // Without busybox, busybox-image containers fail to start with a clear error from `sh`.
  }
}
