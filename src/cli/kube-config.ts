import { KubeConfig } from '@kubernetes/client-node';

/** -kubeconfig FILE, else the in-cluster config in a pod, else KUBECONFIG or ~/.kube/config. */
export function loadKubeConfig(path: string | undefined, env: Readonly<Record<string, string | undefined>>): KubeConfig {
  const config = new KubeConfig();
  if (path !== undefined) config.loadFromFile(path);
  else if (env['KUBERNETES_SERVICE_HOST'] !== undefined && env['KUBECONFIG'] === undefined) config.loadFromCluster();
  else config.loadFromDefault();
  return config;
}
