import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import type { TestFn } from 'ava';
import { startControlPlane } from './control-plane.ts';
import type { ControlPlane, ControlPlaneOptions } from './control-plane.ts';
import { startPodRunner } from './pod-runner/pod-runner.ts';
import type { PodRunner, PodRunnerOptions } from './pod-runner/pod-runner.ts';

/**
 * A real Kubernetes control plane plus the pod runner: what the operator's tests run against.
 *
 *   const cluster = useCluster(test);          // one cluster for the test file
 *   test('x', async (t) => {
 *     const namespace = await cluster().createNamespace('x');
 *     await cluster().kubectl(['apply', '-n', namespace, '-f', '-'], manifest);
 *     const core = cluster().kubeConfig().makeApiClient(CoreV1Api);
 *   });
 */
export interface TestCluster {
  readonly controlPlane: ControlPlane;
  readonly runner: PodRunner;
  /** Admin kubeconfig: KUBECONFIG for kubectl and for clients started by the test. */
  readonly kubeconfigPath: string;
  readonly server: string;
  kubeConfig(): KubeConfig;
  /** Runs the pinned kubectl against this cluster; rejects with its stderr on a non-zero exit. */
  kubectl(args: readonly string[], stdin?: string): Promise<string>;
  /** A fresh namespace named `<prefix>-<random>`, with its default service account ready. */
  createNamespace(prefix: string): Promise<string>;
  stop(): Promise<void>;
}

export interface TestClusterOptions extends ControlPlaneOptions {
  readonly runner?: Omit<PodRunnerOptions, 'kubeConfig' | 'dir' | 'apiServerPort'>;
}

export async function startCluster(options: TestClusterOptions = {}): Promise<TestCluster> {
  const controlPlane = await startControlPlane(options);
  let runner: PodRunner;
  try {
    runner = await startPodRunner({ ...options.runner, kubeConfig: controlPlane.kubeConfig(), dir: join(controlPlane.dir, 'runner'), apiServerPort: controlPlane.port });
  } catch (error) {
    await controlPlane.stop();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  return {
    controlPlane,
    runner,
    kubeconfigPath: controlPlane.kubeconfigPath,
    server: controlPlane.server,
    kubeConfig: () => controlPlane.kubeConfig(),
    kubectl: (args, stdin) => runKubectl(controlPlane, args, stdin),
    createNamespace: (prefix) => createTestNamespace(controlPlane.kubeConfig(), prefix),
    stop: () =>
      (stopping ??= (async () => {
        try {
          await runner.stop();
        } finally {
          await controlPlane.stop();
        }
      })()),
  };
}

/** Starts a cluster before the file's tests and stops it after them, whatever happened; returns an accessor. */
export function useCluster<Context>(test: TestFn<Context>, options: TestClusterOptions = {}): () => TestCluster {
  let cluster: TestCluster | undefined;
  test.before(async () => {
    cluster = await startCluster(options);
  });
  test.after.always(async () => {
    await cluster?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('the cluster is not running: call useCluster(test) at the top level of the test file');
    return cluster;
  };
}

/** Runs `work` against a private cluster, stopped afterwards whatever happens. */
export async function withCluster<T>(work: (cluster: TestCluster) => Promise<T>, options: TestClusterOptions = {}): Promise<T> {
  const cluster = await startCluster(options);
  try {
    return await work(cluster);
  } finally {
    await cluster.stop();
  }
}

async function runKubectl(controlPlane: ControlPlane, args: readonly string[], stdin: string | undefined): Promise<string> {
  const run = promisify(execFile);
  const child = run(controlPlane.binaries.kubectl, [`--kubeconfig=${controlPlane.kubeconfigPath}`, ...args], { maxBuffer: 16 << 20 });
  child.child.stdin?.end(stdin ?? '');
  try {
    return (await child).stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`kubectl ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
  }
}

/** A fresh namespace `<prefix>-<random>` whose default service account exists (pods are refused before). */
export async function createTestNamespace(config: KubeConfig, prefix: string): Promise<string> {
  const core = config.makeApiClient(CoreV1Api);
  const created = await core.createNamespace({ body: { metadata: { generateName: `${prefix}-` } } });
  const name = created.metadata?.name ?? '';
  for (let attempt = 0; attempt < 300; attempt += 1) {
    try {
      await core.readNamespacedServiceAccount({ namespace: name, name: 'default' });
      return name;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`namespace ${name}: no default service account after 30 s`);
}
