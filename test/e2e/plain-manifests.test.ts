// `kubectl apply --server-side -f crds/ -f manifests/` and the examples, on the test cluster: the
// operator comes up in sealbox-system (restricted Pod Security enforced by its namespace) and the
// example VaultCluster on the example etcd becomes Available, as with the chart.
//
// The API server also checks, by a server-side dry run, what the chart renders with each values
// file in charts/sealbox/ci/.
//
// One adaptation: the test cluster has no cluster DNS, so the example VaultCluster is applied with
// the etcd pod's address in place of the etcd Service's name.
import test from 'ava';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { parseDocument } from 'yaml';
import { crdEstablished } from '../cluster/crd-established.ts';
import { waitUntil } from '../cluster/wait-until.ts';
import { CHART, ROOT, renderChart } from '../packaging/helm.ts';
import { useE2eCluster } from './e2e-cluster.ts';
import { activeAddress, exampleEtcdAddress, isReady, operatorPods, rootToken, vault, WAIT, waitHealthy } from './operator-harness.ts';

const cluster = useE2eCluster(test);
const NAMESPACE = 'sealbox-system';

test('kubectl apply of crds/, manifests/ and the examples gives an Available VaultCluster', async (t) => {
  t.timeout(900_000);
  const config = cluster().kubeConfig();
  await cluster().kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds/'), '-f', join(ROOT, 'manifests/')]);
  const namespace = await config.makeApiClient(CoreV1Api).readNamespace({ name: NAMESPACE });
  t.is(namespace.metadata?.labels?.['pod-security.kubernetes.io/enforce'], 'restricted');
  await waitUntil(async () => ((await operatorPods(config, NAMESPACE)).filter(isReady).length === 2 ? true : undefined), { ...WAIT, what: 'two Ready operator pods' });

  await cluster().kubectl(['apply', '-f', join(ROOT, 'manifests/examples/etcd.yaml')]);
  const etcdAddress = await exampleEtcdAddress(config, NAMESPACE);
  const example = parseDocument(await readFile(join(ROOT, 'manifests/examples/vaultcluster.yaml'), 'utf8'));
  t.deepEqual((example.toJS() as { spec: { storage: { etcd: { endpoints: string[] } } } }).spec.storage.etcd.endpoints, ['http://etcd.sealbox-system.svc:2379']);
  example.setIn(['spec', 'storage', 'etcd', 'endpoints'], [`http://${etcdAddress}:2379`]);
  await cluster().kubectl(['apply', '-f', '-'], example.toString());

  await waitHealthy(config, NAMESPACE, 'vault', 3, 'the example VaultCluster');
  const token = await rootToken(config, NAMESPACE, 'vault-root-token');
  const base = await activeAddress(config, NAMESPACE, 'vault');
  const health = await vault(base, 'GET', 'sys/health');
  t.like(health.body, { initialized: true, sealed: false, standby: false });
  t.is((await vault(base, 'GET', 'auth/token/lookup-self', token)).status, 200);
});

test('the API server accepts what the chart renders with every values file in ci/ (server-side dry run)', async (t) => {
  t.timeout(300_000);
  await cluster().kubectl(['apply', '--server-side', '-f', join(ROOT, 'crds/')]);
  await crdEstablished(cluster().kubectl, 'vaultclusters.sealbox.dev');
  const namespace = await cluster().createNamespace('chart');
  // namespaced-values.yaml puts its Role in the watched namespace "apps".
  await cluster().kubectl(['create', 'namespace', 'apps']);
  for (const file of (await readdir(join(CHART, 'ci'))).sort()) {
    // ServiceMonitor is the prometheus-operator's kind, not installed here; the Namespace object
    // of manifests-values.yaml exists already.
    const objects = (await renderChart(['--namespace', namespace, '-f', join(CHART, 'ci', file)])).filter((object) => object['kind'] !== 'ServiceMonitor' && object['kind'] !== 'Namespace');
    const output = await cluster().kubectl(['apply', '--dry-run=server', '-f', '-'], objects.map((object) => JSON.stringify(object)).join('\n'));
    t.is(output.trim().split('\n').length, objects.length, `${file}: ${output}`);
    t.regex(output, /\(server dry run\)/, file);
  }
});
