import { CoreV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { isApiStatus } from './kubelet-api.ts';
import type { PlacementNode } from './pod-placement.ts';

/** What every fake node reports as its size: enough that no test workload is refused for resources. */
export const NODE_ALLOCATABLE: Readonly<Record<string, string>> = {
  cpu: '4',
  memory: '8Gi',
  pods: '110',
  'ephemeral-storage': '20Gi',
};

const KUBELET_VERSION = 'v1.37.2';

export function nodeLabels(name: string): Record<string, string> {
  return { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64' };
}

/** Creates (or takes over) Node objects and reports them Ready, as a kubelet registering would. */
export async function registerNodes(config: KubeConfig, names: readonly string[], hostIp: string): Promise<PlacementNode[]> {
  const core = config.makeApiClient(CoreV1Api);
  const nodes: PlacementNode[] = [];
  for (const name of names) {
    const labels = nodeLabels(name);
    try {
      await core.createNode({ body: { metadata: { name, labels } } });
    } catch (error) {
      if (!isApiStatus(error, 409)) throw error;
    }
    await core.patchNodeStatus({ name, body: { status: nodeStatus(name, hostIp) } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    nodes.push({ name, labels });
  }
  return nodes;
}

function nodeStatus(name: string, hostIp: string): Record<string, unknown> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const condition = (type: string, status: string, reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: now,
    lastTransitionTime: now,
  });
  return {
    capacity: NODE_ALLOCATABLE,
    allocatable: NODE_ALLOCATABLE,
    addresses: [
      { type: 'InternalIP', address: hostIp },
      { type: 'Hostname', address: name },
    ],
    conditions: [
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      condition('Ready', 'True', 'KubeletReady', 'sealbox pod runner is posting ready status'),
    ],
    nodeInfo: {
      machineID: name,
      systemUUID: name,
      bootID: name,
      kernelVersion: '',
      osImage: 'sealbox pod runner',
      containerRuntimeVersion: 'sealbox-pod-runner://1',
      kubeletVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: 'amd64',
    },
  };
}
