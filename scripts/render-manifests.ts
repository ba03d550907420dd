// Renders manifests/ from charts/sealbox, so that `kubectl apply` users get what `helm install`
// gives: `npm run manifests` writes the files, and test/packaging/manifests.test.ts fails when the
// committed files differ from a fresh render.
import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHART = `${ROOT}charts/sealbox`;
const VALUES = ['kind-values.yaml', 'manifests-values.yaml'].flatMap((file) => ['-f', `${CHART}/ci/${file}`]);
export const DEFAULT_HELM = `${ROOT}.cache/bin/helm`;
const NAMESPACE = 'sealbox-system';

const HEADER = (what: string) =>
  `# ${what}\n# Rendered from charts/sealbox with its ci/kind-values.yaml and ci/manifests-values.yaml by \`npm run manifests\`;\n# edit the chart, not this file.\n`;

/** Helm's own labels say "managed by Helm", which is not true of objects applied with kubectl. */
function withoutHelmLabels(yaml: string): string {
  return yaml.replace(/^\s*helm\.sh\/chart: .*\n/gm, '').replace(/^\s*app\.kubernetes\.io\/managed-by: Helm\n/gm, '');
}

async function template(helm: string, extra: readonly string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(helm, ['template', 'sealbox', CHART, '--namespace', NAMESPACE, ...VALUES, ...extra]);
  return withoutHelmLabels(stdout);
}

/** The files of manifests/, by path relative to the repository root. */
export async function renderManifests(helm = DEFAULT_HELM): Promise<Map<string, string>> {
  const operator = await template(helm, ['--set', 'vaultCluster.enabled=false']);
  const cluster = await template(helm, ['--show-only', 'templates/vaultcluster.yaml']);
  return new Map([
    ['manifests/operator.yaml', HEADER(`The Sealbox operator in ${NAMESPACE}: namespace, ServiceAccount, RBAC, metrics Service, Deployment.\n# Apply the CRD first: kubectl apply --server-side -f crds/ -f manifests/`) + operator],
    ['manifests/examples/vaultcluster.yaml', HEADER('An example VaultCluster on the etcd of manifests/examples/etcd.yaml (apply that first).') + cluster],
  ]);
}

if (import.meta.main) {
  for (const [path, text] of await renderManifests(process.env['HELM'] ?? DEFAULT_HELM)) await writeFile(`${ROOT}${path}`, text);
}
