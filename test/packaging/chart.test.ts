// charts/sealbox with a real helm: lint, rendering with every values file in ci/, what the values
// switch on and off, the schema refusing bad values, and the CRDs kept equal to crds/.
import test from 'ava';
import { readFile, readdir } from 'node:fs/promises';
import { CHART, ROOT, helm, renderChart } from './helm.ts';
import type { KubeObject } from './helm.ts';

const VALUES_FILES = ['kind-values.yaml', 'manifests-values.yaml', 'namespaced-values.yaml', 'full-values.yaml'];
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition']);

const ofKind = (objects: readonly KubeObject[], kind: string) => objects.filter((object) => object['kind'] === kind);
const only = (objects: readonly KubeObject[], kind: string): KubeObject => {
  const found = ofKind(objects, kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, found ${found.length}`);
  return found[0]!;
};
const operatorContainer = (objects: readonly KubeObject[]) => only(objects, 'Deployment')['spec']['template']['spec']['containers'][0];

test('helm lint --strict passes with the defaults and with every values file in ci/', async (t) => {
  for (const args of [[], ...VALUES_FILES.map((file) => ['-f', `${CHART}/ci/${file}`])]) {
    const result = await helm(['lint', '--strict', CHART, ...args]);
    t.is(result.code, 0, `helm lint ${args.join(' ')}: ${result.stdout}${result.stderr}`);
    t.regex(result.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
  }
});

test('every values file renders objects with the standard labels, in the release namespace', async (t) => {
  for (const file of VALUES_FILES) {
    const objects = await renderChart(['--namespace', 'team-a', '-f', `${CHART}/ci/${file}`]);
    t.true(ofKind(objects, 'Deployment').length === 1 && ofKind(objects, 'ServiceAccount').length >= 1, file);
    for (const object of objects) {
      const where = `${file}: ${object['kind']} ${object['metadata']['name']}`;
      const labels = object['metadata']['labels'] ?? {};
      t.is(labels['app.kubernetes.io/managed-by'], 'Helm', where);
      t.is(labels['app.kubernetes.io/instance'], 'sealbox', where);
      t.is(labels['app.kubernetes.io/part-of'], 'sealbox', where);
      t.regex(labels['helm.sh/chart'] ?? '', /^sealbox-\d+\.\d+\.\d+/, where);
      if (!CLUSTER_SCOPED.has(object['kind']) && !(object['kind'] === 'Role' || object['kind'] === 'RoleBinding')) t.is(object['metadata']['namespace'], 'team-a', where);
    }
  }
});

test('the defaults: a two-replica operator with leader election, non-root, read-only root, cluster-wide RBAC and a metrics Service', async (t) => {
  const objects = await renderChart(['--namespace', 'ops']);
  const deployment = only(objects, 'Deployment');
  t.is(deployment['spec']['replicas'], 2);
  const pod = deployment['spec']['template']['spec'];
  t.like(pod['securityContext'], { runAsNonRoot: true, runAsUser: 100, seccompProfile: { type: 'RuntimeDefault' } });
  const container = operatorContainer(objects);
  t.like(container['securityContext'], { runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
  t.truthy(container['resources']['requests']['memory']);
  t.is(container['image'], 'sealbox:0.1.0');
  t.deepEqual(container['args'].slice(0, 2), ['operator', 'run']);
  t.true(container['args'].includes('-lease-name'));
  t.false(container['args'].includes('-namespace'), 'watches every namespace');
  t.is(pod['serviceAccountName'], only(objects, 'ServiceAccount')['metadata']['name']);
  t.is(only(objects, 'ClusterRoleBinding')['roleRef']['name'], only(objects, 'ClusterRole')['metadata']['name']);
  t.deepEqual(only(objects, 'ClusterRoleBinding')['subjects'], [{ kind: 'ServiceAccount', name: pod['serviceAccountName'], namespace: 'ops' }]);
  t.deepEqual(only(objects, 'Role')['rules'], [{ apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] }]);
  t.deepEqual(only(objects, 'Service')['spec']['selector'], deployment['spec']['selector']['matchLabels']);
  t.deepEqual(ofKind(objects, 'ServiceMonitor'), []);
  t.deepEqual(ofKind(objects, 'VaultCluster'), []);
  t.deepEqual(ofKind(objects, 'Namespace'), []);
  t.deepEqual(ofKind(objects, 'Job'), [], 'no uninstall hook without a VaultCluster');
  // The operator never lists or watches Secrets: it reads the keys Secret by name.
  const secrets = only(objects, 'ClusterRole')['rules'].find((rule: KubeObject) => rule['resources'].includes('secrets'));
  t.deepEqual(secrets['verbs'], ['get', 'create', 'patch', 'delete']);
});

test('namespace scope: a Role in the watched namespace, -namespace passed, nothing cluster-wide without kubernetes auth', async (t) => {
  const objects = await renderChart(['--namespace', 'ops', '-f', `${CHART}/ci/namespaced-values.yaml`]);
  t.deepEqual(objects.filter((object) => CLUSTER_SCOPED.has(object['kind'])), []);
  const role = ofKind(objects, 'Role').find((object) => object['metadata']['namespace'] === 'apps');
  t.truthy(role, 'the Role is in operator.watchNamespace');
  t.false(role!['rules'].some((rule: KubeObject) => rule['apiGroups'].includes('rbac.authorization.k8s.io')));
  const args: string[] = operatorContainer(objects)['args'];
  t.is(args[args.indexOf('-namespace') + 1], 'apps');
  t.true(args.includes('-leader-elect=false'));
  t.is(only(objects, 'Deployment')['spec']['replicas'], 1, 'without leader election, one replica');
  t.deepEqual(ofKind(objects, 'Service'), []);
  const withAuth = await renderChart(['--namespace', 'ops', '-f', `${CHART}/ci/namespaced-values.yaml`, '--set', 'rbac.kubernetesAuth=true']);
  const clusterRole = only(withAuth, 'ClusterRole');
  t.deepEqual(clusterRole['rules'].map((rule: KubeObject) => rule['resources']).flat(), ['clusterrolebindings', 'clusterroles']);
  t.deepEqual(clusterRole['rules'][1]['resourceNames'], ['system:auth-delegator']);
});

test('the full values file reaches the pod: image, pull secrets, scheduling, probes port, ServiceMonitor, VaultCluster and its uninstall hook', async (t) => {
  const objects = await renderChart(['--namespace', 'ops', '-f', `${CHART}/ci/full-values.yaml`]);
  const pod = only(objects, 'Deployment')['spec']['template'];
  t.is(pod['metadata']['annotations']['example.com/team'], 'platform');
  t.is(pod['metadata']['labels']['example.com/tier'], 'control');
  const spec = pod['spec'];
  t.deepEqual(spec['imagePullSecrets'], [{ name: 'registry-credentials' }]);
  t.deepEqual(spec['nodeSelector'], { 'kubernetes.io/os': 'linux' });
  t.is(spec['tolerations'].length, 1);
  t.truthy(spec['affinity']['podAntiAffinity']);
  t.is(spec['topologySpreadConstraints'].length, 1);
  t.is(spec['priorityClassName'], 'platform-critical');
  t.is(spec['serviceAccountName'], 'sealbox-controller');
  const container = spec['containers'][0];
  t.is(container['image'], 'registry.example/platform/sealbox:0.1.0-rc.1');
  t.is(container['imagePullPolicy'], 'Always');
  t.true(container['args'].includes('0.0.0.0:9090'));
  t.deepEqual(container['args'].slice(-2), ['-resync', '2m']);
  t.deepEqual(container['ports'], [{ name: 'http', containerPort: 9090, protocol: 'TCP' }]);
  const monitor = only(objects, 'ServiceMonitor');
  t.is(monitor['metadata']['labels']['release'], 'prometheus');
  t.like(monitor['spec']['endpoints'][0], { port: 'http-metrics', interval: '15s' });
  t.deepEqual(monitor['spec']['selector']['matchLabels'], only(objects, 'Service')['spec']['selector']);
  const cluster = only(objects, 'VaultCluster');
  t.is(cluster['metadata']['name'], 'secrets');
  t.is(cluster['spec']['image'], 'registry.example/platform/sealbox:0.1.0', 'the spec wins over the chart image');
  t.deepEqual(cluster['spec']['imagePullSecrets'], [{ name: 'registry-credentials' }]);
  t.is(cluster['metadata']['labels']['app.kubernetes.io/name'], undefined, 'not selectable as an operator pod');
  const job = only(objects, 'Job');
  t.is(job['metadata']['annotations']['helm.sh/hook'], 'pre-delete');
  t.deepEqual(job['spec']['template']['spec']['containers'][0]['args'].slice(0, 2), ['operator', 'delete-cluster']);
  t.is(job['spec']['template']['spec']['containers'][0]['args'].at(-1), 'secrets');
  const hookRole = ofKind(objects, 'Role').find((role) => role['metadata']['annotations']?.['helm.sh/hook'] === 'pre-delete');
  t.deepEqual(hookRole?.['rules'], [{ apiGroups: ['sealbox.dev'], resources: ['vaultclusters'], resourceNames: ['secrets'], verbs: ['get', 'delete'] }]);
});

test('a VaultCluster from values runs the chart image unless its spec names one', async (t) => {
  const objects = await renderChart(['-f', `${CHART}/ci/kind-values.yaml`, '--set', 'image.repository=registry.local/sealbox', '--set', 'image.tag=1.2.3']);
  const cluster = only(objects, 'VaultCluster');
  t.is(cluster['spec']['image'], 'registry.local/sealbox:1.2.3');
  t.deepEqual(cluster['spec']['storage'], { etcd: { endpoints: ['http://etcd.sealbox-system.svc:2379'] } });
  t.like(cluster['spec']['unseal'], { secretShares: 5, secretThreshold: 3, rootToken: { store: true } });
});

const BAD_VALUES: ReadonlyArray<readonly [string, readonly string[], RegExp]> = [
  ['an unknown top-level key', ['--set', 'replicaCount=3'], /additional properties 'replicaCount' not allowed/],
  ['a misspelt nested key', ['--set', 'operator.leaderElect=false'], /\/operator.*additional properties 'leaderElect'/],
  ['a wrong type', ['--set-string', 'operator.replicas=two'], /\/operator\/replicas/],
  ['an unknown log level', ['--set', 'operator.logLevel=loud'], /\/operator\/logLevel/],
  ['an unknown RBAC scope', ['--set', 'rbac.scope=everything'], /\/rbac\/scope/],
  ['a bad pull policy', ['--set', 'image.pullPolicy=Sometimes'], /\/image\/pullPolicy/],
  ['an unparseable memory quantity', ['--set', 'resources.limits.memory=lots'], /\/resources\/limits\/memory/],
  ['a resync that is no duration', ['--set', 'operator.resync=often'], /\/operator\/resync/],
  ['a VaultCluster without etcd endpoints', ['--set', 'vaultCluster.enabled=true'], /\/vaultCluster\/spec\/storage\/etcd\/endpoints/],
  ['a VaultCluster name that is no DNS label', ['-f', `${CHART}/ci/kind-values.yaml`, '--set', 'vaultCluster.name=My_Vault'], /\/vaultCluster\/name/],
  ['an etcd endpoint without a scheme', ['--set', 'vaultCluster.enabled=true', '--set', 'vaultCluster.spec.storage.etcd.endpoints={etcd:2379}'], /\/vaultCluster\/spec\/storage\/etcd\/endpoints\/0/],
];

for (const [what, args, message] of BAD_VALUES) {
  test(`the schema refuses ${what}, for template and lint`, async (t) => {
    const rendered = await helm(['template', 'sealbox', CHART, ...args]);
    t.not(rendered.code, 0);
    t.regex(rendered.stderr, /values don't meet the specifications of the schema/);
    t.regex(rendered.stderr, message);
    const linted = await helm(['lint', '--strict', CHART, ...args]);
    t.not(linted.code, 0);
  });
}

test('a ServiceMonitor without the metrics Service is refused with a message', async (t) => {
  const result = await helm(['template', 'sealbox', CHART, '--set', 'metrics.serviceMonitor.enabled=true', '--set', 'metrics.service.enabled=false']);
  t.not(result.code, 0);
  t.regex(result.stderr, /metrics.serviceMonitor.enabled needs metrics.service.enabled/);
});

test("the chart's crds/ is byte-equal to the top-level crds/", async (t) => {
  const top = (await readdir(`${ROOT}/crds`)).sort();
  const chart = (await readdir(`${CHART}/crds`)).sort();
  t.deepEqual(chart, top);
  for (const file of top) t.true((await readFile(`${CHART}/crds/${file}`)).equals(await readFile(`${ROOT}/crds/${file}`)), `${file} differs: copy crds/${file} into charts/sealbox/crds/`);
});
