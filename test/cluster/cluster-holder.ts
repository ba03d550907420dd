// Starts a cluster with a running pod, prints what it started as one JSON line, and waits to be
// killed: cluster-cleanup.test.ts SIGKILLs it to check that nothing outlives a dead test process.
import { CoreV1Api } from '@kubernetes/client-node';
import { liveProcessGroups } from './managed-process.ts';
import { startCluster } from './test-cluster.ts';
import { waitUntil } from './wait-until.ts';

const cluster = await startCluster();
const core = cluster.kubeConfig().makeApiClient(CoreV1Api);
const namespace = await cluster.createNamespace('holder');
await core.createNamespacedPod({
  namespace,
  body: {
    metadata: { name: 'sleeper' },
    spec: {
      // No volumes: a killed runner cannot remove the mountpoints it made on the host.
      automountServiceAccountToken: false,
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }],
    },
  },
});
await waitUntil(
  async () => ((await core.readNamespacedPod({ namespace, name: 'sleeper' })).status?.phase === 'Running' ? true : undefined),
  { timeoutMs: 90_000, what: 'the sleeper pod to run' },
);
process.stdout.write(`${JSON.stringify({ pids: liveProcessGroups(), dir: cluster.controlPlane.dir })}\n`);
setInterval(() => undefined, 60_000);
