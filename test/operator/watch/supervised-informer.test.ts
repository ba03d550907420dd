// A client-node informer stops for good on a 403; the supervised one restarts with back-off and
// catches up once the permission is granted. On the real control plane (test/cluster).
import test from 'ava';
import { CoreV1Api, KubeConfig, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { createLogger } from '../../../src/lib/logger.ts';
import { SupervisedInformer } from '../../../src/operator/watch/supervised-informer.ts';
import { useCluster } from '../../cluster/test-cluster.ts';
import { waitUntil } from '../../cluster/wait-until.ts';

const cluster = useCluster(test);

/** A kubeconfig acting as a fresh service account of `namespace`, with a token from TokenRequest. */
async function serviceAccountConfig(admin: KubeConfig, namespace: string, name: string): Promise<KubeConfig> {
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  const request = await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 3600 } } });
  const current = admin.getCurrentCluster()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: 'test', server: current.server, ...(current.caData === undefined ? {} : { caData: current.caData }), ...(current.caFile === undefined ? {} : { caFile: current.caFile }) }],
    users: [{ name, token: request.status?.token ?? '' }],
    contexts: [{ name: 'ctx', cluster: 'test', user: name }],
    currentContext: 'ctx',
  });
  return config;
}

test('an informer refused by RBAC restarts with back-off and syncs once the Role is granted', async (t) => {
  t.timeout(120_000);
  const admin = cluster().kubeConfig();
  const namespace = await cluster().createNamespace('informer');
  const config = await serviceAccountConfig(admin, namespace, 'watcher');
  const core = config.makeApiClient(CoreV1Api);
  let restarts = 0;
  const informer = new SupervisedInformer<V1ConfigMap>({
    name: 'configmaps',
    kubeConfig: config,
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    list: () => core.listNamespacedConfigMap({ namespace }),
    logger: createLogger({ level: 'silent' }),
    onRestart: () => restarts++,
    baseDelayMs: 100,
    maxDelayMs: 500,
  });
  const seen: string[] = [];
  informer.onEvent((event, object) => seen.push(`${event} ${object.metadata?.name ?? ''}`));
  const started = informer.start();
  t.teardown(() => informer.stop());
  await waitUntil(() => (restarts >= 2 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50, what: 'restarts after 403s' });
  t.false(informer.synced);
  t.false(informer.healthy);

  const rbac = admin.makeApiClient(RbacAuthorizationV1Api);
  await rbac.createNamespacedRole({ namespace, body: { metadata: { name: 'read' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }] } });
  await rbac.createNamespacedRoleBinding({ namespace, body: { metadata: { name: 'read' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read' }, subjects: [{ kind: 'ServiceAccount', name: 'watcher', namespace }] } });
  await started;
  t.true(informer.synced);
  await admin.makeApiClient(CoreV1Api).createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-grant' }, data: { a: 'b' } } });
  await waitUntil(() => (informer.get('after-grant', namespace) !== undefined ? true : undefined), { timeoutMs: 30_000, intervalMs: 100, what: 'the watch to deliver the new ConfigMap' });
  t.true(informer.healthy);
  t.true(seen.includes('add after-grant'));
});

// A list answers items without kind and apiVersion; the watch sends them. The reconciler compares
// its desired objects (which have both) with the cache, so an object the informer only ever listed
// looked changed on every pass and was applied again and again.
test('objects from the initial list carry kind and apiVersion, as watched ones do', async (t) => {
  t.timeout(120_000);
  const admin = cluster().kubeConfig();
  const namespace = await cluster().createNamespace('informer-kind');
  const core = admin.makeApiClient(CoreV1Api);
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'before-start' }, data: { a: 'b' } } });
  const informer = new SupervisedInformer<V1ConfigMap>({
    name: 'configmaps',
    kubeConfig: admin,
    path: `/api/v1/namespaces/${namespace}/configmaps`,
    list: () => core.listNamespacedConfigMap({ namespace }),
    logger: createLogger({ level: 'silent' }),
  });
  t.teardown(() => informer.stop());
  await informer.start();
  t.like(informer.get('before-start', namespace), { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' } });
  await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: 'after-start' }, data: { c: 'd' } } });
  const watched = await waitUntil(() => informer.get('after-start', namespace), { timeoutMs: 30_000, intervalMs: 100, what: 'the watch to deliver the new ConfigMap' });
  t.like(watched, { apiVersion: 'v1', kind: 'ConfigMap' });
});
