// The cluster smoke test: what the operator relies on, end to end. Runs on the local test cluster
// (test/cluster) by default, and on kind through test/e2e/kind.sh.
import test from 'ava';
import { AppsV1Api, AuthenticationV1Api, CoreV1Api } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { crdEstablished } from '../cluster/crd-established.ts';
import { waitUntil } from '../cluster/wait-until.ts';
import { useE2eCluster } from './e2e-cluster.ts';

const cluster = useE2eCluster(test);

const GROUP = 'e2e.sealbox.test';
const WAIT = { timeoutMs: 120_000, intervalMs: 250 };

const widgetCrd = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `widgets.${GROUP}` },
  spec: {
    group: GROUP,
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: { type: 'object', required: ['size'], properties: { size: { type: 'integer', minimum: 1 } } },
              status: { type: 'object', properties: { phase: { type: 'string' } } },
            },
          },
        },
      },
    ],
  },
};

function widget(name: string, size: number): object {
  return { apiVersion: `${GROUP}/v1`, kind: 'Widget', metadata: { name }, spec: { size } };
}

test.serial('a CRD and a custom resource apply with kubectl; the schema and the status subresource hold', async (t) => {
  const { kubectl, createNamespace } = cluster();
  await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(widgetCrd));
  await crdEstablished(kubectl, `widgets.${GROUP}`);
  const namespace = await createNamespace('smoke-crd');

  await kubectl(['apply', '--server-side', '-n', namespace, '-f', '-'], JSON.stringify(widget('small', 3)));
  const applied = JSON.parse(await kubectl(['get', '-n', namespace, 'widget', 'small', '-o', 'json'])) as { spec: { size: number } };
  t.is(applied.spec.size, 3);

  const invalid = await t.throwsAsync(kubectl(['apply', '--server-side', '-n', namespace, '-f', '-'], JSON.stringify(widget('empty', 0))));
  t.regex(invalid?.message ?? '', /spec\.size/);

  await kubectl(['patch', '-n', namespace, 'widget', 'small', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready"}}']);
  // Through the main resource, status is not writable.
  await kubectl(['patch', '-n', namespace, 'widget', 'small', '--type=merge', '-p', '{"status":{"phase":"Broken"},"spec":{"size":4}}']);
  const patched = JSON.parse(await kubectl(['get', '-n', namespace, 'widget', 'small', '-o', 'json'])) as { spec: { size: number }; status: { phase: string } };
  t.is(patched.status.phase, 'Ready');
  t.is(patched.spec.size, 4);
});

const PAGE = 'hello from the sealbox e2e web server\n';

function webStatefulSet(): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web' },
    spec: {
      serviceName: 'web',
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          terminationGracePeriodSeconds: 5,
          containers: [
            {
              name: 'httpd',
              image: 'busybox:1.36',
              command: ['httpd', '-f', '-p', '$(POD_IP):8080', '-h', '/www'],
              env: [{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }],
              ports: [{ name: 'http', containerPort: 8080 }],
              readinessProbe: { httpGet: { path: '/index.html', port: 'http' }, periodSeconds: 1 },
              volumeMounts: [{ name: 'content', mountPath: '/www' }],
            },
          ],
          volumes: [{ name: 'content', configMap: { name: 'web-content' } }],
        },
      },
    },
  };
}

function isReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && (pod.status.conditions ?? []).some((condition) => condition.type === 'Ready' && condition.status === 'True');
}

test.serial('a StatefulSet runs Ready pods with their own addresses, replaces a deleted pod, and is garbage-collected', async (t) => {
  const { kubectl, createNamespace, kubeConfig, local } = cluster();
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const apps = kubeConfig().makeApiClient(AppsV1Api);
  const namespace = await createNamespace('smoke-sts');
  const content = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'web-content' }, data: { 'index.html': PAGE } };
  const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 8080 }] } };
  for (const manifest of [content, service, webStatefulSet()]) await kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(manifest));

  const readyPods = () =>
    waitUntil(
      async () => {
        const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items;
        return pods.length === 2 && pods.every(isReady) ? pods : undefined;
      },
      { ...WAIT, what: 'two Ready web pods' },
    );
  const pods = await readyPods();
  const addresses = pods.map((pod) => pod.status?.podIP ?? '');
  t.is(new Set(addresses).size, 2, `pod addresses ${addresses.join(', ')}`);
  if (local !== undefined) {
    for (const address of addresses) {
      t.true(address.startsWith('127.') && address !== '127.0.0.1', address);
      const response = await fetch(`http://${address}:8080/index.html`);
      t.is(await response.text(), PAGE);
    }
  }

  const first = pods.find((pod) => pod.metadata?.name === 'web-0');
  await core.deleteNamespacedPod({ namespace, name: 'web-0' });
  const replaced = await waitUntil(
    async () => {
      const pod = await core.readNamespacedPod({ namespace, name: 'web-0' });
      return pod.metadata?.uid !== first?.metadata?.uid && isReady(pod) ? pod : undefined;
    },
    { ...WAIT, what: 'a new Ready web-0' },
  );
  t.not(replaced.metadata?.uid, first?.metadata?.uid);
  t.is(replaced.metadata?.ownerReferences?.[0]?.kind, 'StatefulSet');

  await apps.deleteNamespacedStatefulSet({ namespace, name: 'web', propagationPolicy: 'Background' });
  await waitUntil(
    async () => ((await core.listNamespacedPod({ namespace, labelSelector: 'app=web' })).items.length === 0 ? true : undefined),
    { ...WAIT, what: 'the garbage collector to remove the web pods' },
  );
  t.pass();
});

test.serial('a TokenReview of a service account token authenticates the service account', async (t) => {
  const { createNamespace, kubeConfig } = cluster();
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const authentication = kubeConfig().makeApiClient(AuthenticationV1Api);
  const namespace = await createNamespace('smoke-token');
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'reviewed' } } });
  const request = await core.createNamespacedServiceAccountToken({ namespace, name: 'reviewed', body: { spec: { audiences: [], expirationSeconds: 600 } } });
  const token = request.status?.token ?? '';
  t.not(token, '');

  const review = await authentication.createTokenReview({ body: { spec: { token } } });
  t.true(review.status?.authenticated);
  t.is(review.status?.user?.username, `system:serviceaccount:${namespace}:reviewed`);

  const forged = await authentication.createTokenReview({ body: { spec: { token: `${token.slice(0, -4)}AAAA` } } });
  t.not(forged.status?.authenticated, true);
});
