import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { writeClusterPki } from './cluster-pki.ts';
import type { ClusterPki } from './cluster-pki.ts';
import { freePort } from '../helpers/free-port.ts';
import { kubeBinaries } from './kube-binaries.ts';
import type { KubeBinaries } from './kube-binaries.ts';
import { writeKubeconfig } from './kubeconfig-file.ts';
import { startManagedProcess } from './managed-process.ts';
import type { ManagedProcess } from './managed-process.ts';
import { waitUntil } from './wait-until.ts';

/**
 * etcd, kube-apiserver and kube-controller-manager on loopback: a real control plane with RBAC,
 * service account tokens, the status subresource, server-side apply, watches, the garbage
 * collector and the workload controllers, but no kubelet (see pod-runner/ for that).
 */
export interface ControlPlane {
  /** Holds certificates, kubeconfigs, etcd's data and one log file per process. */
  readonly dir: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly port: number;
  /** An admin (system:masters) kubeconfig. */
  readonly kubeconfigPath: string;
  readonly pki: ClusterPki;
  readonly binaries: KubeBinaries;
  /** A client configuration loaded from kubeconfigPath. */
  kubeConfig(): KubeConfig;
  /** Stops every process; removes `dir` when the control plane created it. */
  stop(): Promise<void>;
}

export interface ControlPlaneOptions {
  /** Where to keep the cluster's files; a new temporary directory (removed on stop) by default. */
  readonly dir?: string;
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  readonly apiserverArgs?: readonly string[];
}

/** The controllers a test cluster runs: workloads, garbage collection, service accounts, endpoints. */
const CONTROLLERS = [
  'serviceaccount-token-controller',
  'serviceaccount-controller',
  'root-ca-certificate-publisher-controller',
  'clusterrole-aggregation-controller',
  'namespace-controller',
  'garbage-collector-controller',
  'statefulset-controller',
  'replicaset-controller',
  'deployment-controller',
  'job-controller',
  'ttl-after-finished-controller',
  'disruption-controller',
  'endpoints-controller',
  'endpointslice-controller',
  'endpointslice-mirroring-controller',
  'pod-garbage-collector-controller',
  'persistentvolumeclaim-protection-controller',
  'persistentvolume-protection-controller',
] as const;

const START_ATTEMPTS = 3;
const APISERVER_READY_MS = 120_000;
const CONTROLLERS_READY_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** Keeps a failed cluster's directory (logs, certificates) for a look afterwards. */
const KEEP_ENV = 'SEALBOX_CLUSTER_KEEP';

