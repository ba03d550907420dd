import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import type { TestFn } from 'ava';
import { createTestNamespace, startCluster } from '../cluster/test-cluster.ts';
import type { TestCluster } from '../cluster/test-cluster.ts';

/**
 * The cluster an end-to-end scenario runs on: the local test cluster (control plane built from
 * source plus the pod runner) by default, or an existing cluster when SEALBOX_E2E_KUBECONFIG
 * names its kubeconfig (test/e2e/kind.sh sets it for a kind cluster). Scenarios only use what
 * both offer: the API, kubectl and pod status.
 */
export interface E2eCluster {
  /** For processes a scenario starts (the operator): KUBECONFIG. */
  readonly kubeconfigPath: string;
  kubeConfig(): KubeConfig;
  kubectl(args: readonly string[], stdin?: string): Promise<string>;
  /** A fresh namespace per scenario (kind.sh deletes the whole kind cluster afterwards). */
  createNamespace(prefix: string): Promise<string>;
  /** The local cluster (undefined on kind), for checks that need its internals (e.g. reaching a pod's address). */
  readonly local: TestCluster | undefined;
}

const EXTERNAL_KUBECONFIG_ENV = 'SEALBOX_E2E_KUBECONFIG';

export function useE2eCluster<Context>(test: TestFn<Context>): () => E2eCluster {
  let cluster: E2eCluster | undefined;
  let local: TestCluster | undefined;
  test.before(async () => {
    const external = process.env[EXTERNAL_KUBECONFIG_ENV];
    if (external !== undefined && external !== '') {
      cluster = externalCluster(external);
      return;
    }
    local = await startCluster();
    cluster = localCluster(local);
  });
  test.after.always(async () => {
    await local?.stop();
  });
  return () => {
    if (cluster === undefined) throw new Error('no e2e cluster: call useE2eCluster(test) at the top level of the test file');
    return cluster;
  };
}

function localCluster(local: TestCluster): E2eCluster {
  return {
    kubeconfigPath: local.kubeconfigPath,
    kubeConfig: () => local.kubeConfig(),
    kubectl: (args, stdin) => local.kubectl(args, stdin),
    createNamespace: (prefix) => local.createNamespace(prefix),
    local,
  };
}

function externalCluster(kubeconfigPath: string): E2eCluster {
  const kubeConfig = () => {
    const config = new KubeConfig();
    config.loadFromFile(kubeconfigPath);
    return config;
  };
  const kubectl = async (args: readonly string[], stdin?: string) => {
    const kubectlPath = process.env['SEALBOX_E2E_KUBECTL'] ?? 'kubectl';
    const child = promisify(execFile)(kubectlPath, [`--kubeconfig=${kubeconfigPath}`, ...args], { maxBuffer: 16 << 20 });
    child.child.stdin?.end(stdin ?? '');
    try {
      return (await child).stdout;
    } catch (error) {
      throw new Error(`kubectl ${args.join(' ')} failed: ${((error as { stderr?: string }).stderr ?? String(error)).trim()}`);
    }
  };
  return {
    kubeconfigPath,
    kubeConfig,
    kubectl,
    createNamespace: (prefix) => createTestNamespace(kubeConfig(), prefix),
    local: undefined,
  };
}
