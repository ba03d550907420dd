import test from 'ava';
import { CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { useCluster } from '../cluster/test-cluster.ts';
import { startUnsealedServer, tempDir, writeServerConfig } from '../helpers/server-process.ts';

const cluster = useCluster(test);

/** The kubernetes auth method against a real kube-apiserver: the TokenReview is the real one. */
test('a service account token logs in through the kubernetes auth method with a real TokenReview', async (t) => {
  const { createNamespace, kubeConfig, server: kubernetesHost } = cluster();
  const core = kubeConfig().makeApiClient(CoreV1Api);
  const rbac = kubeConfig().makeApiClient(RbacAuthorizationV1Api);
  const namespace = await createNamespace('k8s-auth');
  for (const name of ['sealbox-reviewer', 'web', 'intruder']) {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
  }
  // The reviewer may create TokenReviews, as Vault's docs have operators grant it.
  await rbac.createClusterRoleBinding({
    body: {
      metadata: { name: `${namespace}-reviewer` },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:auth-delegator' },
      subjects: [{ kind: 'ServiceAccount', name: 'sealbox-reviewer', namespace }],
    },
  });
  const tokenOf = async (name: string) =>
    (await core.createNamespacedServiceAccountToken({ namespace, name, body: { spec: { audiences: [], expirationSeconds: 600 } } })).status?.token ?? '';
  const caCert = (await core.readNamespacedConfigMap({ name: 'kube-root-ca.crt', namespace })).data!['ca.crt']!;

  const dir = await tempDir();
  t.teardown(dir.remove);
  const config = await writeServerConfig(dir.path, 'storage "inmem" {}');
  const { server, rootToken } = await startUnsealedServer(['-config', config]);
  t.teardown(() => server.stop({ kill: true }));
  const call = async (method: string, path: string, body: unknown, token = rootToken) => {
    const response = await fetch(`${server.url}/v1/${path}`, { method, headers: token === '' ? {} : { 'X-Vault-Token': token }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, any>) };
  };
  t.is((await call('POST', 'sys/auth/kubernetes', { type: 'kubernetes' })).status, 204);
  t.is((await call('POST', 'auth/kubernetes/config', { kubernetes_host: kubernetesHost, kubernetes_ca_cert: caCert, token_reviewer_jwt: await tokenOf('sealbox-reviewer') })).status, 204);
  t.is((await call('POST', 'auth/kubernetes/role/web', { bound_service_account_names: 'web', bound_service_account_namespaces: namespace, token_policies: 'default', token_ttl: '10m' })).status, 204);

  const login = await call('POST', 'auth/kubernetes/login', { role: 'web', jwt: await tokenOf('web') }, '');
  t.is(login.status, 200, JSON.stringify(login.json));
  t.like(login.json['auth'], { metadata: { role: 'web', service_account_name: 'web', service_account_namespace: namespace }, lease_duration: 600 });
  t.is((await call('GET', 'auth/token/lookup-self', undefined, login.json['auth'].client_token)).status, 200);

  const intruder = await call('POST', 'auth/kubernetes/login', { role: 'web', jwt: await tokenOf('intruder') }, '');
  t.is(intruder.status, 403);
  const webToken = await tokenOf('web');
  const forged = await call('POST', 'auth/kubernetes/login', { role: 'web', jwt: `${webToken.slice(0, -4)}AAAA` }, '');
  t.is(forged.status, 403, 'the API server rejects a token whose signature is broken');
});
