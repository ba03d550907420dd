// The operator's permissions are the least it needs, on a real control plane with the API server's
// audit log on: a VaultCluster is taken through what the operator does (init, unseal, kubernetes
// auth, a ServiceMonitor, a rollout, a scale-down, turning the PDB and ServiceMonitor off,
// deletion with deletionPolicy Delete). Every request of the operator's service account must be
// allowed, and every verb the Role and ClusterRole of manifests/operator.yaml grant must have been
// used. Also: every pod runs as non-root with a read-only root filesystem in namespaces that enforce
// the restricted Pod Security Standard, and no service account outside kube-system but the
// operator's can read the keys Secret.
import test from 'ava';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorizationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import { useCluster } from '../cluster/test-cluster.ts';
import { waitUntil } from '../cluster/wait-until.ts';
import { startEtcd } from '../helpers/etcd.ts';
import type { RunningEtcd } from '../helpers/etcd.ts';
import { ROOT } from '../packaging/helm.ts';
import type { E2eCluster } from './e2e-cluster.ts';
import { installCrd, installOperator, patchVaultCluster, readVaultCluster, serverPods, vaultClusterManifest, WAIT, waitHealthy } from './operator-harness.ts';

const auditDir = mkdtempSync(join(tmpdir(), 'sealbox-audit-'));
const AUDIT_LOG = join(auditDir, 'audit.log');
// Metadata of every request made by a service account; nothing else.
writeFileSync(
  join(auditDir, 'policy.yaml'),
  'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n    userGroups: ["system:serviceaccounts"]\n  - level: None\n',
);
const local = useCluster(test, { apiserverArgs: [`--audit-policy-file=${join(auditDir, 'policy.yaml')}`, `--audit-log-path=${AUDIT_LOG}`, '--audit-log-mode=blocking'] });
const cluster = (): E2eCluster => ({ ...local(), local: local() });

/** A stand-in for the prometheus-operator's CRD: the operator only creates and deletes ServiceMonitors. */
const SERVICE_MONITOR_CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'servicemonitors.monitoring.coreos.com' },
  spec: {
    group: 'monitoring.coreos.com',
    scope: 'Namespaced',
    names: { plural: 'servicemonitors', singular: 'servicemonitor', kind: 'ServiceMonitor', listKind: 'ServiceMonitorList' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};

/**
 * Granted, but checked by the API server without a request of their own: `bind` when the operator
 * creates a binding to system:auth-delegator (checked below by that binding existing), and update
 * of vaultclusters/finalizers, which the OwnerReferencesPermissionEnforcement admission plugin
 * requires for children whose owner reference blocks the owner's deletion.
 */
const IMPLIED = new Set(['rbac.authorization.k8s.io clusterroles bind', 'sealbox.dev vaultclusters/finalizers update']);

interface Rule {
  readonly apiGroups: string[];
  readonly resources: string[];
  readonly verbs: string[];
}

async function operatorRules(): Promise<string[]> {
  const objects = parseAllDocuments(await readFile(join(ROOT, 'manifests/operator.yaml'), 'utf8')).map((document) => document.toJS() as Record<string, any>);
  const rules = objects.filter((object) => object['kind'] === 'ClusterRole' || object['kind'] === 'Role').flatMap((object) => object['rules'] as Rule[]);
  return rules.flatMap((rule) => rule.apiGroups.flatMap((group) => rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group} ${resource} ${verb}`))));
}

interface AuditEvent {
  readonly verb: string;
  readonly user: { readonly username: string };
  readonly objectRef?: { readonly apiGroup?: string; readonly resource?: string; readonly subresource?: string };
  readonly responseStatus?: { readonly code?: number };
}

/** What the operator's service account did: "group resource verb", and the requests refused. */
async function operatorRequests(serviceAccount: string): Promise<{ used: Set<string>; refused: string[] }> {
  const events = (await readFile(AUDIT_LOG, 'utf8'))
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((event) => event.user.username === serviceAccount && event.objectRef?.resource !== undefined);
  const used = new Set<string>();
  const refused: string[] = [];
  for (const event of events) {
    const ref = event.objectRef!;
    const resource = ref.subresource === undefined ? ref.resource : `${ref.resource}/${ref.subresource}`;
    const key = `${ref.apiGroup ?? ''} ${resource}`;
    used.add(`${key} ${event.verb}`);
    // A server-side apply that makes the object needs create as well as patch: 201 says it did.
    if (event.verb === 'patch' && event.responseStatus?.code === 201) used.add(`${key} create`);
    if (event.responseStatus?.code === 403) refused.push(`${key} ${event.verb}`);
  }
  return { used, refused };
}

function restrictedPodProblems(pod: V1Pod): string[] {
  const problems: string[] = [];
  const podContext = pod.spec?.securityContext ?? {};
  for (const container of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    const context = container.securityContext ?? {};
    const where = `${pod.metadata?.name}/${container.name}`;
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) problems.push(`${where} may run as root`);
    if ((context.runAsUser ?? podContext.runAsUser) === 0) problems.push(`${where} runs as uid 0`);
    if (context.readOnlyRootFilesystem !== true) problems.push(`${where} has a writable root filesystem`);
    if (context.allowPrivilegeEscalation !== false) problems.push(`${where} allows privilege escalation`);
    if (!(context.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where} keeps capabilities`);
  }
  return problems;
}

