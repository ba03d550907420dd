import test from 'ava';
import type { V1Pod } from '@kubernetes/client-node';
import { nodeLabels } from './fake-nodes.ts';
import { placePod } from './pod-placement.ts';

const nodes = ['node-0', 'node-1', 'node-2'].map((name) => ({ name, labels: nodeLabels(name) }));

function pod(name: string, extra: Partial<NonNullable<V1Pod['spec']>> = {}, labels: Record<string, string> = { app: 'db' }, nodeName?: string): V1Pod {
  return {
    metadata: { name, namespace: 'ns', uid: name, labels },
    spec: { containers: [{ name: 'c' }], ...extra, ...(nodeName === undefined ? {} : { nodeName }) },
    status: { phase: nodeName === undefined ? 'Pending' : 'Running' },
  };
}

const antiAffinity = {
  affinity: {
    podAntiAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'kubernetes.io/hostname', labelSelector: { matchLabels: { app: 'db' } } }],
    },
  },
};

test('a pod goes to the node with the fewest pods', (t) => {
  const running = [pod('a', {}, {}, 'node-0'), pod('b', {}, {}, 'node-1')];
  t.deepEqual(placePod(pod('c'), nodes, running), { node: 'node-2' });
});

test('nodeSelector and required node affinity restrict the nodes', (t) => {
  t.deepEqual(placePod(pod('c', { nodeSelector: { 'kubernetes.io/hostname': 'node-1' } }), nodes, []), { node: 'node-1' });
  const affinity = {
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: ['node-0', 'node-1'] }] }],
        },
      },
    },
  };
  t.deepEqual(placePod(pod('c', affinity), nodes, []), { node: 'node-2' });
  const nowhere = placePod(pod('c', { nodeSelector: { disk: 'ssd' } }), nodes, []);
  t.true('unschedulable' in nowhere && nowhere.unschedulable.startsWith('0/3 nodes are available'));
});

test('required pod anti-affinity spreads replicas and leaves a fourth pending', (t) => {
  const running = [pod('db-0', antiAffinity, { app: 'db' }, 'node-0'), pod('db-1', antiAffinity, { app: 'db' }, 'node-2')];
  t.deepEqual(placePod(pod('db-2', antiAffinity), nodes, running), { node: 'node-1' });
  const full = [...running, pod('db-2', antiAffinity, { app: 'db' }, 'node-1')];
  const fourth = placePod(pod('db-3', antiAffinity), nodes, full);
  t.true('unschedulable' in fourth && fourth.unschedulable.includes('anti-affinity'));
});

test('finished pods do not count against anti-affinity', (t) => {
  const done = pod('db-0', antiAffinity, { app: 'db' }, 'node-0');
  done.status = { phase: 'Succeeded' };
  const others = [done, pod('x', antiAffinity, { app: 'db' }, 'node-1'), pod('y', antiAffinity, { app: 'db' }, 'node-2')];
  t.deepEqual(placePod(pod('db-1', antiAffinity), nodes, others), { node: 'node-0' });
});
