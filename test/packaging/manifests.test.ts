// manifests/ must be what the chart renders (npm run manifests), so that kubectl and helm users
// get the same operator.
import test from 'ava';
import { readFile } from 'node:fs/promises';
import { parseAllDocuments } from 'yaml';
import { renderManifests } from '../../scripts/render-manifests.ts';
import { ROOT } from './helm.ts';

test('manifests/ is the chart rendered with ci/kind-values.yaml and ci/manifests-values.yaml', async (t) => {
  for (const [path, rendered] of await renderManifests()) {
    t.is(await readFile(`${ROOT}/${path}`, 'utf8'), rendered, `${path} is stale: run npm run manifests`);
  }
});

test('manifests/operator.yaml starts with its namespace and carries no Helm ownership labels', async (t) => {
  const objects = parseAllDocuments(await readFile(`${ROOT}/manifests/operator.yaml`, 'utf8')).map((document) => document.toJS() as Record<string, any>);
  t.is(objects[0]?.['kind'], 'Namespace');
  t.is(objects[0]?.['metadata']['name'], 'sealbox-system');
  t.deepEqual(objects.map((object) => object['kind']), ['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Service', 'Deployment']);
  for (const object of objects) {
    t.is(object['metadata']['labels']['app.kubernetes.io/managed-by'], undefined);
    t.is(object['metadata']['labels']['helm.sh/chart'], undefined);
  }
});