export async function startControlPlane(options: ControlPlaneOptions = {}): Promise<ControlPlane> {
  const binaries = await kubeBinaries();
  const ownsDir = options.dir === undefined;
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'sealbox-cluster-')));
  await mkdir(join(dir, 'logs'), { recursive: true });
  const pki = await writeClusterPki(join(dir, 'pki'));
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startProcesses(dir, ownsDir, pki, binaries, options);
    } catch (error) {
      // Ports are found by binding and releasing: another process can take one in between.
      if (attempt >= START_ATTEMPTS || !isPortClash(error)) {
        if (ownsDir && process.env[KEEP_ENV] === undefined) await rm(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
}

class PortClashError extends Error {}

function isPortClash(error: unknown): boolean {
  return error instanceof PortClashError;
}

async function startProcesses(
  dir: string,
  ownsDir: boolean,
  pki: ClusterPki,
  binaries: KubeBinaries,
  options: ControlPlaneOptions,
): Promise<ControlPlane> {
  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    for (const child of started.reverse()) await child.stop(child.name === 'etcd' ? 0 : STOP_GRACE_MS);
  };
  try {
    const etcd = await startEtcd(dir, started);
    const port = await freePort();
    const server = `https://127.0.0.1:${port}`;
    const kubeconfigPath = join(dir, 'admin.kubeconfig');
    await writeKubeconfig(kubeconfigPath, { server, caFile: pki.caCert, certFile: pki.adminCert, keyFile: pki.adminKey, user: 'kubernetes-admin' });
    const controllerManagerKubeconfig = join(dir, 'controller-manager.kubeconfig');
    await writeKubeconfig(controllerManagerKubeconfig, {
      server,
      caFile: pki.caCert,
      certFile: pki.controllerManagerCert,
      keyFile: pki.controllerManagerKey,
      user: 'system:kube-controller-manager',
    });
    const apiserver = startManagedProcess({
      name: 'kube-apiserver',
      command: binaries.kubeApiserver,
      args: apiserverArgs(dir, pki, etcd, port, options.apiserverArgs ?? []),
      logFile: join(dir, 'logs', 'kube-apiserver.log'),
    });
    started.push(apiserver);
    await waitReady(server, pki, apiserver);
    const controllerManager = startManagedProcess({
      name: 'kube-controller-manager',
      command: binaries.kubeControllerManager,
      args: controllerManagerArgs(pki, controllerManagerKubeconfig),
      logFile: join(dir, 'logs', 'kube-controller-manager.log'),
    });
    started.push(controllerManager);
    const kubeConfig = () => {
      const config = new KubeConfig();
      config.loadFromFile(kubeconfigPath);
      return config;
    };
    await waitControllersWorking(kubeConfig(), controllerManager);
    let stopping: Promise<void> | undefined;
    return {
      dir,
      server,
      port,
      kubeconfigPath,
      pki,
      binaries,
      kubeConfig,
      stop: () =>
        (stopping ??= (async () => {
          await stopAll();
          if (ownsDir && process.env[KEEP_ENV] === undefined) await rm(dir, { recursive: true, force: true });
        })()),
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

interface RunningEtcd {
  readonly endpoint: string;
}

async function startEtcd(dir: string, started: ManagedProcess[]): Promise<RunningEtcd> {
  const [clientPort, peerPort, metricsPort] = [await freePort(), await freePort(), await freePort()];
  const endpoint = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const metrics = `http://127.0.0.1:${metricsPort}`;
  const etcd = startManagedProcess({
    name: 'etcd',
    command: 'etcd',
    args: [
      '--name', 'cluster',
      '--data-dir', join(dir, 'etcd'),
      '--listen-client-urls', endpoint,
      '--advertise-client-urls', endpoint,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `cluster=${peer}`,
      '--listen-metrics-urls', metrics,
      // The data is thrown away with the cluster: no fsync per write.
      '--unsafe-no-fsync',
      '--log-level', 'warn',
    ],
    logFile: join(dir, 'logs', 'etcd.log'),
  });
  started.push(etcd);
  await waitUntil(
    async () => {
      const response = await fetch(`${metrics}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await response.json()) as { health?: unknown };
      return body.health === 'true' ? true : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 100, what: 'etcd to become healthy', fatal: () => exitError(etcd) },
  ).catch((error: unknown) => rethrowWithLog(error, etcd));
  return { endpoint };
}

function apiserverArgs(dir: string, pki: ClusterPki, etcd: RunningEtcd, port: number, extra: readonly string[]): string[] {
  return [
    `--etcd-servers=${etcd.endpoint}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--cert-dir=${join(dir, 'apiserver-certs')}`,
    `--tls-cert-file=${pki.apiserverCert}`,
    `--tls-private-key-file=${pki.apiserverKey}`,
    `--client-ca-file=${pki.caCert}`,
    '--authorization-mode=Node,RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${pki.serviceAccountPub}`,
    `--service-account-signing-key-file=${pki.serviceAccountKey}`,
    // Only allocated into Service objects: nothing routes to these addresses.
    '--service-cluster-ip-range=10.96.0.0/16',
    // The "kubernetes" Service's endpoints would be 127.0.0.1, which Endpoints validation refuses.
    '--endpoint-reconciler-type=none',
    '--allow-privileged=true',
    '--profiling=false',
    ...extra,
  ];
}

function controllerManagerArgs(pki: ClusterPki, kubeconfig: string): string[] {
  return [
    `--kubeconfig=${kubeconfig}`,
    `--authentication-kubeconfig=${kubeconfig}`,
    `--authorization-kubeconfig=${kubeconfig}`,
    '--bind-address=127.0.0.1',
    // No health endpoint needed: readiness is judged by the controllers' work.
    '--secure-port=0',
    '--leader-elect=false',
    // Each controller acts as its own service account, as in kubeadm clusters.
    '--use-service-account-credentials=true',
    `--service-account-private-key-file=${pki.serviceAccountKey}`,
    `--root-ca-file=${pki.caCert}`,
    `--controllers=${CONTROLLERS.join(',')}`,
    // Test namespaces come and go quickly.
    '--namespace-sync-period=10s',
  ];
}

async function waitReady(server: string, pki: ClusterPki, apiserver: ManagedProcess): Promise<void> {
  const tls = { ca: readFileSync(pki.caCert), cert: readFileSync(pki.adminCert), key: readFileSync(pki.adminKey) };
  await waitUntil(
    async () => {
      return (await httpsStatus(`${server}/readyz`, tls)) === 200 ? true : undefined;
    },
    { timeoutMs: APISERVER_READY_MS, intervalMs: 250, what: 'kube-apiserver /readyz', fatal: () => exitError(apiserver) },
  ).catch((error: unknown) => rethrowWithLog(error, apiserver));
}

/** The controller manager is working once the default namespace has its service account and CA bundle. */
async function waitControllersWorking(config: KubeConfig, controllerManager: ManagedProcess): Promise<void> {
  const core = config.makeApiClient(CoreV1Api);
  await waitUntil(
    async () => {
      await core.readNamespacedServiceAccount({ name: 'default', namespace: 'default' });
      await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace: 'default' });
      return true;
    },
    { timeoutMs: CONTROLLERS_READY_MS, intervalMs: 250, what: 'kube-controller-manager to create the default service account', fatal: () => exitError(controllerManager) },
  ).catch((error: unknown) => rethrowWithLog(error, controllerManager));
}

function exitError(child: ManagedProcess): Error | undefined {
  const code = child.exitCode();
  if (code === undefined) return undefined;
  const log = child.logTail();
  const message = `${child.name} exited with ${code}:\n${log}`;
  return /address already in use/i.test(log) ? new PortClashError(message) : new ExitedError(message);
}

class ExitedError extends Error {}

function rethrowWithLog(error: unknown, child: ManagedProcess): never {
  if (error instanceof Error && /address already in use/i.test(child.logTail())) throw new PortClashError(error.message);
  if (error instanceof Error && !(error instanceof ExitedError)) {
    throw new Error(`${error.message}\n--- ${child.name} log ---\n${child.logTail()}`);
  }
  throw error;
}

function httpsStatus(url: string, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, timeout: 2000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    req.once('timeout', () => req.destroy(new Error('timeout')));
    req.once('error', reject);
    req.end();
  });
}