let etcd: RunningEtcd | undefined;
test.after.always(async () => {
  await etcd?.stop();
});

test('the operator uses every permission it is granted and no other; pods are restricted; only it reads the keys', async (t) => {
  t.timeout(900_000);
  etcd = await startEtcd();
  const config = cluster().kubeConfig();
  const restricted = async (prefix: string) => {
    const namespace = await cluster().createNamespace(prefix);
    await cluster().kubectl(['label', 'namespace', namespace, 'pod-security.kubernetes.io/enforce=restricted']);
    return namespace;
  };
  await installCrd(cluster());
  await cluster().kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify(SERVICE_MONITOR_CRD));
  const operatorNamespace = await restricted('sealbox-system');
  await installOperator(cluster(), operatorNamespace, ['-resync', '5s']);
  const namespace = await restricted('vault');
  const spec = {
    replicas: 3,
    storage: { etcd: { endpoints: [etcd.endpoint] } },
    unseal: { secretShares: 3, secretThreshold: 2 },
    kubernetesAuth: { enabled: true, roles: [{ name: 'app', boundServiceAccountNames: ['app'], boundServiceAccountNamespaces: [namespace], policies: ['default'] }] },
    metrics: { serviceMonitor: { enabled: true } },
    deletionPolicy: 'Delete',
  };
  await cluster().kubectl(['apply', '-n', namespace, '-f', '-'], JSON.stringify(vaultClusterManifest('vault', spec)));
  await waitHealthy(config, namespace, 'vault', 3, 'the cluster initialized and unsealed');
  const binding = await cluster().kubectl(['get', 'clusterrolebindings', '-l', `app.kubernetes.io/instance=vault`, '-o', 'jsonpath={.items[*].roleRef.name}']);
  t.is(binding, 'system:auth-delegator', 'the operator bound the servers to system:auth-delegator (the bind permission)');

  // Pods: non-root, read-only root, no privileges (and admitted under restricted Pod Security).
  const operatorPods = (await config.makeApiClient(CoreV1Api).listNamespacedPod({ namespace: operatorNamespace })).items;
  t.deepEqual([...(await serverPods(config, namespace, 'vault')), ...operatorPods].flatMap(restrictedPodProblems), []);

  // The keys Secret: among all service accounts outside kube-system, only the operator's reads it.
  const operatorAccount = `system:serviceaccount:${operatorNamespace}:sealbox-operator`;
  const accounts = (await config.makeApiClient(CoreV1Api).listServiceAccountForAllNamespaces()).items.filter((account) => !['kube-system', 'kube-public', 'kube-node-lease'].includes(account.metadata?.namespace ?? ''));
  t.true(accounts.length >= 4, 'the operator, the servers, and the namespaces default accounts');
  const readers: string[] = [];
  for (const account of accounts) {
    const user = `system:serviceaccount:${account.metadata?.namespace}:${account.metadata?.name}`;
    const review = await config.makeApiClient(AuthorizationV1Api).createSubjectAccessReview({
      body: { spec: { user, groups: ['system:serviceaccounts', `system:serviceaccounts:${account.metadata?.namespace}`], resourceAttributes: { namespace, verb: 'get', resource: 'secrets', name: 'vault-unseal-keys' } } },
    });
    if (review.status?.allowed === true) readers.push(user);
  }
  t.deepEqual(readers, [operatorAccount]);

  // Day 2: a rollout (pod labels, deletions, a step-down), a scale-down, PDB and ServiceMonitor off.
  await patchVaultCluster(config, namespace, 'vault', { spec: { image: 'sealbox:0.1.1' } });
  await waitUntil(async () => ((await serverPods(config, namespace, 'vault')).every((pod) => pod.spec?.containers.find((container) => container.name === 'server')?.image === 'sealbox:0.1.1') ? true : undefined), { ...WAIT, what: 'every pod rolled to the new image' });
  await waitHealthy(config, namespace, 'vault', 3, 'the cluster after the rollout');
  await patchVaultCluster(config, namespace, 'vault', { spec: { replicas: 1, podDisruptionBudget: { enabled: false }, metrics: { serviceMonitor: { enabled: false } } } });
  await waitHealthy(config, namespace, 'vault', 1, 'the cluster scaled down');
  await waitUntil(async () => ((await cluster().kubectl(['get', 'servicemonitors,poddisruptionbudgets', '-n', namespace, '-o', 'name'])).trim() === '' ? true : undefined), { ...WAIT, what: 'the ServiceMonitor and PDB removed' });
  // Deletion: the finalizer removes the binding, the data and the Secrets.
  await config.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({ group: 'sealbox.dev', version: 'v1alpha1', plural: 'vaultclusters', namespace, name: 'vault' });
  await waitUntil(async () => ((await readVaultCluster(config, namespace, 'vault')) === undefined ? true : undefined), { ...WAIT, what: 'the VaultCluster finalized' });

  const { used, refused } = await operatorRequests(operatorAccount);
  t.deepEqual(refused, [], 'every request of the operator was allowed');
  const granted = await operatorRules();
  t.deepEqual(granted.filter((permission) => !used.has(permission) && !IMPLIED.has(permission)), [], 'every granted permission was used');
});
